"""Which claims answer a question: retrieval over the claims (retrieval.py) read with what the matcher
understood, and the rule for when they answer it at all.

A fact question is answered with the best claim and those next to it that add to it (at most three). A
claim answers only when it covers enough of the question's own words: below that the bot says it has no
fact on that, and never passes a neighbouring fact off as the answer.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..knowledge.model import Knowledge
from .phrases import Evidence
from .retrieval import ClaimIndex, Found, terms

MAX_CLAIMS = 3
ANSWERS = 0.35  # coverage at which a claim answers a question read as a fact
RESCUES = 0.6  # coverage at which a claim answers a question that would otherwise be declined
ALONGSIDE = 0.6  # a further claim is shown when it scores at least this share of the best one


@dataclass(frozen=True)
class Relevance:
    """How much a claim must cover of a question to answer it (from the knowledge file's settings)."""

    answers: float  # coverage at which a claim answers a question the matcher read as a fact
    rescues: float  # coverage at which a claim answers a question the matcher would have declined


def query(ev: Evidence) -> dict[str, float]:
    """The question's index terms: canonical words (typos mended), weighed by where they stand."""
    pairs = zip(ev.norm.tokens, ev.canon, strict=True)
    words = [word if similarity > 0 else token for token, (word, similarity) in pairs]
    found = terms(words, ev.norm.weights or None)
    for hit in ev.attr_hits:  # the attribute a cue names, whatever its words ("price" and "cost" meet)
        found[f"@{hit.phrase.target}"] = 1.0
    return found


def find(
    k: Knowledge,
    index: ClaimIndex,
    ev: Evidence,
    topics: list[str],
    attribute: str | None,
    today: datetime.date | None = None,
) -> list[Found]:
    """The current claims that best answer the question, best first."""
    named = [t for t in topics if k.topics[t].category != "concept"] or topics
    found = index.search(query(ev), named, attribute, limit=8)
    day = today or datetime.date.today()
    return [f for f in found if f.claim in k.claim_by_id and k.claim_by_id[f.claim].current(day)]


def chosen(found: list[Found], floor: float) -> list[str]:
    """The claims to answer with: the best, if it covers at least `floor` of the question, and the next ones
    that score near it."""
    if not found or found[0].coverage < floor:
        return []
    best = found[0].score
    return [f.claim for f in found[:MAX_CLAIMS] if f.score >= ALONGSIDE * best and f.coverage >= floor / 2]
