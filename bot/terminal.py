"""The guided choice in a terminal: the same questions and scoring as in Slack, the deciding question first,
stopping as soon as no answer left can change the verdict (more answers can still be given to be sure)."""

from __future__ import annotations

import re
from typing import TextIO

from .answering.builders import AnswerBuilder
from .answering.decision import decide
from .answering.guided import (
    NOT_SURE,
    Progress,
    Reply,
    Step,
    answer,
    live_ticks,
    next_step,
    possible,
    remaining,
)
from .knowledge import Knowledge
from .knowledge.model import Checklist, Criterion

MORE = "Answer more to be sure? [y/N] "
ATTEMPTS = 5


def run_choice(
    knowledge: Knowledge, stdin: TextIO, stdout: TextIO, answers: dict[str, str] | None = None
) -> int:
    progress = Progress(answers=dict(answers or {}))
    more = False
    while True:
        step: Step | None = remaining(knowledge, progress) if more else next_step(knowledge, progress)
        if step is None and not more and remaining(knowledge, progress) is not None:
            settled = decide(knowledge, progress.given(), complete=True).pick
            name = knowledge.topics[settled].name if settled in knowledge.topics else "no single service"
            stdout.write(f"\nThat settles it: {name}. " + MORE)
            stdout.flush()
            more = stdin.readline().strip().lower() in ("y", "yes")
            step = remaining(knowledge, progress) if more else None
        if step is None:
            break
        number = len(progress.asked) + 1
        reply = _ask(knowledge, step, progress, more, number, stdin, stdout)
        if reply is None:
            return 1
        progress = answer(knowledge, progress, step, reply)
    decision = decide(knowledge, progress.given(), complete=True)
    result = AnswerBuilder(knowledge).recommendation(decision, guided=True)
    stdout.write("\n" + result.text + "\n")
    return 0


def _ask(
    knowledge: Knowledge,
    step: Step,
    progress: Progress,
    more: bool,
    number: int,
    stdin: TextIO,
    stdout: TextIO,
) -> Reply | None:
    """One question, numbered, until it reads; None when the input ends or cannot be read."""
    if isinstance(step, Checklist):
        ticks = live_ticks(knowledge, step, progress)
        labels = [t.label for t in ticks]
        hint = "Enter the numbers that apply (for example: 1 3), or just Enter for none."
    else:
        # answering more to be sure shows every answer (an earlier tick can be corrected); else the open ones
        values = [o.value for o in step.options] if more else [v for v in possible(step, progress) if v]
        labels = [o.label for v in values if (o := step.option(v))] + ["Not sure"]
        hint = ""
    stdout.write(f"\n({number}) {step.question}\n")
    stdout.writelines(f"  {i}. {label}\n" for i, label in enumerate(labels, 1))
    if hint:
        stdout.write(hint + "\n")
    for _attempt in range(ATTEMPTS):
        stdout.write("> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            stdout.write("\nStopped: no answer given.\n")
            return None
        if isinstance(step, Checklist):
            picked = _numbers(line, len(ticks))
            if picked is not None:
                return [ticks[i - 1] for i in picked]
            stdout.write(f"Please enter numbers from 1 to {len(ticks)}, or just Enter for none.\n")
            continue
        value = _value(step, values, line.strip().lower())
        if value is not None:
            return value
        stdout.write(f"Please answer 1-{len(labels)}.\n")
    stdout.write("Stopped: too many answers I could not read.\n")
    return None


def _numbers(line: str, count: int) -> list[int] | None:
    """'1 3', '1,3' -> [1, 3]; '' or 'none' -> []; None when it does not read."""
    text = line.strip().lower()
    if text in ("", "0", "none", "no", "n", "?", "not sure"):
        return []
    parts = [p for p in re.split(r"[\s,;]+", text) if p]
    if not all(p.isdigit() and 1 <= int(p) <= count for p in parts):
        return None
    return sorted({int(p) for p in parts})


def _value(criterion: Criterion, values: list[str], choice: str) -> str | None:
    """A criterion's answer from a number, its value or its label; NOT_SURE for "Not sure"."""
    unsure = len(values) + 1
    if choice in (str(unsure), "not sure", "?"):
        return NOT_SURE
    if choice.isdigit() and 1 <= int(choice) <= len(values):
        return values[int(choice) - 1]
    options = [o for v in values if (o := criterion.option(v))]
    picked = next((o for o in options if choice in (o.value, o.label.lower())), None)
    return picked.value if picked else None
