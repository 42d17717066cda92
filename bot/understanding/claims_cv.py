"""K-fold cross-validation of finding claims: each question a claim lists (`asked:`) is held out of the
index in turn and asked; how often its claim comes first, and among the claims an answer shows. Used by
bench/run.py and held to a floor by the suite."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from . import facts
from .policy import Matcher
from .retrieval import ClaimIndex


def _fold(claim_id: str, index: int, folds: int) -> int:
    return int(hashlib.sha256(f"{claim_id}#{index}".encode()).hexdigest(), 16) % folds


def cross_validate_claims(matcher: Matcher, folds: int = 5) -> dict[str, float]:
    """{"questions": n, "top1": share found first, "shown": share among the claims an answer shows}."""
    k = matcher.knowledge
    asked = [(c, i, q) for c in k.claims for i, q in enumerate(c.asked)]
    words = {a.id: " ".join([a.name, *a.cues[:3]]) for a in k.attributes.values()}
    first = shown = total = 0
    for fold in range(folds):
        held = {(c.id, i) for c, i, _ in asked if _fold(c.id, i, folds) == fold}
        kept = [
            replace(c, asked=tuple(q for i, q in enumerate(c.asked) if (c.id, i) not in held))
            for c in k.claims
        ]
        derived = k.answerable[len(k.claims) :]  # definitions and comparison differences, as they are
        index = ClaimIndex.build(kept + list(derived), matcher.words, words)
        for claim, i, question in asked:
            if (claim.id, i) not in held:
                continue
            ev = matcher.evidence(question)
            topics = [t for t in ev.topics if t in k.topics]
            found = [f.claim for f in facts.find(k, index, ev, topics, None, current=False)]
            total += 1
            first += found[:1] == [claim.id]
            shown += claim.id in found[: facts.MAX_CLAIMS]
    return {
        "questions": total,
        "top1": first / total if total else 0.0,
        "shown": shown / total if total else 0.0,
    }
