"""Which claims answer a question: retrieval over the claims (retrieval.py) read with what the matcher
understood, and the rule for when they answer it at all.

A fact question is answered with the best claim and those next to it that add to it (at most three). A
claim answers only when it covers enough of the question's own words: below that the topic's headline on
the attribute asked answers, or the bot says it has no fact on that; it never passes a neighbouring fact off
as the answer.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass

from ..knowledge.claims import Claim
from ..knowledge.model import Knowledge, MatchSettings
from .phrases import Evidence
from .retrieval import ClaimIndex, Found, Query, stem, terms

MAX_CLAIMS = 3
ALONGSIDE = 0.6  # a further claim is shown when it scores at least this share of the best one
GENERIC_WORDS = 1  # a question with no more words of its own than this (besides cues) is generic
MIN_WORDS = 2  # a fact reading needs this many words of its own besides the topics' names


@dataclass(frozen=True)
class Bar:
    """How well a claim must match a question to answer it. Its relevance is the share of the question's own
    words it covers, times its score (the words it shares with the question, rare ones counting more, with
    the topic and attribute priors) up to `scale`; and the score must reach at least `score`."""

    relevance: float
    score: float = 0.0
    scale: float = 30.0

    def met(self, found: Found) -> bool:
        return found.score >= self.score and relevance(found, self.scale) >= self.relevance


def relevance(found: Found, scale: float = 30.0) -> float:
    return found.coverage * min(1.0, found.score / scale)


@dataclass(frozen=True)
class Bars:
    answers: Bar  # a question read as a fact
    rescues: Bar  # a question that would otherwise be declined
    unnamed: Bar  # ... that names none of the topics
    overrides: Bar  # a question read as a pick or a comparison
    defines: Bar  # a question read as a definition

    @classmethod
    def of(cls, settings: MatchSettings) -> Bars:
        return cls(*(Bar(*bar) for bar in settings.fact_bars))


def query(ev: Evidence, topics: list[str]) -> Query:
    """The question's index terms: canonical words (typos mended), weighed by where they stand, and the
    attributes its cue phrases name (so "price" and "cost" meet). Worked out once per message and topics."""
    memo = ev.__dict__.setdefault("_queries", {})
    key = tuple(topics)
    if key not in memo:
        memo[key] = _query(ev, topics)
    return memo[key]


def _query(ev: Evidence, topics: list[str]) -> Query:
    pairs = zip(ev.norm.tokens, ev.canon, strict=True)
    words = [word if similarity > 0 else token for token, (word, similarity) in pairs]
    found = terms(words, ev.norm.weights or None)
    for hit in ev.attr_hits:
        if not hit.phrase.weak:  # "how much" names cost only where nothing else is named
            found[f"@{hit.phrase.target}"] = 1.0
    named = {stem(part) for topic in topics for part in topic.split("_")}
    informative = {t for t in found if "_" not in t and t not in named}  # @attribute terms count too
    return Query(found, frozenset(informative), frozenset(named))


def informative(ev: Evidence, topics: list[str]) -> int:
    """How many words of its own the question has, besides function words and the topics' names."""
    return sum(1 for term in query(ev, topics).informative if not term.startswith("@"))


def generic(ev: Evidence, topics: list[str], attribute: str | None, summary: str = "") -> bool:
    """The question names its topic and the attribute it asks about, and hardly anything more ("can ecr
    scan images?", "how much does an eks cluster cost?"): a summary answers it better than a detail. A
    question that names a second attribute ("what does extended support cost?") asks where the two meet, and
    one whose cue the summary never mentions asks for a detail ("does eks support ipv6?": ipv6 names
    networking, but the networking summary is about service-to-service traffic)."""
    if any(not hit.phrase.weak and hit.phrase.target != attribute for hit in ev.attr_hits):
        return False
    hits = [h for h in ev.attr_hits if h.phrase.target == attribute]
    words = [(h, [stem(ev.canon[i][0]) for i in range(h.start, h.end)]) for h in hits]
    if summary and not all(any(_mentions(summary, w) for w in cue) for h, cue in words if not h.phrase.weak):
        return False  # a cue the summary has none of the words of ("ipv6")
    cues = {w for _, cue in words for w in cue}
    own = [t for t in query(ev, topics).informative if not t.startswith("@") and t not in cues]
    return len(own) <= GENERIC_WORDS


_WORD = re.compile(r"[a-z0-9]+")


def _mentions(text: str, cue: str) -> bool:
    """The text has a word of the cue's: one they begin alike, all but a suffix ("scan" in "scanning",
    "replicate" in "replication", "cost" in "costs")."""
    return any(_alike(w, cue) for w in _WORD.findall(text.lower()))


def _alike(a: str, b: str) -> bool:
    common = len(os.path.commonprefix((a, b)))
    return common >= max(4, min(len(a), len(b)) - 3) or a == b


def asked_attributes(ev: Evidence, attribute: str | None) -> list[str]:
    """The attributes the question asks about: the matcher's reading first, then every one a cue names."""
    cues = [h.phrase.target for h in ev.attr_hits if not h.phrase.weak]
    return list(dict.fromkeys([a for a in (attribute, *cues) if a]))


def find(
    k: Knowledge,
    index: ClaimIndex,
    ev: Evidence,
    topics: list[str],
    attribute: str | None,
    today: datetime.date | None = None,
    current: bool = True,
) -> list[Found]:
    """The claims that best answer the question, best first: those that hold today (`current`), or all."""
    named = [t for t in topics if k.topics[t].category != "concept"] or topics
    around = [parent for t in named for parent in _parents(k, t)]
    asked = asked_attributes(ev, attribute)
    question = query(ev, topics)
    found = index.search(question, named, asked, limit=8, around=around)
    dated = _dated(k)
    if not dated or not current:
        return found
    day = today or datetime.date.today()
    return [f for f in found if f.claim not in dated or dated[f.claim].current(day)]


def _dated(k: Knowledge) -> dict[str, Claim]:
    """The claims that hold only from or until a day (most hold always): checked against today."""
    cached = k.__dict__.get("_dated_claims")
    if cached is None:
        cached = k.__dict__["_dated_claims"] = {c.id: c for c in k.answerable if c.since or c.until}
    return cached


def _parents(k: Knowledge, topic: str) -> list[str]:
    """The services a topic belongs to ("ecs_anywhere" -> "ecs"): a question about it is about them too."""
    return [s for s in k.services if topic.startswith(f"{s}_")]


def headline(k: Knowledge, topics: list[str], attribute: str | None) -> str | None:
    """The headline claim of the first topic on the attribute, if it has one."""
    if not topics or not attribute or topics[0] not in k.topics:
        return None
    claim = k.topics[topics[0]].facts.get(attribute)
    return claim.id if claim else None


def chosen(found: list[Found], bar: Bar, headline: str | None = None) -> list[str]:
    """The claims to answer with: the best, if it clears the bar, and the next ones that score near it;
    when none does, the topic's headline on the attribute asked (if it has one)."""
    best = found[0] if found else None
    if best is None or not bar.met(best):
        return [headline] if headline else []
    return [f.claim for f in found[:MAX_CLAIMS] if f.score >= ALONGSIDE * best.score]
