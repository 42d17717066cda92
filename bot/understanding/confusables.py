"""Phrasings of the knowledge file that the matcher could take for one another: what `check` reports."""

from __future__ import annotations

from ..knowledge.model import Knowledge
from .phrases import Phrase, make_phrases, word_similarity


def confusables(knowledge: Knowledge, threshold: float | None = None) -> list[tuple[int, str]]:
    """Phrasings of two different entries of the same kind that the matcher could take for one another:
    equal, or alike word for word within the matcher's typo tolerance, scoring at or above the threshold."""
    limit = knowledge.settings.threshold if threshold is None else threshold
    by_kind: dict[str, list[Phrase]] = {}
    for phrase in make_phrases(knowledge):
        if phrase.kind in ("topic", "attribute", "intent", "criterion"):
            by_kind.setdefault(phrase.kind, []).append(phrase)
    found = []
    for kind, phrases in by_kind.items():
        by_length: dict[int, list[Phrase]] = {}
        for phrase in phrases:
            by_length.setdefault(len(phrase.tokens), []).append(phrase)
        for same in by_length.values():
            for i, a in enumerate(same):
                for b in same[i + 1 :]:
                    if a.target == b.target or _family(a.target) == _family(b.target) and kind == "criterion":
                        continue
                    # a phrase matches only when every word does, so one unlike word keeps them apart
                    words = [word_similarity(x, y) for x, y in zip(a.tokens, b.tokens, strict=True)]
                    score = sum(words) / len(words) if all(words) else 0.0
                    if score >= limit:
                        line = knowledge.lines.get((kind, f"{b.target}: {b.text}"), 0)
                        found.append(
                            (
                                line,
                                f"{kind} phrasing '{b.text}' of '{b.target}' can be confused with "
                                f"'{a.text}' of '{a.target}' (score {score:.2f})",
                            )
                        )
    return sorted(found)


def _family(target: str) -> str:
    return target.split("=", 1)[0]
