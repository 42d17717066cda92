"""Claims found by what they say: a BM25 index over each claim's statement, the questions it answers and its
page's title, with the topics and the attribute the matcher understood as priors.

A question's words are the matcher's canonical words (typos mended), weighed by where they stand (the
sentence that asks counts fully), reduced to a stem and paired with their neighbour. A claim scores by the
words it shares with the question (rare words count more), more when it is about the topics the question
names and on the attribute it asks about, and much less when it is about none of those topics. How much of
the question's own words a claim covers says whether it answers the question at all.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..knowledge.claims import Claim

# Words that carry no meaning for finding a fact (grammar, chatter, the Slack register). Domain words such as
# "task", "pod", "node", "image" or "cluster" are not among them: they tell claims apart.
STOP = frozenset(
    """a an the is are was were be been being am do does did doing done have has had having i im ive me my we
    our ours us you your yours u ur it its this that these those there here to of for in on at by with from
    into onto about as and or but so if then than too also just really very quite pretty actually basically
    literally pls plz please thanks thank thx hey hi hello guys folks team anyone someone somebody anybody
    what whats which who whom whose why how when where can could would should will shall may might must cant
    wont dont doesnt isnt arent wasnt werent didnt havent hasnt hadnt not no yes yeah yep ok okay lol tbh imo
    afaik fyi btw rn like get got go going gonna wanna know need want tell say said mean means thing things
    stuff way ways kind sort lot lots bit some any all each every both either one ones still even now again
    already yet only much many more most less least other others same such own let lets see use using used
    right sure correct true false question q anyway also else ever never always s t d ll re ve m aws amazon
    thing actually between among via within without""".split()
)
K1, B = 1.2, 0.75
TOPIC_BOOST = 0.6  # per share of the question's topics a claim is about
OFF_TOPIC = 0.35  # a claim about none of the topics the question names keeps this share of its score
ATTRIBUTE_BOOST = 0.35  # a claim on an attribute the question asks about
EXTRA_TOPIC = 0.85  # for each topic a claim is about that the question does not name (a narrower context)
TITLE_WEIGHT = 0.5  # the page title's words count half
COMMON = 0.3  # share of the claims a word may be in and still be scored
CANDIDATES = 25  # claims the priors rank, the best by their words
CUE_WEIGHT = 0.5  # so do the words that name a headline's attribute


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stem: plurals and -ing/-ed forms meet their word ("volumes" ~ "volume")."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "ses", "zes")):
                continue
            return word[: -len(suffix)] + keep
    return word


def terms(words: Sequence[str], weights: Sequence[float] | None = None) -> dict[str, float]:
    """Index terms of some words: the stems of those that are not STOP words, and each neighbouring pair of
    them; with the largest weight any of their words has."""
    kept = [(stem(w), weights[i] if weights else 1.0) for i, w in enumerate(words) if w not in STOP and w]
    out: dict[str, float] = {}
    for i, (term, weight) in enumerate(kept):
        out[term] = max(out.get(term, 0.0), weight)
        if i + 1 < len(kept):
            pair = f"{term}_{kept[i + 1][0]}"
            out[pair] = max(out.get(pair, 0.0), min(weight, kept[i + 1][1]))
    return out


@dataclass(frozen=True)
class Query:
    """A question's index terms with their weights, and those that are its own words: not the topics'
    names, not the attribute cues (whose meaning the @attribute terms carry), not word pairs."""

    terms: dict[str, float]
    informative: frozenset[str]
    names: frozenset[str] = frozenset()  # the stems of the topics' names it has


@dataclass(frozen=True)
class Found:
    """A claim found for a question: its score, and the share of the question's own words it covers."""

    claim: str
    score: float
    coverage: float


class ClaimIndex:
    """BM25 over the claims. Built from plain data, and kept as plain data (the model cache stores it)."""

    def __init__(
        self,
        ids: list[str],
        about: list[list[str]],
        attribute: list[str],
        lengths: list[float],
        postings: dict[str, tuple[list[int], list[float]]],
        weighed: tuple[dict, dict] | None = None,
    ):
        """`weighed`: the (idf, weights) this index worked out before (kept in the cache: a restart need not
        work them out again)."""
        self.ids, self.about, self.attribute = ids, about, attribute
        self.lengths, self.postings = lengths, postings
        self.idf, self.weights = weighed if weighed is not None else self._weigh(postings, lengths, len(ids))
        self.bits = {t: 1 << i for i, t in enumerate(sorted({t for a in about for t in a}))}
        self.about_masks = [self._mask(a) for a in about]
        self.common = max(20, int(COMMON * len(ids)))
        # the claims on each attribute
        self.on: dict[str, set[int]] = {}
        for doc, attr in enumerate(attribute):
            if attr:
                self.on.setdefault(attr, set()).add(doc)

    @staticmethod
    def _weigh(postings: dict, lengths: list[float], n: int) -> tuple[dict, dict]:
        """(idf per term, each term's BM25 weight in each claim it is in): worked out once, so that a
        question only adds them up."""
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        idf = {t: math.log(1 + (n - len(p[0]) + 0.5) / (len(p[0]) + 0.5)) for t, p in postings.items()}
        weights: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {}
        for term, (docs, tfs) in postings.items():
            values = (
                idf[term] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[doc] / average))
                for doc, tf in zip(docs, tfs, strict=True)
            )
            weights[term] = (tuple(docs), tuple(values))
        return idf, weights

    @classmethod
    def build(
        cls,
        claims: Iterable[Claim],
        words_of: Callable[[str], tuple[list[str], set[str]]],
        cues: dict[str, str] | None = None,
    ) -> ClaimIndex:
        """`words_of(text)`: a text's words as the matcher reads them (normalised, canonical), and the
        attributes its cue phrases name; `cues`: a few words that name each attribute (for the headlines)."""
        cues = cues or {}
        ids, about, attribute, lengths = [], [], [], []
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for doc, claim in enumerate(claims):
            counts: dict[str, float] = {}
            texts = [(claim.text, 1.0), *((q, 1.0) for q in claim.asked), (claim.title, TITLE_WEIGHT)]
            if (
                claim.headline and claim.attribute in cues
            ):  # a topic's summary on an attribute answers it broadly
                texts.append((cues[claim.attribute], CUE_WEIGHT))
            for text, weight in texts:
                words, attributes = words_of(text)
                for term in [*terms(words), *(f"@{a}" for a in attributes)]:
                    counts[term] = counts.get(term, 0.0) + weight
            ids.append(claim.id)
            about.append(list(claim.about))
            attribute.append(claim.attribute or "")
            lengths.append(sum(counts.values()))
            for term, count in counts.items():
                docs, counts_of = postings.setdefault(term, ([], []))
                docs.append(doc)
                counts_of.append(count)
        return cls(ids, about, attribute, lengths, postings)

    def state(self) -> dict:
        return {
            "ids": self.ids,
            "about": self.about,
            "attribute": self.attribute,
            "lengths": self.lengths,
            "idf": self.idf,
            "weights": self.weights,  # the postings, weighed: all a search reads (raw counts are not kept)
        }

    @classmethod
    def restore(cls, state: dict) -> ClaimIndex:
        weighed = (state["idf"], state["weights"])
        return cls(state["ids"], state["about"], state["attribute"], state["lengths"], {}, weighed)

    def search(
        self,
        query: Query,
        topics: Sequence[str] = (),
        attributes: Sequence[str] = (),
        limit: int = 5,
        around: Sequence[str] = (),
    ) -> list[Found]:
        """The claims that best answer a question, best first. `topics`: those the question names;
        `around`: the services they belong to (a claim about those is no narrower than the question);
        `attributes`: those it asks about, the matcher's reading first (claims on them count more)."""
        n = len(self.ids)
        scores = [0.0] * n
        covered = [0.0] * n
        touched: set[int] = set()
        total = 0.0
        unseen = math.log(1 + n + 0.5)  # the idf of a word no claim has
        informative, names, common = query.informative, query.names, self.common
        for term, weight in query.terms.items():
            own = term in informative
            postings = self.weights.get(term)
            idf = self.idf.get(term, unseen)
            if own:
                total += weight * idf
            if postings is None or (not own and term in names) or len(postings[0]) > common:
                # a topic's own name is the topic prior's business, not the words'; a word in a fifth of
                # the claims ("cluster", "task") tells them little apart
                continue
            docs, values = postings
            touched.update(docs)
            if own:
                share = weight * idf
                for doc, value in zip(docs, values, strict=True):
                    scores[doc] += weight * value
                    covered[doc] += share
            else:
                for doc, value in zip(docs, values, strict=True):
                    scores[doc] += weight * value
        # the priors reorder the best candidates by words; they cannot lift a claim from far below
        best = heapq.nlargest(CANDIDATES, touched, key=scores.__getitem__)
        wanted = self._mask(topics)
        count = wanted.bit_count()
        context = wanted | self._mask(around)
        on = set().union(*(self.on.get(a, set()) for a in attributes)) if attributes else set()
        ranked = []
        for doc in best:
            score = scores[doc]
            if count:
                about = self.about_masks[doc]
                share = (wanted & about).bit_count() / count
                score *= (1 + TOPIC_BOOST * share) if share else OFF_TOPIC
                extra = (about & ~context).bit_count()
                if extra:
                    score *= EXTRA_TOPIC**extra
            if doc in on:
                score *= 1 + ATTRIBUTE_BOOST
            ranked.append((score, -doc))
        ranked.sort(reverse=True)
        return [
            Found(self.ids[-doc], score, covered[-doc] / total if total else 0.0)
            for score, doc in ranked[:limit]
        ]

    def _mask(self, topics: Iterable[str]) -> int:
        """Topics as a bit mask (one bit per topic any claim is about), for fast set arithmetic."""
        mask = 0
        for topic in topics:
            mask |= self.bits.get(topic, 0)
        return mask
