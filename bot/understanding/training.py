"""Training: everything the matcher learns from the examples, or restores from the model cache.

Descriptive names and situation cues are mined first, then the kind, attribute and pick models are trained
over the features of each example. What was learned is plain data (`state()`), which the cache keeps between
starts, keyed by the knowledge and examples files and by the source of the modules that learn.
"""

from __future__ import annotations

import time
from collections import Counter

from ..knowledge.examples import Example
from ..knowledge.model import Knowledge
from . import cache as model_cache
from .classifiers import NaiveBayes, train
from .mining import learn_cues, learn_names
from .normalise import Rewriter, normalise
from .phrases import Finder, Phrase, make_phrases
from .retrieval import ClaimIndex

STATE_FORMAT = 6  # bump when what _learn returns changes shape: older cached states are then ignored
NAMING_KINDS = ("definition", "comparison", "attribute")  # kinds whose labelled topics are what they name


class Learned:
    """What is learned from one knowledge file's examples, trained once when the matcher is built (or restored
    from the cache); the matcher's policy (policy.py) reads messages with it."""

    def __init__(
        self,
        knowledge: Knowledge,
        threshold: float | None = None,
        examples: list[Example] | None = None,
        cache: bool = True,
        kind_model: str = "naive_bayes",
    ):
        """``examples``: train on these instead of the knowledge's own (cross-validation); ``cache``: reuse
        what an earlier start learned from the very same knowledge and examples files; ``kind_model``: the
        classifier of kinds (naive_bayes, or perceptron for comparison in the benchmark; never cached)."""
        self.kind_algorithm = kind_model
        self.knowledge = knowledge
        self.threshold = knowledge.settings.threshold if threshold is None else threshold
        self.services = knowledge.services
        self.categories = {t.id: t.category for t in knowledge.topics.values()}
        use_cache = cache and examples is None and bool(knowledge.checksum) and kind_model == "naive_bayes"
        key = model_cache.key_for(knowledge.checksum)
        state = model_cache.load(key) if use_cache else None
        self.training_seconds = 0.0
        if state is not None:
            try:
                self._restore(state)
                return
            except (KeyError, TypeError, ValueError, IndexError):
                pass  # a cached state of another shape: learn again and replace it
        started = time.perf_counter()
        self.base = make_phrases(knowledge)
        self._learn(list(knowledge.examples.items if examples is None else examples))
        self.training_seconds = time.perf_counter() - started
        if use_cache:
            model_cache.save(key, self._state())

    def _lexicon(self) -> dict[str, list[str]]:
        return {
            phrase: [english, language.id]
            for language in self.knowledge.examples.languages
            for phrase, english in language.phrases.items()
        }

    def _learn(self, items: list[Example]) -> None:
        """Learn everything from the examples: descriptive names, situation cues and the models."""
        k = self.knowledge
        lexicon = self._lexicon()
        rewrite = Rewriter(
            {p: e for p, (e, _) in lexicon.items()}, {p: lang for p, (_, lang) in lexicon.items()}
        )
        norms = [normalise(ex.text, rewrite) for ex in items]
        # Words of two or more examples: a typo made once ("contianer") is read as the word it stands for.
        seen = Counter(t for n in norms for t in set(n.tokens) if t.isascii() and not t.isdigit())
        vocabulary = sorted(t for t, count in seen.items() if count >= 2)
        # First the topics by name alone (what learning names and cues needs), then everything, once.
        first = Finder(k, self.base, vocabulary, only=("topic", "exclusion"))
        evidences = [first.find(n) for n in norms]
        stop = k.filler | _NAME_STOP
        # the one-word names of products ("ecs", "fargate"); concept words ("kubernetes") may describe
        product_names = frozenset(
            p.tokens[0]
            for p in self.base
            if p.kind == "topic" and len(p.tokens) == 1 and k.topics[p.target].category != "concept"
        )
        names = learn_names(
            [
                # a recommendation's topics are the services, named or not: other kinds only show where a
                # run of words appears without naming anything
                (
                    tuple(c[0] for c in ev.canon),
                    set(ex.topics) if ex.kind in NAMING_KINDS else set(),
                    set(ev.topics),
                )
                for ex, ev in zip(items, evidences, strict=True)
            ],
            stop,
            product_names,
            edge=_NAME_STOP,
        )
        cues = learn_cues(
            [
                (tuple(c[0] for c in ev.canon), ev.norm.clauses, dict(ex.situation))
                for ex, ev in zip(items, evidences, strict=True)
                if ex.kind == "recommendation"
            ],
            stop,
            product_names,
            subjects=_subjects(k, stop),
        )
        # what the knowledge already says in so many words need not be learned again
        known = {(p.tokens, p.target) for p in self.base}
        names = [(w, t) for w, t in names if (tuple(w), t) not in known]
        cues = [(w, t) for w, t in cues if (tuple(w), t) not in known]
        finder = Finder(k, self.base + learned_phrases(names, cues), vocabulary, words_of=first)
        evidences = [finder.find(n) for n in norms]
        self.kind_model, self.attribute_model, self.pick_model = train(
            items,
            evidences,
            self.categories,
            self.services,
            temperature=k.settings.temperature,
            kind_model=self.kind_algorithm,
        )
        self.rewrite, self.finder, self.phrases = rewrite, finder, finder.phrases
        self.vocabulary, self.names, self.cues = vocabulary, names, cues
        self.language_names = {lang.id: lang.name for lang in k.examples.languages}
        attribute_words = {a.id: " ".join([a.name, *a.cues[:3]]) for a in k.attributes.values()}
        self.claims = ClaimIndex.build(k.answerable, self.words, attribute_words)

    def _state(self) -> dict:
        """What was learned, as plain data (what the cache keeps)."""
        models = {"kind": self.kind_model, "attribute": self.attribute_model, "pick": self.pick_model}
        return {
            "format": STATE_FORMAT,
            "phrases": [[p.kind, p.target, p.text, list(p.tokens), p.gap, p.weak] for p in self.base],
            "rewriter": self.rewrite.state(),
            "languages": self.language_names,
            "vocabulary": self.vocabulary,
            "names": [[list(words), topic] for words, topic in self.names],
            "cues": [[list(words), target] for words, target in self.cues],
            "models": {name: model.state() if model else None for name, model in models.items()},
            "claims": self.claims.state(),
        }

    def _restore(self, state: dict) -> None:
        if state.get("format") != STATE_FORMAT:
            raise ValueError("a state of another format")
        k = self.knowledge
        self.base = [
            Phrase(kind, target, text, tuple(tokens), gap, weak)
            for kind, target, text, tokens, gap, weak in state["phrases"]
        ]
        self.rewrite = Rewriter.restore(state["rewriter"])
        self.language_names = dict(state["languages"])
        self.names = [(tuple(words), topic) for words, topic in state["names"]]
        self.cues = [(tuple(words), target) for words, target in state["cues"]]
        self.vocabulary = list(state["vocabulary"])
        self.finder = Finder(k, self.base + learned_phrases(self.names, self.cues), self.vocabulary)
        self.phrases = self.finder.phrases
        temperature = k.settings.temperature
        models = {
            name: NaiveBayes.restore(m, temperature) if m else None for name, m in state["models"].items()
        }
        self.kind_model, self.attribute_model, self.pick_model = (
            models["kind"],
            models["attribute"],
            models["pick"],
        )
        self.claims = ClaimIndex.restore(state["claims"])

    def words(self, text: str) -> tuple[list[str], set[str]]:
        """A text's words as the matcher reads them (normalised, typos mended) and the attributes its cues
        name."""
        ev = self.finder.find(normalise(text, self.rewrite))
        words = [
            word if score > 0 else token
            for token, (word, score) in zip(ev.norm.tokens, ev.canon, strict=True)
        ]
        return words, {hit.phrase.target for hit in ev.attr_hits}


def learned_phrases(names, cues) -> list[Phrase]:
    """The names and cues mined from the examples, as phrases the finder looks for."""
    return [Phrase("topic", topic, " ".join(words), tuple(words), learned=True) for words, topic in names] + [
        Phrase("criterion", target, " ".join(words), tuple(words), learned=True) for words, target in cues
    ]


_WEIGHING = frozenset(("vs", "versus", "v", "or", "against"))  # words that set one product against another
_NAME_STOP = frozenset(
    "what whats is are the a an of for to in on and or vs it its this that which who how why does do can "
    "should would we our my i you your they thing stuff one ones where when feature option mode tool way "
    "per like with without".split()
)


def _subjects(k: Knowledge, stop: frozenset[str]) -> dict[str, frozenset[str]]:
    """Per criterion, the words a learned cue of it must name: its `subject` where the knowledge names one,
    else the words of its written cues (less filler)."""
    out = {}
    for criterion in k.criteria:
        words = set(criterion.subject) or {
            w for o in criterion.options for cue in o.cues for w in cue.split()
        }
        out[criterion.id] = frozenset(w.lower() for w in words if w.lower() not in stop)
    return out
