"""The guided choice in a terminal: the same criteria and scoring as the Slack flow."""

from __future__ import annotations

from typing import TextIO

from .answering.builders import AnswerBuilder
from .answering.decision import decide, next_question
from .knowledge import Knowledge


def run_choice(
    knowledge: Knowledge, stdin: TextIO, stdout: TextIO, answers: dict[str, str] | None = None
) -> int:
    answers = dict(answers or {})
    total = len(knowledge.criteria)
    while (criterion := next_question(knowledge, answers)) is not None:
        step = len(answers) + 1
        stdout.write(f"\n({step}/{total}) {criterion.question}\n")
        for i, option in enumerate(criterion.options, 1):
            stdout.write(f"  {i}. {option.label}\n")
        for _attempt in range(5):
            stdout.write("> ")
            stdout.flush()
            line = stdin.readline()
            if not line:
                stdout.write("\nStopped: no answer given.\n")
                return 1
            choice = line.strip().lower()
            picked = None
            if choice.isdigit() and 1 <= int(choice) <= len(criterion.options):
                picked = criterion.options[int(choice) - 1]
            else:
                picked = next((o for o in criterion.options if choice in (o.value, o.label.lower())), None)
            if picked:
                answers[criterion.id] = picked.value
                break
            stdout.write(f"Please answer 1-{len(criterion.options)}.\n")
        else:
            stdout.write("Stopped: too many answers I could not read.\n")
            return 1
    answer = AnswerBuilder(knowledge).recommendation(decide(knowledge, answers, complete=True), guided=True)
    stdout.write("\n" + answer.text + "\n")
    return 0
