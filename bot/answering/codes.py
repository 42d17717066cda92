"""Answer codes: the guided choice's answers as one replayable line ('kubernetes=yes team_k8s=no'), carried by
buttons and accepted by `/container-choice` and `container-bot choose --answers`."""

from __future__ import annotations

import re

from ..knowledge.guided_limits import CODE_ID, CODE_VALUE
from ..knowledge.model import Knowledge

_CODE_PAIR = re.compile(rf"^({CODE_ID.pattern})=({CODE_VALUE.pattern})$")


def format_code(knowledge: Knowledge, answers: dict[str, str]) -> str:
    """Answers as a replayable code, in the knowledge file's criterion order: 'kubernetes=yes team_k8s=no'."""
    return " ".join(f"{c.id}={answers[c.id]}" for c in knowledge.criteria if c.id in answers)


def parse_code(knowledge: Knowledge, text: str) -> dict[str, str]:
    """'kubernetes=yes team_k8s=no' -> answers; ValueError naming the first bad pair."""
    answers: dict[str, str] = {}
    for pair in text.split():
        m = _CODE_PAIR.match(pair.strip().lower())
        criterion = knowledge.criterion(m.group(1)) if m else None
        if not m or criterion is None:
            known = ", ".join(c.id for c in knowledge.criteria)
            raise ValueError(f"'{pair}' is not an answer code (criteria: {known})")
        if criterion.option(m.group(2)) is None:
            values = "/".join(o.value for o in criterion.options)
            raise ValueError(f"'{pair}': {criterion.id} takes {values}")
        answers[criterion.id] = m.group(2)
    return answers


def looks_like_code(text: str) -> bool:
    parts = text.split()
    return bool(parts) and all(_CODE_PAIR.match(p.lower()) for p in parts)
