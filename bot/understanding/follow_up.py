"""A reply in a thread read in the light of the bot's previous answer there ("why?", "and ecr?", "what about
cost?", "we also run windows")."""

from __future__ import annotations

from dataclasses import replace

from ..knowledge.model import Knowledge
from .classifiers import NaiveBayes
from .match import Context, Kind, Match
from .phrases import Evidence
from .subjects import cue_attribute, lean, situation


def follow_up(
    k: Knowledge,
    pick_model: NaiveBayes | None,
    ev: Evidence,
    feats: dict[str, float],
    context: Context,
    base: Match,
) -> Match | None:
    """A reply read in the light of the previous answer, or None when it stands on its own.

    "why?" explains the previous recommendation; a situation ("we also run windows") adds to the one read
    so far and decides again; an attribute with no topic ("what about cost?") is asked of the previous
    topics; a short reply naming a new topic ("and ecr?") asks the previous kind of question about it."""
    services = list(k.services)
    words = len(ev.norm.tokens)
    topics = [t for t in ev.topics if t in k.topics]
    stated = situation(k, ev)
    attribute = cue_attribute(k, ev)
    asks = ev.intents & {"definition", "comparison", "recommendation"}
    previous = [t for t in context.topics if t in k.topics]
    base = replace(base, confidence=0.9)
    choice = replace(base, kind="recommendation", topics=services)
    if context.kind == "recommendation" and "why" in ev.intents and set(topics) <= set(services):
        why = "asks why, after a recommendation"
        return replace(choice, situation=dict(context.situation), follow_up="why", reason=why)
    if context.kind == "recommendation" and stated and set(topics) <= set(services) and words <= 30:
        merged = {**context.situation, **stated}
        leans, lean_p = lean(pick_model, feats)
        why = "adds to the situation read before"
        return replace(choice, situation=merged, follow_up="situation", lean=leans, lean_p=lean_p, reason=why)
    if topics or asks or words > 8:
        if topics and not asks and words <= 4 and previous:
            return _new_topic(topics, context, base)
        return None
    if attribute and previous:
        pair = previous if len(previous) >= 2 else previous[:1]
        kind: Kind = "comparison" if len(pair) >= 2 else "attribute"
        why = f"asks about {attribute} of the previous topics"
        return replace(base, kind=kind, topics=pair, attribute=attribute, follow_up="attribute", reason=why)
    return None


def _new_topic(topics: list[str], context: Context, base: Match) -> Match:
    """ "and ecr?": the previous kind of question, about the topic the reply names."""
    topic = topics[0]
    same = "the previous question, about another topic"
    if context.kind == "attribute" and context.attribute:
        attribute = context.attribute
        return replace(
            base, kind="attribute", topics=[topic], attribute=attribute, follow_up="topic", reason=same
        )
    if context.kind == "comparison":
        together = list(dict.fromkeys([*context.topics, *topics]))
        why = "adds a topic to the comparison"
        return replace(base, kind="comparison", topics=together, follow_up="topic", reason=why)
    return replace(base, kind="definition", topics=[topic], follow_up="topic", reason=same)
