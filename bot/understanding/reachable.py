"""Which claims no question reaches: what `container-bot check` reports about the claims files.

A claim is reachable when one of the questions it lists (`asked:`), read by the matcher, finds it among the
claims an answer shows. A headline claim of a topic that a comparison names is reached through it: it is
the cell a comparison on its attribute shows. A claim that lists no question, or whose questions all find
other claims first, would never be said.
"""

from __future__ import annotations

import datetime

from . import facts
from .policy import Matcher


def unreachable(matcher: Matcher) -> list[tuple[str, int, str]]:
    """(file, line, message) for each claim no question of its own reaches."""
    k = matcher.knowledge
    compared = {t for pair in k.comparisons for t in pair}
    out = []
    for claim in k.claims:
        if claim.headline and claim.about[0] in compared:
            continue  # the cell a comparison on its attribute shows ("ecs vs eks cost")
        questions = list(claim.asked)
        if not questions:
            out.append((claim.file, claim.line, f"claim '{claim.id}' lists no question it answers (asked:)"))
            continue
        if not any(_reaches(matcher, question, claim.id) for question in questions):
            message = f"claim '{claim.id}': none of its questions finds it; other claims answer them first"
            out.append((claim.file, claim.line, message))
    return out


def _reaches(matcher: Matcher, question: str, claim_id: str) -> bool:
    ev = matcher.evidence(question)
    topics = [t for t in ev.topics if t in matcher.knowledge.topics]
    found = facts.find(matcher.knowledge, matcher.claims, ev, topics, None, current=False)
    return claim_id in [f.claim for f in found[: facts.MAX_CLAIMS]]


def expired(matcher: Matcher, today: datetime.date | None = None) -> list[tuple[str, int, str]]:
    """(file, line, message) for each claim whose `until` has passed: it is no longer said."""
    day = today or datetime.date.today()
    return [
        (c.file, c.line, f"warning: claim '{c.id}' stopped holding on {c.until}; it is no longer said")
        for c in matcher.knowledge.claims
        if c.until and c.until <= day.isoformat()
    ]
