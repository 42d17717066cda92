"""K-fold cross-validation of the learned parts over the labelled examples: how well understanding
generalises to messages the models were not trained on. Used by bench/run.py and held to a floor by the suite.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .examples import SMALL_TALK, Example
from .guide import decide_message
from .knowledge import Knowledge
from .matcher import ANSWER_KINDS, Matcher


@dataclass
class Scores:
    """Out-of-fold results: counts of right answers per measure."""

    right: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    misses: list[tuple[Example, str]] = field(default_factory=list)

    def add(self, measure: str, ok: bool) -> None:
        self.total[measure] += 1
        self.right[measure] += ok

    def rate(self, measure: str) -> float | None:
        return self.right[measure] / self.total[measure] if self.total[measure] else None

    def table(self) -> dict[str, float | None]:
        return {m: self.rate(m) for m in sorted(self.total)}


def fold_of(example: Example, folds: int) -> int:
    """A stable fold per message, whatever order the file lists them in."""
    return int(hashlib.sha256(example.text.encode("utf-8")).hexdigest(), 16) % folds


def expected_kind(example: Example) -> str:
    return "help" if example.kind in SMALL_TALK else example.kind


def judge(knowledge: Knowledge, example: Example, match, scores: Scores) -> bool:
    """Score one answer against its labels, the way the acceptance measure does."""
    want = expected_kind(example)
    ok = match.kind == want
    scores.add("kind", ok)
    scores.add(f"kind:{want}", ok)
    if want in ANSWER_KINDS:
        topics_ok = set(example.topics) <= set(match.topics)
        scores.add("topics", topics_ok)
        ok = ok and topics_ok
        scores.add("not_sure_in_scope", match.kind == "fallback")
    if want == "fallback":
        scores.add("declined", match.kind in ("fallback", "help"))
    if want == "attribute" and match.kind == "attribute":
        scores.add("attribute", match.attribute == example.attribute)
    if want == "recommendation" and example.pick is not None and match.kind == "recommendation":
        pick_ok = decide_message(knowledge, match.situation, match.lean, match.lean_p).pick == example.pick
        scores.add("pick", pick_ok)
        ok = ok and pick_ok
    scores.add("item", ok)
    return ok


def cross_validate(knowledge: Knowledge, folds: int = 5, examples: list[Example] | None = None) -> Scores:
    items = list(knowledge.examples.items if examples is None else examples)
    by_fold: dict[int, list[Example]] = defaultdict(list)
    for example in items:
        by_fold[fold_of(example, folds)].append(example)
    scores = Scores()
    for fold in range(folds):
        held = by_fold.get(fold, [])
        if not held:
            continue
        matcher = Matcher(knowledge, examples=[e for f, group in by_fold.items() if f != fold for e in group])
        for example in held:
            match = matcher.match(example.text)
            if not judge(knowledge, example, match, scores):
                scores.misses.append(
                    (example, f"{match.kind} {match.topics} {match.attribute} {match.situation}")
                )
    return scores
