"""'Did you mean' suggestions: what a declined message names, and attributes named as plainly as the one
answered."""

from __future__ import annotations

from ..knowledge.model import Knowledge
from .phrases import Evidence


def suggest(k: Knowledge, topics: list[str]) -> list[str]:
    """'Did you mean' questions: what the named topics are, and the ECS/EKS comparison and choice."""
    out: list[str] = []
    for topic in topics[:2]:
        out.append(f"What is {k.topics[topic].name}?")
    services = k.services
    if any(t in services for t in topics) or not topics:
        names = [k.topics[s].name.split()[-1] for s in services]
        out.append(f"Compare {' and '.join(names)}")
        out.append(f"Which should we use, {' or '.join(names)}?")
    return list(dict.fromkeys(out))[:3]


def close_calls(k: Knowledge, ev: Evidence) -> list[str]:
    """Another attribute the message names as plainly as the chosen one, offered as 'did you mean'."""
    targets = list(dict.fromkeys(h.phrase.target for h in ev.attr_hits if not h.phrase.weak))
    if len(targets) < 2:
        return []
    subject = " and ".join(k.topics[t].name for t in ev.topics[:2]) or "ECS and EKS"
    return [f"{k.attributes[a].name} of {subject}" for a in targets[1:3]]
