"""Small classifiers trained from the examples: the kind of question, the attribute and the pick.

The models are multinomial naive Bayes classifiers: one pass over the examples trains them, which keeps
start-up training within a few hundred milliseconds in pure Python, and bench/run.py compares them with the
alternative (an averaged perceptron) by cross-validation. They are trained when the knowledge loads, from the
examples file alone: adding a phrasing is a data edit.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter

from .features import features
from .phrases import Evidence


def softmax(classes: tuple[str, ...], scores: list[float], temperature: float) -> dict[str, float]:
    """Scores -> probabilities, softened by the temperature (a larger one is less sure)."""
    top = max(scores)
    exps = [math.exp((s - top) / temperature) for s in scores]
    z = sum(exps)
    return {c: e / z for c, e in zip(classes, exps, strict=True)}


class NaiveBayes:
    """Multinomial naive Bayes over weighted features; probabilities softened by a temperature.

    Training only counts. A known feature's log-probabilities are worked out the first time a message has it
    and kept, so training costs one pass over the examples and answering costs a few dictionary lookups. A
    feature the model never saw is not kept: every message brings new words, so keeping them would grow
    memory with all the bot ever reads, and what is kept stays bounded by what the model knows."""

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
        self._weights: dict[str, tuple[tuple[int, float], ...]] = {}  # known features only

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
        frozen = {f: tuple(row) for f, row in counts.items()}
        return cls(classes, prior, frozen, tuple(totals), alpha, temperature)

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
        base = math.log(self.alpha)
        c = self.counts.get(feature)
        if c is not None:
            pairs = tuple((j, math.log(x + self.alpha) - base) for j, x in enumerate(c) if x)
        else:
            i = self._index.get(feature)
            if i is None:
                return None  # unknown: not kept (see the class docstring)
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
    kind: NaiveBayes | Perceptron | None
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


def best(model: NaiveBayes, feats: dict[str, float]) -> tuple[str, float]:
    """The model's most likely class and its probability."""
    return max(model.probabilities(feats).items(), key=lambda kv: kv[1])
