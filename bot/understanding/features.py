"""A message as weighted features, for the models to weigh.

Its words and word pairs (a word in the sentence that asks counts more than one in the context around it),
words under a negation, character pairs of Chinese, Japanese and Korean words, and the evidence the rules
found (how many topics, which cue phrases, a question mark). Topic names become placeholders, so "what is
ecr" and "what is fargate" teach the same thing about definitions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from .phrases import NEGATORS, Evidence

NEGATION_REACH = 4  # words after a negator that read as negated ("nobody here knows k8s")
PLACEHOLDER = {"orchestrator": "<svc>", "registry": "<registry>"}
OTHER_TOPIC = "<topic>"


def _cjk(token: str) -> bool:
    return not token.isascii() and any("\u3040" <= ch <= "\ud7af" for ch in token)


def features(ev: Evidence, categories: dict[str, str], services: Iterable[str] = ()) -> dict[str, float]:
    """Weighted features of one message, from its evidence."""
    norm = ev.norm
    n = len(norm.tokens)
    weights = norm.weights or (1.0,) * n
    clauses = norm.clauses or (0,) * n
    out: dict[str, float] = defaultdict(float)
    spans = {h.start: h for h in ev.topic_hits}
    seq: list[tuple[str, float, int]] = []
    i = 0
    while i < n:
        hit = spans.get(i)
        if hit is not None:
            topic = hit.phrase.target
            weight = max(weights[hit.start : hit.end])
            seq.append((PLACEHOLDER.get(categories.get(topic, ""), OTHER_TOPIC), weight, clauses[i]))
            i = hit.end
            continue
        seq.append((ev.canon[i][0], weights[i], clauses[i]))
        i += 1
    negated_until, negated_clause = -1, -1
    previous: tuple[str, float, int] | None = None
    for pos, (word, weight, clause) in enumerate(seq):
        out["w:" + word] += weight
        if pos <= negated_until and clause == negated_clause:
            out["n:" + word] += weight
        if word in NEGATORS:
            negated_until, negated_clause = pos + NEGATION_REACH, clause
        if previous is not None and previous[2] == clause:
            out["b:" + previous[0] + "|" + word] += min(weight, previous[1])
        if _cjk(word):
            for a, b in zip(word, word[1:], strict=False):
                out["c:" + a + b] += weight
        previous = (word, weight, clause)
    # A word said forty times is not forty times the evidence: counts grow with the logarithm.
    for f, x in out.items():
        if x > 1.0:
            out[f] = 1.0 + math.log(x)
    # The evidence the rules found, once each.
    named = len(ev.topics)
    service_set = set(services)
    out[f"e:topics={min(named, 3)}"] = 1.0
    out[f"e:services={sum(t in service_set for t in ev.topics)}"] = 1.0
    for topic in ev.topics:
        out["e:cat=" + categories.get(topic, "")] = 1.0
    for hit in ev.attr_hits:
        out["e:attr=" + hit.phrase.target] = 1.0
    if ev.attr_hits:
        out["e:attr"] = 1.0
    for intent in ev.intents:
        out["e:intent=" + intent] = 1.0
    for hit in ev.exclusions:
        out["e:foreign=" + hit.phrase.target] = 1.0
    for criterion, value in ev.situation.items():
        out[f"e:crit={criterion}={value}"] = 1.0
    out[f"e:criteria={min(len(ev.situation), 3)}"] = 1.0
    out["e:question" if norm.question else "e:statement"] = 1.0
    out[f"e:length={_bucket(n)}"] = 1.0
    if norm.script:
        out["e:script=" + norm.script] = 1.0
    top = max(weights, default=1.0)
    first = next((w for w, weight, _ in seq if weight >= top), None)
    if first is not None:
        out["e:first=" + first] = 1.0
    return dict(out)


def _bucket(n: int) -> str:
    return "1-3" if n <= 3 else "4-8" if n <= 8 else "9-20" if n <= 20 else "21+"
