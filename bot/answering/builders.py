"""Knowledge -> Answer: one builder per kind of answer (definition, fact, comparison, recommendation, help,
"not sure"). They need no matcher: the guided choice in a terminal builds its recommendation without
training a model."""

from __future__ import annotations

from ..knowledge.model import Attribute, Knowledge, Topic
from ..understanding.match import Match
from .answer import Answer, join_or
from .decision import Decision, decide_message

GUIDED_CHOICE_POINTER = (
    "For a guided choice, run /container-choice in Slack or `container-bot choose` in a terminal."
)


def _sources(*urls: str | None) -> list[str]:
    return list(dict.fromkeys(u for u in urls if u and u.startswith("https://")))


def _cited(*statements) -> list[str]:
    """The pages statements name: each one's source, then its further pages (`also`)."""
    return [url for statement in statements for url in (statement.source, *statement.also)]


def _oldest(*days: str) -> str:
    """The earliest of the `as_of` dates given (ISO dates sort as text), or '' when none is known."""
    known = [d for d in days if d]
    return min(known) if known else ""


def _short(topic: Topic) -> str:
    return topic.name.split()[-1] if topic.category == "orchestrator" else topic.name


_BUILDERS = frozenset(
    (
        "build",
        "roles",
        "definition",
        "claimed",
        "attribute",
        "comparison",
        "recommendation",
        "help",
        "fallback",
    )
)


class AnswerBuilder:
    """Builds answers from one knowledge file."""

    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge

    def __getattribute__(self, name: str):
        """Every answer a builder makes carries its pages' titles: faces name pages by them, never by URL."""
        value = object.__getattribute__(self, name)
        if name not in _BUILDERS:
            return value
        knowledge = object.__getattribute__(self, "knowledge")

        def titled(*args, **kwargs) -> Answer:
            answer = value(*args, **kwargs)
            answer.titles = knowledge.titles
            return answer

        return titled

    def build(self, match: Match) -> Answer:
        if match.kind == "definition":
            return self.definition(match.topics[0], match)
        if match.kind == "attribute":
            if match.claims:
                return self.claimed(match)
            return self.attribute(match.topics, match.attribute, match)
        if match.kind == "comparison":
            if len(match.topics) > 2:
                answer = self.roles(match.topics, match)
            else:
                answer = self.comparison(match.topics[0], match.topics[1], match.attribute, match)
            return self._opening_with_claims(answer, match)
        if match.kind == "recommendation":
            decision = decide_message(self.knowledge, match.situation, match.lean, match.lean_p, match.said)
            return self.recommendation(decision, match)
        if match.kind == "help":
            if match.small_talk == "thanks":
                return self.thanks(match.confidence)
            return self.help(match.confidence, greeting=match.small_talk == "greeting")
        return self.fallback(match)

    def _opening_with_claims(self, answer: Answer, match: Match) -> Answer:
        """A comparison that a claim answers squarely opens with that claim (what was asked of the two)."""
        claims = [self.knowledge.claim_by_id[c] for c in match.claims if c in self.knowledge.claim_by_id]
        if claims:
            answer.parts = [claim.text for claim in claims] + answer.parts
            answer.answered = [claim.text for claim in claims]
            answer.sources = _sources(*_cited(*claims), *answer.sources)
            answer.checked = _oldest(answer.checked, *(c.as_of for c in claims))
        return answer

    def roles(self, topic_ids: list[str], match: Match | None = None) -> Answer:
        """Three or more topics side by side: one line each, so their roles are clear."""
        k = self.knowledge
        topics = [k.topics[t] for t in topic_ids]
        return Answer(
            "comparison",
            list(topic_ids),
            None,
            None,
            match.confidence if match else 1.0,
            " vs ".join(t.name for t in topics),
            [f"{t.name}: {t.definition}" for t in topics],
            sources=_sources(*(t.link for t in topics)),
            suggestions=match.suggestions if match else [],
        )

    def definition(self, topic_id: str, match: Match | None = None) -> Answer:
        topic = self.knowledge.topics[topic_id]
        title = topic.name if topic.name == topic.full_name else f"{topic.name} ({topic.full_name})"
        # what kind of service it is and what it is for belong with what it is
        kind, use = topic.facts.get("service_type"), topic.facts.get("use_case")
        parts = [topic.definition] + [
            f"{label}: {fact.text}"
            for label, fact in (("Kind of service", kind), ("What it is for", use))
            if fact
        ]
        return Answer(
            "definition",
            [topic_id],
            None,
            None,
            match.confidence if match else 1.0,
            title,
            parts,
            sources=_sources(topic.link, *_cited(topic), *(f.source for f in (kind, use) if f)),
            suggestions=match.suggestions if match else [],
            checked=topic.as_of,
        )

    def claimed(self, match: Match) -> Answer:
        """A fact question answered with the claims that say it: the best first, each with its page."""
        k = self.knowledge
        claims = [k.claim_by_id[c] for c in match.claims if c in k.claim_by_id]
        # the topics asked about (a claim may also name others it is compared with: they were not asked)
        named = [t for t in match.topics if t in k.topics] or [t for t in claims[0].about if t in k.topics]
        attribute = k.attributes.get(match.attribute or claims[0].attribute or "")
        subject = " and ".join(k.topics[t].name for t in named[:2])
        return Answer(
            "attribute",
            named,
            match.attribute,
            None,
            match.confidence,
            f"{subject}: {attribute.name.lower()}" if attribute else subject,
            [claim.text for claim in claims],
            sources=_sources(*_cited(*claims)),
            suggestions=match.suggestions,
            checked=_oldest(*(c.as_of for c in claims)),
        )

    def attribute(
        self, topic_ids: str | list[str], attribute_id: str | None, match: Match | None = None
    ) -> Answer:
        """A fact about a topic from its headline claim on the attribute, or about the two a message names
        ("does eks fargate support daemonsets": the headlines of both). A fact the knowledge lacks is said to
        be missing, with the closest AWS page: a neighbouring fact is never passed off as the answer."""
        k = self.knowledge
        ids = [topic_ids] if isinstance(topic_ids, str) else list(topic_ids)
        subject = k.topics[ids[0]]
        attribute = k.attributes.get(attribute_id or "")
        known = [
            (k.topics[t], k.topics[t].facts[attribute.id])
            for t in ids
            if attribute and attribute.id in k.topics[t].facts
        ]
        if attribute is None or not known:
            return self._missing_fact(subject, attribute, match)
        facts = [fact for _, fact in known]
        if len(known) == 1:
            parts = [facts[0].text]
        else:
            parts = [f"{topic.name}: {fact.text}" for topic, fact in known]
        return Answer(
            "attribute",
            [topic.id for topic, _ in known],
            attribute.id,
            None,
            match.confidence if match else 1.0,
            f"{' and '.join(topic.name for topic, _ in known)}: {attribute.name.lower()}",
            parts,
            sources=_sources(*_cited(*facts), *(t.link for t, _ in known)),
            suggestions=match.suggestions if match else [],
            checked=_oldest(*(f.as_of for f in facts)),
        )

    def _missing_fact(self, subject: Topic, attribute: Attribute | None, match: Match | None) -> Answer:
        """No sourced fact on that: said plainly, with the closest AWS page (the best claim's, below the bar,
        else the topic's documentation)."""
        k = self.knowledge
        what = (
            f"the {attribute.name.lower()} of {subject.name}"
            if attribute
            else f"that detail of {subject.name}"
        )
        found = match.found if match else []
        closest = k.claim_by_id.get(found[0].claim) if found else None
        page = closest.source if closest and closest.source.startswith("https://") else subject.link
        title = closest.title if closest and page == closest.source else ""
        parts = [f"I have no sourced fact on {what}."]
        if page:
            parts.append(f"The closest AWS page: {title + ': ' if title else ''}{page}")
        return Answer(
            "attribute",
            [subject.id],
            attribute.id if attribute else None,
            None,
            match.confidence if match else 1.0,
            f"{subject.name}: {attribute.name.lower() if attribute else 'that detail'}",
            parts,
            sources=_sources(page),
            suggestions=match.suggestions if match else [],
        )

    def comparison(
        self, a: str, b: str, attribute_id: str | None = None, match: Match | None = None
    ) -> Answer:
        k = self.knowledge
        ta, tb = k.topics[a], k.topics[b]
        entry = k.comparison(a, b)
        confidence = match.confidence if match else 1.0
        suggestions = match.suggestions if match else []
        header = [_short(ta), _short(tb)]
        if attribute_id and (attribute_id in ta.facts or attribute_id in tb.facts):
            attribute = k.attributes[attribute_id]
            values = [
                t.facts[attribute_id].text if attribute_id in t.facts else "(no note)" for t in (ta, tb)
            ]
            diffs = [d for d in (entry.differences if entry else ()) if d.attribute == attribute_id]
            answer = Answer(
                "comparison",
                sorted([a, b]),
                attribute_id,
                None,
                confidence,
                f"{ta.name} vs {tb.name}: {attribute.name.lower()}",
                table_header=header,
                table=[(attribute.name, values)],
                differences=[d.text for d in diffs],
                suggestions=suggestions,
            )
            used = [t.facts[attribute_id] for t in (ta, tb) if attribute_id in t.facts]
            answer.sources = _sources(*_cited(*used, *diffs), ta.link, tb.link)
            answer.checked = _oldest(*(f.as_of for f in used), *(d.as_of for d in diffs))
            return answer
        answer = Answer(
            "comparison",
            sorted([a, b]),
            None,
            None,
            confidence,
            f"{ta.name} vs {tb.name}",
            table_header=header,
            suggestions=suggestions,
        )
        if entry and entry.table:
            answer.parts = ([entry.intro] if entry.intro else []) + [
                f"{ta.name}: {ta.definition}",
                f"{tb.name}: {tb.definition}",
            ]
            answer.table = [
                (
                    k.attributes[attr].name,
                    [t.facts[attr].text if attr in t.facts else "(no note)" for t in (ta, tb)],
                )
                for attr in entry.table
            ]
            answer.differences = [d.text for d in entry.differences]
            answer.summary = entry.summary
            answer.sources = _sources(*_cited(entry, *entry.differences), ta.link, tb.link)
            facts = [t.facts[attr] for attr in entry.table for t in (ta, tb) if attr in t.facts]
            answer.checked = _oldest(
                entry.as_of,
                ta.as_of,
                tb.as_of,
                *(d.as_of for d in entry.differences),
                *(f.as_of for f in facts),
            )
        elif entry:
            answer.parts = [entry.summary]
            answer.sources = _sources(*_cited(entry), ta.link, tb.link)
            answer.checked = entry.as_of
        else:
            answer.parts = [f"{ta.name}: {ta.definition}", f"{tb.name}: {tb.definition}"]
            answer.sources = _sources(ta.link, tb.link)
            answer.checked = _oldest(ta.as_of, tb.as_of)
        return answer

    def recommendation(self, decision: Decision, match: Match | None = None, guided: bool = False) -> Answer:
        k = self.knowledge
        services = list(k.services)
        confidence = match.confidence if match else 1.0
        if decision.pick is None:
            # no single service: hard requirements that contradict, or too little said to decide
            if decision.conflict:
                title = "No single service meets all of your hard requirements"
                parts = (
                    ["Each of these needs is met by only one service, and not by the same one:"]
                    + [f"- {reason}" for reason in decision.conflict]
                    + ["Relax one of them, or split the workloads between the two services."]
                )
                checked = _oldest(*(k.topics[s].as_of for s in services))
            else:
                pair = k.comparison(*services) if len(services) == 2 else None
                uses = [
                    (k.topics[s], k.topics[s].facts["use_case"])
                    for s in services
                    if "use_case" in k.topics[s].facts
                ]
                title = f"{' or '.join(_short(k.topics[s]) for s in services)}? It depends on your situation"
                parts = (
                    (["What you told me, which does not settle it:"] + [f"- {r}" for r in decision.reasons])
                    * bool(decision.reasons)
                    + [f"{topic.name}: {fact.text}" for topic, fact in uses]
                    + ([f"In short: {pair.summary}"] if pair else [])
                    + [GUIDED_CHOICE_POINTER]
                )
                checked = _oldest(*(fact.as_of for _, fact in uses), pair.as_of if pair else "")
            return Answer(
                "recommendation",
                services,
                None,
                None,
                confidence,
                title,
                parts,
                sources=_sources(*(k.topics[s].link for s in services)),
                suggestions=match.suggestions if match else [],
                code=decision.code,
                checked=checked,
            )
        topic = k.topics[decision.pick]
        registry = next((t for t in k.topics.values() if t.category == "registry"), None)
        parts = [f"This decides it: {reason}" for reason in decision.vetoes]
        if decision.against:
            parts.append("On the other side: " + " ".join(decision.against))
        if registry:
            parts.append(f"Either way, store your images in {registry.name}; both services pull from it.")
        other = next(s for s in services if s != decision.pick)
        answer = Answer(
            "recommendation",
            services,
            None,
            decision.pick,
            confidence,
            f"Recommendation: {topic.name}",
            parts,
            reasons=decision.reasons,
            sources=_sources(topic.link, registry.link if registry else None),
            suggestions=match.suggestions if match else [],
            code=decision.code if guided else "",
            checked=_oldest(topic.as_of, registry.as_of if registry else ""),
        )
        if decision.changes:
            answer.changes = [f"{_short(k.topics[other])} would fit better if {join_or(decision.changes)}"]
        return answer

    def help(self, confidence: float = 1.0, greeting: bool = False) -> Answer:
        k = self.knowledge
        names = ", ".join(t.name for t in k.topics.values() if t.category in ("orchestrator", "registry"))
        return Answer(
            "help",
            [],
            None,
            None,
            confidence,
            ("Hi! " if greeting else "") + "I answer questions about " + names + ".",
            [
                'Ask me what something is ("what is ecr"), how two compare ("ecs vs eks learning curve"), '
                'a fact ("can ecs run windows containers?"), or which to pick ("small team, all in on AWS, '
                'ecs or eks?").',
                "Ask in a DM, mention me in a channel, or reply in a thread I answered in. I read other "
                "languages too, and answer in English.",
                GUIDED_CHOICE_POINTER,
            ],
        )

    def thanks(self, confidence: float = 1.0) -> Answer:
        return Answer(
            "help",
            [],
            None,
            None,
            confidence,
            "You're welcome!",
            ["If you are still deciding, /container-choice asks a few questions and recommends one."],
        )

    def fallback(self, match: Match) -> Answer:
        hint = (
            match.hint
            or "I answer questions about Amazon ECS, EKS and ECR: what they are, how they compare, "
            "and which to choose."
        )
        parts, sources = [hint], []
        covering = [self.knowledge.claim_by_id[c] for c in match.claims if c in self.knowledge.claim_by_id]
        if covering and covering[0].source.startswith("https://"):
            # a how-to or troubleshooting question a claim's page covers: the decline names that page
            page = covering[0]
            parts.append(
                f"The AWS page that covers it: {page.title + ': ' if page.title else ''}{page.source}"
            )
            sources = [page.source]
        return Answer(
            "fallback",
            [],
            None,
            None,
            match.confidence,
            "I'm not sure I can answer that.",
            parts,
            suggestions=match.suggestions,
            sources=sources,
        )
