"""The knowledge as typed, immutable data: topics, attributes, comparisons, intents, the recommendation's
criteria and vetoes, and the settings the matcher reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

from .claims import Claim
from .examples import EMPTY as EMPTY_EXAMPLES
from .examples import Examples, parse_examples
from .freshness import Dated
from .problems import KnowledgeError

CATEGORIES = ("orchestrator", "registry", "compute", "concept", "option")


@dataclass(frozen=True)
class Veto:
    """A hard requirement only one service meets: when every answer in `when` is given, `pick` decides."""

    id: str
    when: dict[str, str]
    pick: str
    reason: str


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    full_name: str
    category: str
    aliases: tuple[str, ...]
    definition: str
    source: str
    link: str | None = None
    implies: str | None = None
    facts: dict[str, Claim] = field(default_factory=dict)  # its headline claim on each attribute
    as_of: str = ""
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attribute:
    id: str
    name: str
    cues: tuple[str, ...]
    priority: int = 1
    weak_cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Difference:
    attribute: str
    text: str
    source: str
    as_of: str = ""
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    topics: tuple[str, str]
    summary: str
    source: str
    differences: tuple[Difference, ...] = ()
    table: tuple[str, ...] = ()
    intro: str = ""
    as_of: str = ""
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intent:
    id: str
    cues: tuple[str, ...]
    out_of_scope: bool = False
    hint: str | None = None


@dataclass(frozen=True)
class Exclusion:
    id: str
    cues: tuple[str, ...]
    drops: tuple[str, ...]


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    weights: dict[str, int]
    reason: str
    condition: str
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Criterion:
    id: str
    question: str
    options: tuple[Option, ...]
    negated: dict[str, str] = field(default_factory=dict)
    # words one of which a cue learned from the examples must contain to assert this criterion: what it is
    # about ("kubernetes", "k8s" for running Kubernetes), so a learned cue never asserts an unstated premise
    subject: tuple[str, ...] = ()
    # value -> the value its cues take when the message states a requirement in their clause ("we use helm"
    # is uses, "we must run a vendor's helm chart" is yes): a veto fires on a stated need, never on a mention
    required: dict[str, str] = field(default_factory=dict)

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Tick:
    """One box of a checklist: a hard requirement (`veto`, its answers given together) or one answer to a
    criterion (`criterion` = `value`)."""

    label: str
    veto: str = ""
    criterion: str = ""
    value: str = ""


@dataclass(frozen=True)
class Checklist:
    """A guided-choice question answered by ticking what applies: ticked boxes are answers, a box left
    unticked rules its answer out (without answering its criterion)."""

    id: str
    question: str
    ticks: tuple[Tick, ...]


@dataclass(frozen=True)
class MatchSettings:
    threshold: float = 0.6
    channel_threshold: float = 0.8
    decide_margin: int = 2
    temperature: float = 1.0  # softens the models' probabilities; calibrated on the examples
    lean_threshold: float = 0.6  # how sure the pick model must be to decide what the criteria leave open
    overheard_skip: tuple[str, ...] = ()  # words of a channel message about the team's own systems ("our")
    # When a claim answers a question (relevance, least score), for a question read as a fact, one that would
    # be declined, one naming no topic, one read as a pick or comparison, one read as a definition.
    fact_bars: tuple[tuple[float, float], ...] = (
        (0.0, 10.0),
        (0.3, 0.0),
        (0.6, 30.0),
        (0.45, 0.0),
        (0.7, 0.0),
    )


@dataclass(frozen=True)
class Knowledge:
    path: str
    settings: MatchSettings
    topics: dict[str, Topic]
    attributes: dict[str, Attribute]
    comparisons: dict[tuple[str, str], Comparison]
    intents: dict[str, Intent]
    exclusions: tuple[Exclusion, ...]
    filler: frozenset[str]
    domain_cues: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    default_pick: str = ""
    default_reason: str = ""
    lines: dict[tuple[str, str], int] = field(default_factory=dict, compare=False, repr=False)
    vetoes: tuple[Veto, ...] = ()
    requirement_cues: tuple[str, ...] = ()  # words that state a need ("must", "required", "have to")
    dated: tuple[Dated, ...] = field(default=(), compare=False, repr=False)
    checksum: str = ""  # of the knowledge file, its examples and claims files, and the bot's version
    examples_file: str = field(default="", compare=False, repr=False)
    examples_text: str = field(default="", compare=False, repr=False)
    claims: tuple[Claim, ...] = field(default=(), compare=False, repr=False)
    claims_files: tuple[str, ...] = field(default=(), compare=False, repr=False)
    pages: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # URL -> the page's title
    checklists: tuple[Checklist, ...] = ()  # the guided choice's tick-what-applies questions

    @cached_property
    def answerable(self) -> tuple[Claim, ...]:
        """Every statement a fact question can be answered with: the claims, each topic's definition and each
        difference a comparison names (those two as claims derived from them, with their pages)."""
        derived = [
            Claim(f"{t.id}.definition", t.definition, (t.id,), t.link or t.source, t.as_of, also=t.also)
            for t in self.topics.values()
        ]
        for pair, comparison in self.comparisons.items():
            for d in comparison.differences:
                claim_id = f"{pair[0]}.vs.{pair[1]}.{d.attribute}"
                derived.append(Claim(claim_id, d.text, pair, d.source, d.as_of, d.attribute, also=d.also))
        taken = {c.id for c in self.claims}
        return self.claims + tuple(c for c in derived if c.id not in taken)

    @cached_property
    def titles(self) -> dict[str, str]:
        """URL -> the page's title: the `pages:` map, and each claim's title for its source."""
        out = {c.source: c.title for c in self.claims if c.title}
        return {**out, **self.pages}

    def title_of(self, url: str) -> str:
        return self.titles.get(url, "")

    @cached_property
    def claim_by_id(self) -> dict[str, Claim]:
        return {c.id: c for c in self.answerable}

    @cached_property
    def examples(self) -> Examples:
        """The examples file, parsed (at load, or here when a cached model let the load skip it)."""
        if not self.examples_file:
            return EMPTY_EXAMPLES
        ids = {
            "topics": set(self.topics),
            "attributes": set(self.attributes),
            "criteria": {c.id: tuple(o.value for o in c.options) for c in self.criteria},
            "services": list(self.services),
        }
        examples, problems = parse_examples(self.examples_text, self.examples_file, ids)
        if problems:
            raise KnowledgeError(problems)
        return examples

    def comparison(self, a: str, b: str) -> Comparison | None:
        return self.comparisons.get(tuple(sorted((a, b))))  # type: ignore[arg-type]

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def veto(self, veto_id: str) -> Veto | None:
        return next((v for v in self.vetoes if v.id == veto_id), None)

    @cached_property
    def services(self) -> tuple[str, ...]:
        """The topics a recommendation can pick: those the criteria weigh."""
        return tuple(sorted(weighed(self.criteria)))


def weighed(criteria: Iterable[Criterion]) -> set[str]:
    return {topic for c in criteria for o in c.options for topic in o.weights}


def with_headlines(topics: dict[str, Topic], claims: tuple[Claim, ...]) -> dict[str, Topic]:
    """The topics with their headline claims as their facts, one per attribute (what tables show)."""
    facts: dict[str, dict[str, Claim]] = {}
    for claim in claims:
        if claim.headline and claim.attribute:
            facts.setdefault(claim.about[0], {})[claim.attribute] = claim
    return {tid: replace(topic, facts=facts.get(tid, {})) for tid, topic in topics.items()}
