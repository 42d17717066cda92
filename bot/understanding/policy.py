"""Message -> kind, topics, attribute, situation and confidence: the short policy on top of the evidence.

The rules find what they are sure of (phrases.py); models trained from the examples weigh it with the rest
of the message (training.py, classifiers.py). What stays explicit reads like a policy:

- a message addressed to the bot (a DM, a mention, the slash command, a reply in its thread) is answered
  whenever it names a topic and nothing puts it out of scope; words the bot does not know cost nothing;
- out of scope is what the model learned from the out-of-scope examples (troubleshooting, how-to, acting on
  systems, other products, other meanings of the letters, chatter) and foreign names the rules find;
- a message the bot merely overheard in a channel is answered only when it is plainly a question about its
  topics, at the stricter `channel_threshold`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property

from . import facts
from .features import features
from .follow_up import follow_up
from .match import ANSWER_KINDS, SMALL_TALK, Context, Kind, Match, as_kind
from .normalise import Normalised, normalise
from .phrases import Evidence
from .subjects import (
    attribute_asked,
    comparison_topics,
    cue_attribute,
    implied,
    lean,
    rule_kind,
    situation,
    subject_of,
)
from .suggestions import close_calls, suggest
from .training import Learned

GUIDED_INTENT = "guided"  # cues naming the bot's own guided choice
SCOPE_INTENT = "scope"  # cues asking what the bot covers
HOWTO_INTENT = "howto"  # cues asking for instructions
INSTRUCTION_INTENT = "instruction"  # cues of instructions to the bot, read apart from the question
LANGUAGE_EVIDENCE = 1.5  # phrases of one language a message needs before the bot says it read that language
QUESTION_WORDS = frozenset(
    "what whats which who why how where when is are isnt does doesnt do can cant could should would".split()
)
# "which should we use?" naming nothing of ours is read as about ECS and EKS only this surely
BARE_CHOICE = 0.9
SURELY_OUT = 0.95  # an out-of-scope reading this sure is declined without looking for a fact
COMPARISON_SECOND = 0.3  # no attribute, two topics and this much comparison reading: a comparison
_OTHER_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")  # a colleague mentioned: the message is for them


class Matcher(Learned):
    """Built once per knowledge file (the models are trained then, in Learned); ``match`` is cheap and
    thread-safe."""

    @cached_property
    def bars(self) -> facts.Bars:
        return facts.Bars.of(self.knowledge.settings)

    def evidence(self, raw: str) -> Evidence:
        return self.finder.find(normalise(raw, self.rewrite))

    def match(self, raw: str, addressed: bool = True, context: Context | None = None) -> Match:
        """What the message asks. ``addressed``: a DM, mention, command or reply in the bot's thread; else
        a channel message the bot overheard, which it answers only when it is plainly asked. ``context``:
        the bot's previous answer in the same thread, which a follow-up ("and ecr?", "why?") leans on."""
        norm = normalise(raw, self.rewrite)
        base = Match(
            "fallback",
            [],
            None,
            0.0,
            normalised=norm.text,
            threshold=self.threshold,
            language=self._language(norm),
        )
        if not norm.tokens:
            return replace(base, kind="help", confidence=0.9, small_talk="greeting", reason="empty")
        ev = self.finder.find(norm)
        ev = self._without_instructions(ev)
        feats = features(ev, self.categories, self.services)
        readings = self._readings(ev, feats)
        kind, p = readings[0]
        evidence = sorted(
            [h for h in ev.hits if h.phrase.kind != "topic" or h in ev.topic_hits],
            key=lambda h: (h.start, -h.end),
        )
        base = replace(base, evidence=evidence, readings=readings[:3], said=ev.said)
        answerable = sum(q for k, q in readings if k in ANSWER_KINDS)
        if not addressed:
            if _OTHER_MENTION.search(raw or ""):
                return replace(base, confidence=0.9, reason="overheard; addressed to someone else")
            return self._overheard(ev, feats, kind, answerable, base)
        if context is not None:
            followed = follow_up(self.knowledge, self.pick_model, ev, feats, context, base)
            if followed is not None:
                return followed
        if GUIDED_INTENT in ev.intents and not ev.exclusions and not ev.out_of_scope:
            # ("walk me through setting up irsa" is a how-to, not the guided choice)
            return self._guided(ev, base)
        if SCOPE_INTENT in ev.intents and not ev.topics and not ev.out_of_scope:
            return replace(base, kind="help", confidence=0.9, small_talk="help", reason="asks what I cover")
        if kind in SMALL_TALK:
            return replace(
                base, kind="help", confidence=round(p, 2), small_talk=kind, reason=f"reads as {kind}"
            )
        if kind == "fallback" and p >= SURELY_OUT and HOWTO_INTENT not in ev.out_of_scope:
            # as sure as the model gets that this is chatter or a request to act: no fact is looked for (a
            # how-to is still declined, but with the page that covers it)
            return self._decline(ev, p, f"reads as out of scope ({p:.2f})", base)
        if kind == "fallback":
            return self._fact_or_decline(ev, p, f"reads as out of scope ({p:.2f})", base)
        if self._foreign_choice(ev, kind):
            return self._decline(ev, p, "weighs one of my topics against another product", base)
        found = self._answer(ev, feats, as_kind(kind), p, base)
        if found is None:
            return self._fact_or_decline(ev, 1 - p, f"reads as {kind} but names nothing I know", base)
        # How sure the bot is that this is a question for it at all: every in-scope reading counts.
        if answerable < self.threshold:
            why = f"not sure ({kind}, {answerable:.2f} in scope)"
            return self._fact_or_decline(ev, 1 - answerable, why, base)
        found.confidence = round(answerable, 2)
        return self._with_claims(ev, found, base)

    def _with_claims(self, ev: Evidence, match: Match, base: Match) -> Match:
        """The claims that answer the question, for a fact question; and a question another kind of answer
        would miss (a definition, a pick, a comparison) that a claim answers squarely."""
        k = self.knowledge
        if match.kind == "attribute":
            found = facts.find(k, self.claims, ev, match.topics or ev.topics, match.attribute)
            headline = facts.headline(k, match.topics, match.attribute)
            name = k.attributes[match.attribute].name if match.attribute in k.attributes else ""
            summary = f"{name} {k.claim_by_id[headline].text}" if headline else ""
            if headline and facts.generic(ev, match.topics, match.attribute, summary):
                # "can ecr scan images?": the topic's summary on what it asks answers it; details are
                # answers to other questions
                claims = [headline]
            else:
                claims = facts.chosen(found, self.bars.answers, headline)
            return replace(match, found=found, claims=claims)
        asks_which = "fact_choice" in ev.intents  # "windows on fargate: is that ecs, eks or both?"
        if match.kind == "recommendation" and (
            "recommendation" in ev.intents or (ev.situation and not asks_which)
        ):
            return match  # asked to pick, or a situation stated: a recommendation
        bar = self.bars.defines if match.kind == "definition" else self.bars.overrides
        fact = self._fact(
            ev, base, bar, match.attribute, words=facts.MIN_WORDS + (match.kind == "definition")
        )
        if fact is None or fact.claims[0] in {f"{t}.definition" for t in match.topics}:
            return match  # nothing answers it better, or the topic's own definition does
        if match.kind == "comparison":
            # the comparison stays, opening with the claims that answer what was asked of it
            return replace(match, claims=fact.claims, found=fact.found)
        return replace(fact, confidence=match.confidence)

    def _fact_or_decline(self, ev: Evidence, confidence: float, reason: str, base: Match) -> Match:
        """A message about to be declined that a claim answers squarely is answered with it; a how-to or
        troubleshooting question stays declined, naming the page that covers it."""
        declined = self._decline(ev, confidence, reason, base)
        if ev.exclusions or "instruction" in ev.out_of_scope or not _asks(ev):
            return declined
        if ev.out_of_scope:  # how-to, troubleshooting: declined, naming the page a claim of it comes from
            bar = self.bars.rescues if ev.topics else self.bars.unnamed
            pointer = self._fact(ev, base, bar, cue_attribute(self.knowledge, ev))
            return replace(declined, claims=pointer.claims[:1], found=pointer.found) if pointer else declined
        bar = self.bars.rescues if ev.topics else self.bars.unnamed
        fact = self._fact(ev, base, bar, cue_attribute(self.knowledge, ev))
        return fact if fact is not None else declined

    def _fact(
        self, ev: Evidence, base: Match, bar: facts.Bar, attribute: str | None, words: int = facts.MIN_WORDS
    ) -> Match | None:
        """A fact reading: the claims about the topics the message names that clear the bar."""
        k = self.knowledge
        topics = [t for t in ev.topics if t in k.topics]
        if facts.informative(ev, topics) < words:
            return None  # little of its own to ask beyond the names (checked first: it is cheap)
        found = facts.find(k, self.claims, ev, topics, attribute)
        chosen = facts.chosen(found, bar)
        if not chosen:
            return None
        if not topics:  # named by what it is about ("pull through cache"): the topics of the claim
            topics = list(k.claim_by_id[chosen[0]].about)
        why = f"a claim answers it (relevance {facts.relevance(found[0]):.2f})"
        return replace(
            base,
            kind="attribute",
            topics=topics,
            attribute=attribute,
            confidence=round(min(1.0, facts.relevance(found[0]) + 0.5), 2),
            claims=chosen,
            found=found,
            reason=why,
        )

    def _guided(self, ev: Evidence, base: Match) -> Match:
        """The bot's own guided choice, named: what it is (help), or a request to run it (a recommendation
        with nothing decided yet, which points to /container-choice)."""
        if "definition" in ev.intents or ("help" in ev.intents and "recommendation" not in ev.intents):
            return replace(
                base, kind="help", confidence=0.9, small_talk="help", reason="asks about the guided choice"
            )
        return replace(
            base,
            kind="recommendation",
            topics=list(self.services),
            confidence=0.9,
            situation=situation(self.knowledge, ev),
            reason="asks for the guided choice",
            starts_choice=True,
        )

    def _readings(self, ev: Evidence, feats: dict[str, float]) -> list[tuple[str, float]]:
        if self.kind_model is None:
            return [(rule_kind(ev, self.services), 0.9)]
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
        return (
            named == 0
            and not ev.topics
            and (
                kind == "comparison"
                or any(
                    (h.start > 0 and words[h.start - 1] in _WEIGHING)
                    or (h.end < len(words) and words[h.end] in _WEIGHING)
                    for h in ev.exclusions
                )
            )
        )

    def _answer(
        self, ev: Evidence, feats: dict[str, float], kind: Kind, p: float, base: Match
    ) -> Match | None:
        """The in-scope reading of a message the model reads as `kind`, or None when it names nothing of
        the bot's to answer about."""
        base = replace(base, kind=kind, confidence=p, reason=f"reads as {kind} ({p:.2f})")
        if kind == "recommendation":
            return self._recommendation(ev, feats, base)
        attribute, attr_p = attribute_asked(self.knowledge, self.attribute_model, ev, feats)
        if kind == "comparison":
            return self._comparison(ev, attribute, base)
        return self._about_one(ev, attribute, attr_p, base)

    def _recommendation(self, ev: Evidence, feats: dict[str, float], base: Match) -> Match | None:
        stated = situation(self.knowledge, ev)
        if not (ev.topics or ev.domain or stated) and base.confidence < BARE_CHOICE:
            return None  # "where should we go for lunch": a choice, but between nothing of ours
        leans, lean_p = lean(self.pick_model, feats)
        return replace(base, topics=list(self.services), situation=stated, lean=leans, lean_p=lean_p)

    def _comparison(self, ev: Evidence, attribute: str | None, base: Match) -> Match | None:
        k = self.knowledge
        topics = ev.topics
        asked = ev.asked_topics or topics
        if not topics and not (ev.attr_hits and "comparison" not in ev.intents):
            # a reply such as "so which is cheaper?" names what it compares; "istio vs linkerd" compares
            # things of its own, and a message that names nothing compares nothing
            return None
        pair = comparison_topics(asked, topics, list(self.services), k)
        if attribute is None:
            attribute = implied(k, topics, pair)
        concept = [t for t in pair if k.topics[t].implies]
        if len(pair) == 2 and len(concept) == 1:
            concept_attribute = k.topics[concept[0]].implies
            if attribute and attribute != concept_attribute:
                # "is eks certified kubernetes?": a fact about the service; the concept names the field
                pair = [t for t in pair if t not in concept]
            elif "comparison" not in ev.intents:
                # "eks control plane": the service's control plane, not the two compared
                pair, attribute = [t for t in pair if t not in concept], attribute or concept_attribute
        if len(pair) < 2:
            if not pair:
                return None
            kind: Kind = "attribute" if attribute else "definition"
            return replace(
                base, kind=kind, topics=pair, attribute=attribute, reason=base.reason + "; one topic"
            )
        return replace(base, topics=pair, attribute=attribute, suggestions=close_calls(k, ev))

    def _about_one(self, ev: Evidence, attribute: str | None, attr_p: float, base: Match) -> Match | None:
        """A definition or a fact: the subject the message asks about, and for a fact the attribute."""
        k = self.knowledge
        topics = ev.topics
        asked = ev.asked_topics or topics
        subject = subject_of(k, ev, base.kind, asked, topics)
        if subject is None:
            return None
        if base.kind != "attribute":
            return replace(base, kind="definition", topics=[subject])
        if attribute is None:
            attribute = implied(k, topics, (subject,))
        topic = k.topics[subject]
        # the other topic named beside it ("eks" in "does eks fargate support daemonsets"), if any
        beside = [t for t in asked if t != subject and k.topics[t].category != "concept"][:1]
        weighed = dict(base.readings).get("comparison", 0.0)
        if attribute is None and beside and weighed >= COMPARISON_SECOND:
            # "does ecr do the same job as eks?": no attribute asked about, two things named, and half a
            # comparison: the two side by side
            why = base.reason + "; two topics, no attribute"
            return replace(base, kind="comparison", topics=[subject, *beside], reason=why)
        if topic.category == "concept" and (attribute is None or attribute not in topic.facts):
            # a concept has a definition and little else: "what does the control plane do?" asks what it is
            return replace(base, kind="definition", topics=[subject], reason=base.reason + "; a concept")
        about = f"; about {attribute} ({attr_p:.2f})" if attribute else "; attribute unknown"
        return replace(
            base,
            topics=[subject, *beside],
            attribute=attribute,
            suggestions=close_calls(k, ev),
            reason=base.reason + about,
        )

    def _decline(self, ev: Evidence, confidence: float, reason: str, base: Match) -> Match:
        k = self.knowledge
        hint = next((k.intents[i].hint for i in ev.out_of_scope if k.intents[i].hint), None)
        return replace(
            base,
            kind="fallback",
            topics=[],
            attribute=None,
            confidence=round(max(0.0, min(1.0, confidence)), 2),
            situation=ev.situation,
            suggestions=suggest(k, ev.topics),
            hint=hint,
            reason=reason,
        )

    def _overheard(self, ev: Evidence, feats: dict[str, float], kind: str, p: float, base: Match) -> Match:
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
            found = self._answer(ev, feats, as_kind(kind), p, base)
            if found is not None:
                return found
        return replace(base, confidence=round(1 - p, 2), reason=f"overheard; reads as {kind} ({p:.2f})")

    def _language(self, norm: Normalised) -> str | None:
        if norm.writing:
            # read from the message as written: its text here has the phrases rewritten in English, which
            # took the kana of "ECRとは何ですか" away and left a kanji that read as Chinese
            return self.language_names.get(norm.writing, norm.writing)
        votes: dict[str, float] = {}
        for entry in norm.rewritten:
            codes = [c for c in entry.split("|") if c]
            for code in codes:
                votes[code] = votes.get(code, 0.0) + 1 / len(codes)
        if votes:
            code, share = max(votes.items(), key=lambda cv: cv[1])  # the first named wins a tie
            if share >= LANGUAGE_EVIDENCE:
                return self.language_names.get(code, code)
        return None


_WEIGHING = frozenset(("vs", "versus", "v", "or", "against"))  # words that set one product against another


def _asks(ev: Evidence) -> bool:
    """The message asks something: a question mark, or a sentence that opens with a question word."""
    norm = ev.norm
    starts = {
        0,
        *(
            i
            for i in range(1, len(norm.tokens))
            if norm.sentences and norm.sentences[i] != norm.sentences[i - 1]
        ),
    }
    return norm.question or any(norm.tokens[i] in QUESTION_WORDS for i in starts if i < len(norm.tokens))
