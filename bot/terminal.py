"""The guided choice in a terminal: the same questions and scoring as in Slack, the deciding question first,
stopping as soon as no further answer can change the verdict (more answers can still be given to be sure)."""

from __future__ import annotations

from typing import TextIO

from .answering.builders import AnswerBuilder
from .answering.decision import decide
from .answering.guided import NOT_SURE, given, next_question, remaining
from .knowledge import Knowledge
from .knowledge.model import Criterion

MORE = "Answer more to be sure? [y/N] "


def run_choice(
    knowledge: Knowledge, stdin: TextIO, stdout: TextIO, answers: dict[str, str] | None = None
) -> int:
    answers = dict(answers or {})
    asked = 0
    ask_more = False
    while True:
        criterion = next_question(knowledge, answers)
        if criterion is None and not ask_more and remaining(knowledge, answers) is not None:
            stdout.write("\nThat settles it. " + MORE)
            stdout.flush()
            ask_more = stdin.readline().strip().lower() in ("y", "yes")
        if criterion is None and ask_more:
            criterion = remaining(knowledge, answers)
        if criterion is None:
            break
        asked += 1
        value = _ask(criterion, asked, stdin, stdout)
        if value is None:
            return 1
        answers[criterion.id] = value
    decision = decide(knowledge, given(answers), complete=True)
    answer = AnswerBuilder(knowledge).recommendation(decision, guided=True)
    stdout.write("\n" + answer.text + "\n")
    return 0


def _ask(criterion: Criterion, step: int, stdin: TextIO, stdout: TextIO) -> str | None:
    """One question with its numbered answers and "Not sure"; None when the input ends or cannot be read."""
    stdout.write(f"\n({step}) {criterion.question}\n")
    for i, option in enumerate(criterion.options, 1):
        stdout.write(f"  {i}. {option.label}\n")
    unsure = len(criterion.options) + 1
    stdout.write(f"  {unsure}. Not sure\n")
    for _attempt in range(5):
        stdout.write("> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            stdout.write("\nStopped: no answer given.\n")
            return None
        choice = line.strip().lower()
        if choice in (str(unsure), "not sure", "?"):
            return NOT_SURE
        if choice.isdigit() and 1 <= int(choice) <= len(criterion.options):
            return criterion.options[int(choice) - 1].value
        picked = next((o for o in criterion.options if choice in (o.value, o.label.lower())), None)
        if picked:
            return picked.value
        stdout.write(f"Please answer 1-{unsure}.\n")
    stdout.write("Stopped: too many answers I could not read.\n")
    return None
