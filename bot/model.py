"""The learned part of understanding: features of a message, and small models trained from the examples.

A message becomes weighted features: its words and word pairs (a word in the sentence that asks counts more
than one in the context around it), words under a negation, character pairs of Chinese, Japanese and Korean
words, and the evidence the rules found (how many topics, which cue phrases, a question mark). Topic names
become placeholders, so "what is ecr" and "what is fargate" teach the same thing about definitions.

The models are multinomial naive Bayes classifiers: one pass over the examples trains them, which keeps
start-up training within a few hundred milliseconds in pure Python, and bench/run.py compares them with the
alternatives by cross-validation. They are trained when the knowledge loads, from the examples file alone:
adding a phrasing is a data edit.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable

from .evidence import NEGATORS, Evidence

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


def softmax(classes: tuple[str, ...], scores: list[float], temperature: float) -> dict[str, float]:
    """Scores -> probabilities, softened by the temperature (a larger one is less sure)."""
    top = max(scores)
    exps = [math.exp((s - top) / temperature) for s in scores]
    z = sum(exps)
    return {c: e / z for c, e in zip(classes, exps, strict=True)}


def _bucket(n: int) -> str:
    return "1-3" if n <= 3 else "4-8" if n <= 8 else "9-20" if n <= 20 else "21+"


class NaiveBayes:
    """Multinomial naive Bayes over weighted features; probabilities softened by a temperature.

    Training only counts. A feature's log-probabilities are worked out the first time a message has it and
    kept, so training costs one pass over the examples and answering costs a few dictionary lookups."""

    def __init__(
        self,
        classes: tuple[str, ...],
        prior: tuple[float, ...],
        counts: dict[str, tuple[float, ...]],
        totals: tuple[float, ...],
        alpha: float = 0.3,
        temperature: float = 1.0,
        size: int | None = None,
    ):
        self.classes, self.prior, self.counts, self.alpha, self.temperature = (
            classes,
            prior,
            counts,
            alpha,
            temperature,
        )
        self._index: dict[str, int] = {}  # a restored model's features, read out of _flat when first used
        self._offsets = array("l")
        self._flat = array("d")
        self._totals = totals
        size = (len(counts) if size is None else size) or 1
        self._denominators = tuple(math.log(t + alpha * size) for t in totals)
        self._weights: dict[str, tuple[tuple[int, float], ...] | None] = {}

    @classmethod
    def train(
        cls, rows: list[tuple[dict[str, float], str]], alpha: float = 0.3, temperature: float = 1.0
    ) -> NaiveBayes:
        classes = tuple(sorted({label for _, label in rows}))
        index = {c: i for i, c in enumerate(classes)}
        k = len(classes)
        counts: dict[str, list[float]] = {}
        totals = [0.0] * k
        docs = Counter(label for _, label in rows)
        for feats, label in rows:
            j = index[label]
            for f, x in feats.items():
                row = counts.get(f)
                if row is None:
                    row = counts[f] = [0.0] * k
                row[j] += x
                totals[j] += x
        n = len(rows)
        prior = tuple(math.log(docs[c] / n) for c in classes)
        return cls(classes, prior, counts, tuple(totals), alpha, temperature)

    def state(self) -> dict:
        """Plain data to rebuild the model from, compact enough to load in a millisecond: the features in
        one string, and their non-zero counts as (class, count) pairs in one array of doubles."""
        features = list(self.counts)
        flat = array("d")
        offsets = array("l")
        for f in features:
            offsets.append(len(flat))
            for j, x in enumerate(self.counts[f]):
                if x:
                    flat.extend((j, x))
        offsets.append(len(flat))
        return {
            "classes": list(self.classes),
            "prior": list(self.prior),
            "features": "\n".join(features),
            "offsets": offsets.tobytes(),
            "counts": flat.tobytes(),
            "totals": list(self._totals),
            "alpha": self.alpha,
        }

    @classmethod
    def restore(cls, state: dict, temperature: float = 1.0) -> NaiveBayes:
        """From state(): a feature's counts are read out of the array the first time a message has it."""
        features = state["features"].split("\n") if state["features"] else []
        model = cls(
            tuple(state["classes"]),
            tuple(state["prior"]),
            {},
            tuple(state["totals"]),
            state["alpha"],
            temperature,
            size=len(features),
        )
        model._index = dict(zip(features, range(len(features)), strict=True))
        model._offsets = array("l")
        model._offsets.frombytes(state["offsets"])
        model._flat = array("d")
        model._flat.frombytes(state["counts"])
        return model

    def weight(self, feature: str) -> tuple[tuple[int, float], ...] | None:
        """A feature's evidence for the classes it was seen with: (class, log(count + alpha) - log alpha)
        pairs (None for a feature never seen). Every other class has 0 here; what all classes share is added
        once per message in scores(), so a message costs the non-zero counts, not features x classes."""
        try:
            return self._weights[feature]
        except KeyError:
            pass
        pairs: tuple[tuple[int, float], ...] | None = None
        base = math.log(self.alpha)
        c = self.counts.get(feature)
        if c is not None:
            pairs = tuple((j, math.log(x + self.alpha) - base) for j, x in enumerate(c) if x)
        else:
            i = self._index.get(feature)
            if i is not None:
                flat = self._flat
                pairs = tuple(
                    (int(flat[at]), math.log(flat[at + 1] + self.alpha) - base)
                    for at in range(self._offsets[i], self._offsets[i + 1], 2)
                )
        self._weights[feature] = pairs
        return pairs

    def scores(self, feats: dict[str, float]) -> list[float]:
        """Log prior + sum of x * log P(feature | class) over the features the model knows."""
        total = list(self.prior)
        known = 0.0
        cached, weight = self._weights, self.weight
        for f, x in feats.items():
            pairs = cached[f] if f in cached else weight(f)
            if pairs is not None:
                known += x
                for j, v in pairs:
                    total[j] += x * v
        if known:
            base = math.log(self.alpha)
            for j, d in enumerate(self._denominators):
                total[j] += known * (base - d)
        return total

    def probabilities(self, feats: dict[str, float]) -> dict[str, float]:
        return softmax(self.classes, self.scores(feats), self.temperature)


# ------------------------------------------------------------------------------------------------ training

NAME_MIN_COUNT = 2  # a descriptive name must label its topic in at least this many examples
NAME_PRECISION = 0.6  # ... and in this share of the examples it appears in
NAME_MAX_WORDS = 3


def learn_names(
    rows: list[tuple[tuple[str, ...], set[str], set[str]]],
    stop: frozenset[str],
    names: frozenset[str] = frozenset(),
    edge: frozenset[str] | None = None,
) -> list[tuple[tuple[str, ...], str]]:
    """Descriptive names of topics: word runs that, in examples labelled with a topic the rules did not
    find by name, stand for that topic ("aws's in-house orchestrator" -> ecs, "where aws keeps" -> ecr).

    rows: (canonical words, labelled topics, topics found by name) per example; names: the words of the
    topics' own names, which a learned name may not contain."""
    edge = stop if edge is None else edge
    with_topic: Counter = Counter()
    seen: Counter = Counter()
    for words, labelled, named in rows:
        grams = set()
        for size in range(1, NAME_MAX_WORDS + 1):
            for i in range(len(words) - size + 1):
                gram = words[i : i + size]
                if gram[0] in edge or gram[-1] in edge or all(w in stop for w in gram):
                    continue  # a name neither starts nor ends with a function word, nor is only filler
                if any(w in names for w in gram):
                    continue  # a run with a topic's own name in it ("ecs feature") would steal that name
                grams.add(gram)
        for gram in grams:
            seen[gram] += 1
            for topic in labelled - named:
                with_topic[gram, topic] += 1
    found = []
    owners = Counter(gram for (gram, _), count in with_topic.items() if count >= NAME_MIN_COUNT)
    for (gram, topic), count in with_topic.items():
        # a name stands for one topic: a run that goes with several ("simpler") describes, it does not name
        least = NAME_MIN_COUNT + (1 if len(gram) == 1 else 0)  # one word alone must prove itself more often
        if count >= least and count / seen[gram] >= NAME_PRECISION and owners[gram] == 1:
            found.append((gram, topic))
    # keep the longest runs: a shorter run inside a longer one of the same topic adds nothing
    found.sort(key=lambda gt: (-len(gt[0]), gt))
    kept: list[tuple[tuple[str, ...], str]] = []
    for gram, topic in found:
        text = " " + " ".join(gram) + " "
        if not any(t == topic and text in " " + " ".join(g) + " " for g, t in kept):
            kept.append((gram, topic))
    return kept


def train(
    examples: list,
    evidences: list[Evidence],
    categories: dict[str, str],
    services: tuple[str, ...],
    alpha: float = 0.3,
    temperature: float = 1.0,
    kind_model: str = "naive_bayes",
):
    """The kind, attribute and pick models, from examples and the evidence found in each. ``kind_model``:
    naive_bayes (shipped) or perceptron (the alternative bench/run.py compares it with)."""
    rows = [(features(ev, categories, services), ex) for ex, ev in zip(examples, evidences, strict=True)]
    kind_rows = [(f, ex.kind) for f, ex in rows]
    if not rows:
        kind = None
    elif kind_model == "perceptron":
        kind = Perceptron.train(kind_rows, temperature=temperature)
    else:
        kind = NaiveBayes.train(kind_rows, alpha, temperature)
    attr_rows = [(f, ex.attribute or "-") for f, ex in rows if ex.kind in ("attribute", "comparison")]
    attribute = (
        NaiveBayes.train(attr_rows, alpha, temperature) if len({a for _, a in attr_rows}) > 1 else None
    )
    if attribute is not None:
        # some attributes are asked about far more often in the examples; that should not make them likelier
        attribute.prior = tuple(0.0 for _ in attribute.prior)
    pick_rows = [(f, ex.pick or "-") for f, ex in rows if ex.kind == "recommendation"]
    pick = NaiveBayes.train(pick_rows, alpha, temperature) if len({p for _, p in pick_rows}) > 1 else None
    return kind, attribute, pick


CUE_MIN_COUNT = 3  # a situation cue must carry its value in at least this many examples
CUE_PRECISION = 0.8  # ... and in this share of the recommendation examples it appears in


def learn_cues(
    rows: list[tuple[tuple[str, ...], tuple[int, ...], dict[str, str]]],
    stop: frozenset[str],
    names: frozenset[str] = frozenset(),
) -> list[tuple[tuple[str, ...], str]]:
    """Situation cues: word runs that, in recommendation examples, go with one criterion's value
    ("nobody here knows k8s" -> team_k8s=no, "set and forget" -> simplicity=yes).

    rows: (canonical words, clause of each word, situation labels) per recommendation example. A run under a
    negation ("we don't run k8s") is not counted: the finder flips a cue it finds negated."""
    labelled: Counter = Counter()
    seen: Counter = Counter()
    for words, clauses, situation in rows:
        grams = set()
        for size in range(1, NAME_MAX_WORDS + 1):
            for i in range(len(words) - size + 1):
                gram = words[i : i + size]
                if gram[0] in stop or gram[-1] in stop or any(w.isdigit() or w in names for w in gram):
                    continue  # "upgrades ecs" (from "... upgrades, ecs or eks?") says nothing of the team
                if _under_negation(words, clauses, i) and not any(w in NEGATORS for w in gram):
                    continue
                grams.add(gram)
        for gram in grams:
            seen[gram] += 1
            for criterion, value in situation.items():
                labelled[gram, f"{criterion}={value}"] += 1
    found = [
        (gram, target)
        for (gram, target), count in labelled.items()
        if count >= CUE_MIN_COUNT and count / seen[gram] >= CUE_PRECISION
    ]
    found.sort(key=lambda gt: (-len(gt[0]), gt))
    kept: list[tuple[tuple[str, ...], str]] = []
    for gram, target in found:
        text = " " + " ".join(gram) + " "
        if not any(t == target and text in " " + " ".join(g) + " " for g, t in kept):
            kept.append((gram, target))
    return kept


def _under_negation(words: tuple[str, ...], clauses: tuple[int, ...], start: int) -> bool:
    return any(
        words[j] in NEGATORS and clauses[j] == clauses[start]
        for j in range(max(0, start - NEGATION_REACH), start)
    )


class Perceptron:
    """Averaged multi-class perceptron over the same features: more accurate than naive Bayes by
    cross-validation, but each epoch costs a pass over the examples (bench/run.py gives the figures)."""

    def __init__(
        self, classes: tuple[str, ...], weights: dict[str, tuple[float, ...]], temperature: float = 1.0
    ):
        self.classes, self.weights, self.temperature = classes, weights, temperature

    @classmethod
    def train(
        cls, rows: list[tuple[dict[str, float], str]], epochs: int = 5, temperature: float = 1.0
    ) -> Perceptron:
        import random

        classes = tuple(sorted({label for _, label in rows}))
        index = {c: i for i, c in enumerate(classes)}
        k = len(classes)
        w: dict[str, list[float]] = {}
        total: dict[str, list[float]] = {}  # sum over steps, for the average
        stamp: dict[str, list[int]] = {}
        order = list(rows)
        random.Random(0).shuffle(order)
        step = 1
        for _ in range(epochs):
            for feats, label in order:
                scores = [0.0] * k
                for f, x in feats.items():
                    row = w.get(f)
                    if row is not None:
                        for j in range(k):
                            scores[j] += x * row[j]
                guess = max(range(k), key=scores.__getitem__)
                truth = index[label]
                if guess != truth:
                    for f, x in feats.items():
                        row = w.get(f)
                        if row is None:
                            row, acc, when = w[f], total[f], stamp[f] = [0.0] * k, [0.0] * k, [0] * k
                        else:
                            acc, when = total[f], stamp[f]
                        for j in (truth, guess):
                            acc[j] += (step - when[j]) * row[j]
                            when[j] = step
                        row[truth] += x
                        row[guess] -= x
                step += 1
        averaged = {}
        for f, row in w.items():
            acc, when = total[f], stamp[f]
            averaged[f] = tuple((acc[j] + (step - when[j]) * row[j]) / step for j in range(k))
        return cls(classes, averaged, temperature)

    def scores(self, feats: dict[str, float]) -> list[float]:
        k = len(self.classes)
        total = [0.0] * k
        get = self.weights.get
        for f, x in feats.items():
            row = get(f)
            if row is not None:
                for j in range(k):
                    total[j] += x * row[j]
        return total

    def probabilities(self, feats: dict[str, float]) -> dict[str, float]:
        return softmax(self.classes, self.scores(feats), self.temperature)
