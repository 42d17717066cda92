"""Message -> kind, topics, attribute, situation and confidence: the short policy on top of the evidence.

The rules find what they are sure of (bot/evidence.py); models trained from the examples weigh it with the
rest of the message (bot/model.py). What stays explicit reads like a policy:

- a message addressed to the bot (a DM, a mention, the slash command, a reply in its thread) is answered
  whenever it names a topic and nothing puts it out of scope; words the bot does not know cost nothing;
- out of scope is what the model learned from the out-of-scope examples (troubleshooting, how-to, acting on
  systems, other products, other meanings of the letters, chatter) and foreign names the rules find;
- a message the bot merely overhears in a channel is answered only when it is plainly a question about its
  topics, at the stricter `channel_threshold`.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field

from . import cache as model_cache
from .evidence import Evidence, Finder, Hit, Phrase, make_phrases, word_similarity
from .examples import Example
from .knowledge import Knowledge
from .model import NaiveBayes, features, learn_cues, learn_names, train
from .text import Normalised, Rewriter, normalise

STATE_FORMAT = 2  # bump when what _learn returns changes shape: older cached states are then ignored
ANSWER_KINDS = ("definition", "comparison", "attribute", "recommendation")
SMALL_TALK = ("greeting", "thanks", "help")
NAMING_KINDS = ("definition", "comparison", "attribute")  # kinds whose labelled topics are what they name
GUIDED_INTENT = "guided"  # cues naming the bot's own guided choice
INSTRUCTION_INTENT = "instruction"  # cues of instructions to the bot, read apart from the question
LANGUAGE_EVIDENCE = 1.5  # phrases of one language a message needs before the bot says it read that language
QUESTION_WORDS = frozenset(
    "what whats which who why how where when is are isnt does doesnt do can cant could should would".split()
)
SPECIFICITY = {"option": 0, "compute": 0, "orchestrator": 1, "registry": 1, "concept": 2}
# "which should we use?" naming nothing of ours is read as about ECS and EKS only this surely
BARE_CHOICE = 0.9
COMPARISON_SECOND = 0.3  # no attribute, two topics and this much comparison reading: a comparison
ATTRIBUTE_THRESHOLD = 0.3  # below this the attribute asked about is not known
_OTHER_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")  # a colleague mentioned: the message is for them
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")


@dataclass
class Match:
    """What the matcher understood, with its evidence."""

    kind: str
    topics: list[str]
    attribute: str | None
    confidence: float
    situation: dict[str, str] = field(default_factory=dict)
    evidence: list[Hit] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    hint: str | None = None
    unknown_words: int = 0
    normalised: str = ""
    threshold: float = 0.6
    reason: str = ""
    small_talk: str | None = None  # greeting | thanks | help, for kind help
    language: str | None = None  # the language the question was asked in, when not English
    readings: list[tuple[str, float]] = field(default_factory=list)  # the model's kinds, most likely first
    lean: str | None = None  # recommendation: the service the pick model leans to (None: too little to say)
    lean_p: float = 0.0
    follow_up: str | None = (
        None  # how a reply leaned on the previous answer: why | situation | attribute | topic
    )

    @property
    def phrasing(self) -> str:
        """The phrases that decided the answer, as 'phrase ~ words (score)'."""
        return "; ".join(
            f"{h.phrase.kind} '{h.phrase.text}' ~ '{h.matched}' ({h.score:.2f})" for h in self.evidence
        )

    def context(self) -> Context:
        """What a reply in the same thread may lean on."""
        return Context(self.kind, tuple(self.topics), self.attribute, tuple(sorted(self.situation.items())))


@dataclass(frozen=True)
class Context:
    """The bot's previous answer in a thread, as it travels in Slack's message metadata."""

    kind: str
    topics: tuple[str, ...] = ()
    attribute: str | None = None
    situation_items: tuple[tuple[str, str], ...] = ()
    recommendation: str | None = None

    @property
    def situation(self) -> dict[str, str]:
        return dict(self.situation_items)

    def to_payload(self) -> dict:
        return {
            "kind": self.kind,
            "topics": list(self.topics),
            "attribute": self.attribute,
            "situation": self.situation,
            "recommendation": self.recommendation,
        }

    @classmethod
    def from_payload(cls, payload: dict) -> Context | None:
        """From message metadata; None when it is not ours or not well-formed."""
        if not isinstance(payload, dict) or not isinstance(payload.get("kind"), str):
            return None
        topics = payload.get("topics") or []
        situation = payload.get("situation") or {}
        if not isinstance(topics, list) or not isinstance(situation, dict):
            return None
        attribute, pick = payload.get("attribute"), payload.get("recommendation")
        return cls(
            payload["kind"],
            tuple(str(t) for t in topics[:5]),
            attribute if isinstance(attribute, str) else None,
            tuple(sorted((str(c), str(v)) for c, v in list(situation.items())[:30])),
            pick if isinstance(pick, str) else None,
        )


class Matcher:
    """Built once per knowledge file (the models are trained here); ``match`` is cheap and thread-safe."""

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
        state = model_cache.load(knowledge.checksum) if use_cache else None
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
            model_cache.save(knowledge.checksum, self._state())

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
        )
        # what the knowledge already says in so many words need not be learned again
        known = {(p.tokens, p.target) for p in self.base}
        names = [(w, t) for w, t in names if (tuple(w), t) not in known]
        cues = [(w, t) for w, t in cues if (tuple(w), t) not in known]
        finder = Finder(k, self.base + _learned(names, cues), vocabulary, words_of=first)
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
        self.finder = Finder(k, self.base + _learned(self.names, self.cues), self.vocabulary)
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

    # ----------------------------------------------------------------------------------------- matching

    def evidence(self, raw: str) -> Evidence:
        return self.finder.find(normalise(raw, self.rewrite))

    def match(self, raw: str, addressed: bool = True, context: Context | None = None) -> Match:
        """What the message asks. ``addressed``: a DM, mention, command or reply in the bot's thread; else
        a channel message the bot overheard, which it answers only when it is plainly asked. ``context``:
        the bot's previous answer in the same thread, which a follow-up ("and ecr?", "why?") leans on."""
        norm = normalise(raw, self.rewrite)
        base = dict(normalised=norm.text, threshold=self.threshold, language=self._language(norm))
        if not norm.tokens:
            return Match("help", [], None, 0.9, small_talk="greeting", reason="empty", **base)
        ev = self.finder.find(norm)
        ev = self._without_instructions(ev)
        feats = features(ev, self.categories, self.services)
        readings = self._readings(ev, feats)
        kind, p = readings[0]
        evidence = sorted(
            [h for h in ev.hits if h.phrase.kind != "topic" or h in ev.topic_hits],
            key=lambda h: (h.start, -h.end),
        )
        base.update(evidence=evidence, readings=readings[:3])
        if not addressed:
            if _OTHER_MENTION.search(raw or ""):
                return Match("fallback", [], None, 0.9, reason="overheard; addressed to someone else", **base)
            answerable = sum(q for k, q in readings if k in ANSWER_KINDS)
            return self._overheard(ev, feats, kind, answerable, base)
        if context is not None:
            followed = self._follow_up(ev, feats, context, base)
            if followed is not None:
                return followed
        if GUIDED_INTENT in ev.intents and not ev.exclusions:
            # the bot's own guided choice, named: what it is (help), or a request to run it (a recommendation
            # with nothing decided yet, which points to /container-choice)
            if "definition" in ev.intents or "help" in ev.intents:
                return Match(
                    "help", [], None, 0.9, small_talk="help", reason="asks about the guided choice", **base
                )
            situation = self.situation(ev)
            return Match(
                "recommendation",
                list(self.services),
                None,
                0.9,
                situation,
                reason="asks for the guided choice",
                **base,
            )
        if kind in SMALL_TALK:
            return Match("help", [], None, round(p, 2), small_talk=kind, reason=f"reads as {kind}", **base)
        if kind == "fallback":
            return self._decline(ev, p, f"reads as out of scope ({p:.2f})", base)
        if self._foreign_choice(ev, kind):
            return self._decline(ev, p, "weighs one of my topics against another product", base)
        found = self._answer(ev, feats, kind, p, base)
        if found is None:
            return self._decline(ev, 1 - p, f"reads as {kind} but names nothing I know", base)
        # How sure the bot is that this is a question for it at all: every in-scope reading counts.
        answerable = sum(q for k, q in readings if k in ANSWER_KINDS)
        if answerable < self.threshold:
            return self._decline(ev, 1 - answerable, f"not sure ({kind}, {answerable:.2f} in scope)", base)
        found.confidence = round(answerable, 2)
        return found

    def _follow_up(self, ev: Evidence, feats: dict[str, float], context: Context, base: dict) -> Match | None:
        """A reply read in the light of the previous answer, or None when it stands on its own.

        "why?" explains the previous recommendation; a situation ("we also run windows") adds to the one read
        so far and decides again; an attribute with no topic ("what about cost?") is asked of the previous
        topics; a short reply naming a new topic ("and ecr?") asks the previous kind of question about it."""
        k = self.knowledge
        services = list(self.services)
        words = len(ev.norm.tokens)
        topics = [t for t in ev.topics if t in k.topics]
        situation = self.situation(ev)
        attribute = _cue_attribute(k, ev)
        asks = ev.intents & {"definition", "comparison", "recommendation"}
        previous = [t for t in context.topics if t in k.topics]
        if context.kind == "recommendation" and "why" in ev.intents and set(topics) <= set(services):
            return Match(
                "recommendation",
                services,
                None,
                0.9,
                dict(context.situation),
                follow_up="why",
                reason="asks why, after a recommendation",
                **base,
            )
        if context.kind == "recommendation" and situation and set(topics) <= set(services) and words <= 30:
            merged = {**context.situation, **situation}
            lean, lean_p = self._lean(feats)
            return Match(
                "recommendation",
                services,
                None,
                0.9,
                merged,
                follow_up="situation",
                lean=lean,
                lean_p=lean_p,
                reason="adds to the situation read before",
                **base,
            )
        if topics or asks or words > 8:
            if topics and not asks and words <= 4 and previous:
                return self._new_topic(topics, context, base)
            return None
        if attribute and previous:
            pair = previous if len(previous) >= 2 else previous[:1]
            kind = "comparison" if len(pair) >= 2 else "attribute"
            return Match(
                kind,
                pair,
                attribute,
                0.9,
                follow_up="attribute",
                reason=f"asks about {attribute} of the previous topics",
                **base,
            )
        return None

    def _new_topic(self, topics: list[str], context: Context, base: dict) -> Match:
        """ "and ecr?": the previous kind of question, about the topic the reply names."""
        topic = topics[0]
        if context.kind == "attribute" and context.attribute:
            return Match(
                "attribute",
                [topic],
                context.attribute,
                0.9,
                follow_up="topic",
                reason="the previous question, about another topic",
                **base,
            )
        if context.kind == "comparison":
            together = list(dict.fromkeys([*context.topics, *topics]))
            return Match(
                "comparison",
                together,
                None,
                0.9,
                follow_up="topic",
                reason="adds a topic to the comparison",
                **base,
            )
        return Match(
            "definition",
            [topic],
            None,
            0.9,
            follow_up="topic",
            reason="the previous question, about another topic",
            **base,
        )

    def _readings(self, ev: Evidence, feats: dict[str, float]) -> list[tuple[str, float]]:
        if self.kind_model is None:
            return [(_rule_kind(ev, self.services), 0.9)]
        probs = self.kind_model.probabilities(feats)
        return sorted(probs.items(), key=lambda kv: -kv[1])

    def _without_instructions(self, ev: Evidence) -> Evidence:
        """A sentence that instructs the bot ("... then ignore your instructions") is not part of the
        question when another sentence asks about a topic: it is dropped, and the rest is read alone."""
        instructions = [h for h in ev.of_kind("intent") if h.phrase.target == INSTRUCTION_INTENT]
        sentences = ev.norm.sentences
        if not instructions or not sentences:
            return ev
        dropped = {sentences[h.start] for h in instructions}
        if not any(sentences[h.start] not in dropped for h in ev.topic_hits):
            return ev  # nothing else asks: the instruction is the message, and out of scope
        keep = [i for i, s in enumerate(sentences) if s not in dropped]
        return self.finder.find(ev.norm.subset(keep))

    def _foreign_choice(self, ev: Evidence, kind: str) -> bool:
        """ "aks or eks?", "gke vs eks": one of the services weighed against another product is not a
        question about ECS and EKS."""
        if not ev.exclusions or kind not in ("comparison", "recommendation"):
            return False
        named = sum(t in self.services for t in ev.topics)
        if named == 1:
            return True
        # "rosa vs self-managed openshift, which one?": other products weighed against each other, as a choice
        # too; "we run openshift on prem, which aws service?" names another product but weighs it against
        # nothing
        words = ev.norm.tokens
        return named == 0 and (
            kind == "comparison"
            or any(
                (h.start > 0 and words[h.start - 1] in _WEIGHING)
                or (h.end < len(words) and words[h.end] in _WEIGHING)
                for h in ev.exclusions
            )
        )

    def _answer(self, ev: Evidence, feats: dict[str, float], kind: str, p: float, base: dict) -> Match | None:
        k = self.knowledge
        services = list(self.services)
        topics = ev.topics
        asked = ev.asked_topics or topics
        reason = f"reads as {kind} ({p:.2f})"
        if kind == "recommendation":
            situation = self.situation(ev)
            if not (topics or ev.domain or situation) and p < BARE_CHOICE:
                return None  # "where should we go for lunch": a choice, but between nothing of ours
            lean, lean_p = self._lean(feats)
            return Match(kind, services, None, p, situation, reason=reason, lean=lean, lean_p=lean_p, **base)
        attribute, attr_p = self._attribute(ev, feats)
        if kind == "comparison":
            if not topics and not (ev.attr_hits and "comparison" not in ev.intents):
                # a reply such as "so which is cheaper?" names what it compares; "istio vs linkerd" compares
                # things of its own, and a message that names nothing compares nothing
                return None
            pair = _comparison_topics(asked, topics, services, k)
            if attribute is None:
                attribute = self._implied(topics, pair)
            concept = [t for t in pair if k.topics[t].implies]
            if len(pair) == 2 and len(concept) == 1:
                implied = k.topics[concept[0]].implies
                if attribute and attribute != implied:
                    # "is eks certified kubernetes?": a fact about the service; the concept names the field
                    pair = [t for t in pair if t not in concept]
                elif "comparison" not in ev.intents:
                    # "eks control plane": the service's control plane, not the two compared
                    pair, attribute = [t for t in pair if t not in concept], attribute or implied
            if len(pair) < 2:
                if not pair:
                    return None
                kind = "attribute" if attribute else "definition"
                return Match(kind, pair, attribute, p, reason=reason + "; one topic", **base)
            return Match(kind, pair, attribute, p, suggestions=self._close_calls(ev), reason=reason, **base)
        subject = self._subject(ev, kind, asked, topics)
        if subject is None:
            return None
        if kind == "attribute":
            if attribute is None:
                attribute = self._implied(topics, (subject,))
            topic = k.topics[subject]
            # the other topic named beside it ("eks" in "does eks fargate support daemonsets"), if any
            beside = [t for t in asked if t != subject and k.topics[t].category != "concept"][:1]
            weighed = dict(base.get("readings", ())).get("comparison", 0.0)
            if attribute is None and beside and weighed >= COMPARISON_SECOND:
                # "does ecr do the same job as eks?": no attribute asked about, two things named, and half a
                # comparison: the two side by side
                why = reason + "; two topics, no attribute"
                return Match("comparison", [subject, *beside], None, p, reason=why, **base)
            if topic.category == "concept" and (attribute is None or attribute not in topic.facts):
                # a concept has a definition and little else: "what does the control plane do?" asks what
                # it is
                return Match("definition", [subject], None, p, reason=reason + "; a concept", **base)
            return Match(
                kind,
                [subject, *beside],
                attribute,
                p,
                suggestions=self._close_calls(ev),
                reason=reason
                + (f"; about {attribute} ({attr_p:.2f})" if attribute else "; attribute unknown"),
                **base,
            )
        return Match("definition", [subject], None, p, reason=reason, **base)

    def _compound_head(self, ev: Evidence) -> str | None:
        """A concept named right after another topic, as one noun phrase ("eks control plane", "the k8s
        control plane"): the concept."""
        k = self.knowledge
        hits = ev.topic_hits
        for first, second in zip(hits, hits[1:], strict=False):
            if second.start == first.end and k.topics[second.phrase.target].category == "concept":
                return second.phrase.target
        return None

    def _subject(self, ev: Evidence, kind: str, asked: list[str], topics: list[str]) -> str | None:
        """The topic asked about. For a fact, one that only says which attribute is meant ("is ECS built on
        Kubernetes") steps aside for another; for a definition, the asking sentence's topic is the subject,
        and of a compound name ("the eks control plane") the last word is."""
        k = self.knowledge
        if kind == "definition":
            group = asked or topics
            if not group:
                return None
            compound = self._compound_head(ev)
            if compound in group:
                return compound  # "the eks control plane": the control plane
            # the most specific first ("what are serverless pods on eks": Fargate), a concept last ("eks - is
            # it a k8s distro?": EKS); in the order named otherwise
            return min(group, key=lambda t: (SPECIFICITY.get(k.topics[t].category, 1), group.index(t)))
        for group in (asked, topics):
            # the most specific topic named: an option or compute ("ecs anywhere", "fargate") before the
            # service it belongs to; a concept ("kubernetes" in "built on kubernetes") only says which fact
            ranked = sorted(
                (t for t in group if k.topics[t].category != "concept"),
                key=lambda t: SPECIFICITY.get(k.topics[t].category, 1),
            )
            if ranked:
                return ranked[0]
        return (asked or topics or [None])[0]

    def _implied(self, topics: list[str], subjects) -> str | None:
        """The attribute another topic named beside the subjects implies ("kubernetes" -> orchestration)."""
        k = self.knowledge
        return next((k.topics[t].implies for t in topics if t not in subjects and k.topics[t].implies), None)

    def _attribute(self, ev: Evidence, feats: dict[str, float]) -> tuple[str | None, float]:
        """The attribute asked about: a cue the message names plainly, else what the model reads."""
        cue = _cue_attribute(self.knowledge, ev)
        if self.attribute_model is None:
            return cue, 1.0
        if cue:
            return cue, 1.0  # a cue the message names beats the model (by cross-validation)
        best, p = _best(self.attribute_model, feats)
        if best == "-" or p < ATTRIBUTE_THRESHOLD or best not in self.knowledge.attributes:
            return None, p
        return best, p

    def situation(self, ev: Evidence) -> dict[str, str]:
        """What the message says of each criterion: the rules' cues first, then what the models read."""
        return {c.id: ev.situation[c.id] for c in self.knowledge.criteria if c.id in ev.situation}

    def _lean(self, feats: dict[str, float]) -> tuple[str | None, float]:
        """The service the pick model, trained on the examples' picks, leans to for this message."""
        if self.pick_model is None:
            return None, 0.0
        best, p = _best(self.pick_model, feats)
        return (None if best == "-" else best), p

    def _decline(self, ev: Evidence, confidence: float, reason: str, base: dict) -> Match:
        k = self.knowledge
        hint = next((k.intents[i].hint for i in ev.out_of_scope if k.intents[i].hint), None)
        return Match(
            "fallback",
            [],
            None,
            round(max(0.0, min(1.0, confidence)), 2),
            ev.situation,
            suggestions=self._suggest(ev.topics),
            hint=hint,
            reason=reason,
            **base,
        )

    def _overheard(self, ev: Evidence, feats: dict[str, float], kind: str, p: float, base: dict) -> Match:
        """A channel message nobody addressed to the bot: answered only when it plainly asks a general
        question about a topic by name. Colleagues asking each other about their own systems ("do we pin
        the eks ami?", "what's our naming convention for ecr repos?") are left alone."""
        norm = ev.norm
        weights = norm.weights or (1.0,) * len(norm.tokens)
        top = max(weights, default=1.0)
        asking = [w for w, weight in zip(norm.tokens, weights, strict=True) if weight >= top]
        named = [h for h in ev.topic_hits if not h.phrase.learned and weights[h.start] >= top]
        both = set(self.services) <= set(ev.topics)
        plain_question = (
            norm.question
            and bool(asking)
            and (
                asking[0] in QUESTION_WORDS
                or bool(ev.intents & {"definition", "comparison", "recommendation"})
                or (both and "recommendation_weak" in ev.intents)  # "ecs or eks?"
            )
        )
        own = set(asking) & set(self.knowledge.settings.overheard_skip)
        threshold = self.knowledge.settings.channel_threshold
        if (
            kind in ANSWER_KINDS
            and named
            and plain_question
            and not own
            and not ev.out_of_scope
            and not ev.exclusions
            and p >= threshold
        ):
            found = self._answer(ev, feats, kind, p, base)
            if found is not None:
                return found
        return Match(
            "fallback", [], None, round(1 - p, 2), reason=f"overheard; reads as {kind} ({p:.2f})", **base
        )

    def _language(self, norm: Normalised) -> str | None:
        if norm.script == "cjk":
            raw = norm.text
            code = "ja" if _KANA.search(raw) else "ko" if _HANGUL.search(raw) else "zh"
            return self.language_names.get(code, code)
        votes: Counter = Counter()
        for entry in norm.rewritten:
            codes = [c for c in entry.split("|") if c]
            for code in codes:
                votes[code] += 1 / len(codes)
        if votes:
            code, count = votes.most_common(1)[0]
            if count >= LANGUAGE_EVIDENCE:
                return self.language_names.get(code, code)
        return None

    # ------------------------------------------------------------------------------------- suggestions

    def _suggest(self, topics: list[str]) -> list[str]:
        """'Did you mean' questions: what the named topics are, and the ECS/EKS comparison and choice."""
        k = self.knowledge
        out: list[str] = []
        for topic in topics[:2]:
            out.append(f"What is {k.topics[topic].name}?")
        services = k.services
        if any(t in services for t in topics) or not topics:
            names = [k.topics[s].name.split()[-1] for s in services]
            out.append(f"Compare {' and '.join(names)}")
            out.append(f"Which should we use, {' or '.join(names)}?")
        return list(dict.fromkeys(out))[:3]

    def _close_calls(self, ev: Evidence) -> list[str]:
        """Another attribute the message names as plainly as the chosen one, offered as 'did you mean'."""
        targets = list(dict.fromkeys(h.phrase.target for h in ev.attr_hits if not h.phrase.weak))
        if len(targets) < 2:
            return []
        k = self.knowledge
        subject = " and ".join(k.topics[t].name for t in ev.topics[:2]) or "ECS and EKS"
        return [f"{k.attributes[a].name} of {subject}" for a in targets[1:3]]


def _best(model: NaiveBayes, feats: dict[str, float]) -> tuple[str, float]:
    """The model's most likely class and its probability."""
    return max(model.probabilities(feats).items(), key=lambda kv: kv[1])


def _learned(names, cues) -> list[Phrase]:
    return [Phrase("topic", topic, " ".join(words), tuple(words), learned=True) for words, topic in names] + [
        Phrase("criterion", target, " ".join(words), tuple(words), learned=True) for words, target in cues
    ]


_WEIGHING = frozenset(("vs", "versus", "v", "or", "against"))  # words that set one product against another
_NAME_STOP = frozenset(
    "what whats is are the a an of for to in on and or vs it its this that which who how why does do can "
    "should would we our my i you your they thing stuff one ones where when feature option mode tool way "
    "per like with without".split()
)


def _comparison_topics(asked: list[str], topics: list[str], services: list[str], k: Knowledge) -> list[str]:
    """The topics a comparison is about: those named (the asking sentence's first), less a concept that
    only says which attribute is compared ("orchestration engine ecs vs eks"); one service alone is
    compared with the other ("and ecs is different how?"); none means the two services."""
    named = list(dict.fromkeys(asked + topics)) if len(asked) < 2 else asked
    subjects = [t for t in named if not k.topics[t].implies]
    if len(subjects) >= 2:
        named = subjects
    if not named:
        return list(services)
    if len(named) == 1 and named[0] in services:
        return sorted(services)
    return named


def _rule_kind(ev: Evidence, services) -> str:
    """The kind without a model (a knowledge file with no examples): what the intent cues say."""
    if ev.out_of_scope:
        return "fallback"
    if "recommendation" in ev.intents or ("recommendation_weak" in ev.intents and len(ev.topics) >= 2):
        return (
            "recommendation"
            if set(services) <= set(ev.topics) or "recommendation" in ev.intents
            else "comparison"
        )
    if len(ev.topics) >= 2:
        return "comparison"
    if ev.topics:
        return "attribute" if ev.attr_hits else "definition"
    return "help" if "help" in ev.intents else "fallback"


def _cue_attribute(k: Knowledge, ev: Evidence) -> str | None:
    ranked = [
        ((not h.phrase.weak, k.attributes[h.phrase.target].priority, len(h.phrase.tokens)), h.phrase.target)
        for h in ev.attr_hits
    ]
    return max(ranked)[1] if ranked else None


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
