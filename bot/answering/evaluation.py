"""K-fold cross-validation of the learned parts over the labelled examples: how well understanding
generalises to messages the models were not trained on. Used by bench/run.py and held to a floor by the suite.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..knowledge.examples import SMALL_TALK, Example
from ..knowledge.model import Knowledge
from ..understanding.match import ANSWER_KINDS
from ..understanding.policy import Matcher
from .decision import decide_message


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


def cross_validate(
    knowledge: Knowledge,
    folds: int = 5,
    examples: list[Example] | None = None,
    kind_model: str = "naive_bayes",
) -> Scores:
    items = list(knowledge.examples.items if examples is None else examples)
    by_fold: dict[int, list[Example]] = defaultdict(list)
    for example in items:
        by_fold[fold_of(example, folds)].append(example)
    scores = Scores()
    for fold in range(folds):
        held = by_fold.get(fold, [])
        if not held:
            continue
        rest = [e for f, group in by_fold.items() if f != fold for e in group]
        matcher = Matcher(knowledge, examples=rest, kind_model=kind_model)
        for example in held:
            match = matcher.match(example.text)
            if not judge(knowledge, example, match, scores):
                scores.misses.append(
                    (example, f"{match.kind} {match.topics} {match.attribute} {match.situation}")
                )
    return scores


# ------------------------------------------------------------------------------ labelled message sets
# Sets such as tests/data/blind.jsonl: one JSON object per line with the message (q), its kind, the topics
# the answer must cover and, for recommendations, `expect:` in the note. Judged by the rules of the shared
# evaluation README: the kind (or an `alt_kind:`), every labelled topic, and the pick.

CONDITIONAL_WORDS = ("if ", "unless", "depends", "depending", "trade-off", "tradeoff", "either")
GUIDED_WORDS = ("/container-choice", "guided", "questionnaire", "a few questions")


def load_labelled(path) -> list[dict]:
    import json
    from pathlib import Path

    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            note: dict[str, list[str]] = {}
            for token in str(row.get("note") or "").split("; "):
                key, _, value = token.partition(":")
                note.setdefault(key.strip().lower(), []).append(value.strip())
            row["expect"] = note["expect"][0] if note.get("expect") else None
            row["alt_kinds"] = [
                k for v in note.get("alt_kind", []) for k in v.replace(",", "/").split("/") if k
            ]
            row["beyond_seed"] = "beyond_seed" in note
            rows.append(row)
    return rows


def judge_labelled(row: dict, answer: dict) -> bool:
    """Right, leniently: the kind (greetings are help), the topics, and the pick."""
    want, got = row["kind"], answer["kind"]
    kinds = {want, *row.get("alt_kinds", [])} | ({"help"} if want == "greeting" else set())
    if got not in kinds:
        return False
    text = (answer.get("text") or "").lower()
    guided = any(w in text for w in GUIDED_WORDS)
    if want in ANSWER_KINDS and row["topics"]:
        if not (
            set(row["topics"]) <= set(answer.get("topics") or []) or (want == "recommendation" and guided)
        ):
            return False
    expect = (row.get("expect") or "").lower()
    if want == "recommendation" and expect:
        wanted = set(expect.split("/"))
        pick = answer.get("recommendation")
        if wanted & {"ecs", "eks"}:
            return pick in wanted
        return pick is None or guided or any(w in text for w in CONDITIONAL_WORDS)
    return True


def score_labelled(engine, rows: list[dict]) -> dict[str, float]:
    """Share right overall, in scope, on picks, out of scope declined, and in-scope 'not sure'."""
    results = []
    for row in rows:
        answer = engine.ask(" ".join(row["q"].splitlines())).to_json()
        results.append((row, answer, judge_labelled(row, answer)))
    scored = [r for r in results if not r[0]["beyond_seed"]]

    def share(selected) -> float:
        return sum(ok for _, _, ok in selected) / len(selected) if selected else 0.0

    in_scope = [r for r in scored if r[0]["kind"] in ANSWER_KINDS]
    picks = [
        r for r in scored if r[0]["kind"] == "recommendation" and (r[0]["expect"] or "") in ("ecs", "eks")
    ]
    out = [r for r in scored if r[0]["kind"] == "fallback"]
    return {
        "items": len(results),
        "right": share(scored),
        "in_scope_right": share(in_scope),
        "picks_right": share(picks),
        "declined": sum(a["kind"] in ("fallback", "help") for _, a, _ in out) / len(out) if out else 0.0,
        "in_scope_not_sure": sum(a["kind"] == "fallback" for _, a, _ in in_scope) / len(in_scope)
        if in_scope
        else 0.0,
        "beyond_seed_right": share([r for r in results if r[0]["beyond_seed"]]),
    }


def overheard(engine, rows: list[dict]) -> dict[str, float]:
    """For channel messages the bot was not addressed in (tests/data/channel.jsonl: q, answer true/false):
    the share of chatter it answers (should be near 0) and of general questions it answers."""
    chatter = [r for r in rows if not r["answer"]]
    questions = [r for r in rows if r["answer"]]

    def answered(selected) -> float:
        hits = sum(engine.ask(r["q"], addressed=False).kind in ANSWER_KINDS for r in selected)
        return hits / len(selected) if selected else 0.0

    return {"chatter_answered": answered(chatter), "questions_answered": answered(questions)}
