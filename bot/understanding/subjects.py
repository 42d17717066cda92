"""What a question is about: its subject topic, the topics a comparison sets side by side, the attribute
asked, and the kind the intent cues alone suggest (a knowledge file with no examples)."""

from __future__ import annotations

from ..knowledge.model import Knowledge
from .classifiers import NaiveBayes, best
from .phrases import Evidence

SPECIFICITY = {"option": 0, "compute": 0, "orchestrator": 1, "registry": 1, "concept": 2}
ATTRIBUTE_THRESHOLD = 0.3  # below this the attribute asked about is not known


def compound_head(k: Knowledge, ev: Evidence) -> str | None:
    """A concept named right after another topic, as one noun phrase ("eks control plane", "the k8s
    control plane"): the concept."""
    hits = ev.topic_hits
    for first, second in zip(hits, hits[1:], strict=False):
        if second.start == first.end and k.topics[second.phrase.target].category == "concept":
            return second.phrase.target
    return None


def subject_of(k: Knowledge, ev: Evidence, kind: str, asked: list[str], topics: list[str]) -> str | None:
    """The topic asked about. For a fact, one that only says which attribute is meant ("is ECS built on
    Kubernetes") steps aside for another; for a definition, the asking sentence's topic is the subject,
    and of a compound name ("the eks control plane") the last word is."""
    if kind == "definition":
        group = asked or topics
        if not group:
            return None
        compound = compound_head(k, ev)
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
    return (asked or topics or [None])[0]  # type: ignore[list-item]  # None: nothing named


def implied(k: Knowledge, topics: list[str], subjects) -> str | None:
    """The attribute another topic named beside the subjects implies ("kubernetes" -> orchestration)."""
    return next((k.topics[t].implies for t in topics if t not in subjects and k.topics[t].implies), None)


def attribute_asked(
    k: Knowledge, model: NaiveBayes | None, ev: Evidence, feats: dict[str, float]
) -> tuple[str | None, float]:
    """The attribute asked about: a cue the message names plainly, else what the model reads."""
    cue = cue_attribute(k, ev)
    if model is None:
        return cue, 1.0
    if cue:
        return cue, 1.0  # a cue the message names beats the model (by cross-validation)
    found, p = best(model, feats)
    if found == "-" or p < ATTRIBUTE_THRESHOLD or found not in k.attributes:
        return None, p
    return found, p


def situation(k: Knowledge, ev: Evidence) -> dict[str, str]:
    """What the message says of each criterion: the rules' cues first, then what the models read."""
    return {c.id: ev.situation[c.id] for c in k.criteria if c.id in ev.situation}


def lean(model: NaiveBayes | None, feats: dict[str, float]) -> tuple[str | None, float]:
    """The service the pick model, trained on the examples' picks, leans to for this message."""
    if model is None:
        return None, 0.0
    found, p = best(model, feats)
    return (None if found == "-" else found), p


def comparison_topics(asked: list[str], topics: list[str], services: list[str], k: Knowledge) -> list[str]:
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


def rule_kind(ev: Evidence, services) -> str:
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


def cue_attribute(k: Knowledge, ev: Evidence) -> str | None:
    ranked = [
        ((not h.phrase.weak, k.attributes[h.phrase.target].priority, len(h.phrase.tokens)), h.phrase.target)
        for h in ev.attr_hits
    ]
    return max(ranked)[1] if ranked else None
