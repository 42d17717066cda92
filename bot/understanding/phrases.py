"""What the rules are sure of: names with typo tolerance, cue phrases, negation, foreign meanings.

Every phrase comes from the knowledge file (topic names and aliases, attribute and intent cues, situation
cues, foreign names) or is learned from its examples (descriptive names such as "aws's managed k8s"). A
phrase matches whole words; a word the vocabulary does not know is read as the vocabulary word it is one
typo away from ("kubernets", "esc"), never as a word of another length class ("weeks" is not "eks").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import _lru_cache_wrapper, lru_cache

from ..knowledge.model import Knowledge
from .normalise import Normalised, normalise

NEGATORS = frozenset(
    "no not never dont doesnt didnt without nobody none nothing zero neither nor noone "
    "cant wont isnt arent havent hasnt hardly".split()
)
NEGATION_WINDOW = 5
CRITERION_GAP = 2  # words a situation cue may skip ("only use aws" in "we only use aws")


@dataclass(frozen=True)
class Phrase:
    kind: str  # topic | attribute | intent | criterion | exclusion | domain | requirement
    target: str  # topic id, attribute id, intent id, "criterion=value", exclusion id
    text: str
    tokens: tuple[str, ...]
    gap: int = 0
    weak: bool = False
    learned: bool = False  # a descriptive name learned from the examples, not written in the knowledge


@dataclass(frozen=True, eq=False)
class Hit:
    phrase: Phrase
    start: int
    end: int  # exclusive
    score: float
    matched: str
    negated: bool = False


@dataclass
class Evidence:
    """The phrases found in one message, sorted out."""

    norm: Normalised
    hits: list[Hit]
    canon: list[tuple[str, float]]
    topic_hits: list[Hit] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # in order of first mention
    asked_topics: list[str] = field(default_factory=list)  # those named in the sentence that asks
    attr_hits: list[Hit] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)
    out_of_scope: list[str] = field(default_factory=list)  # out-of-scope intents, in the knowledge's order
    exclusions: list[Hit] = field(default_factory=list)
    situation: dict[str, str] = field(default_factory=dict)
    said: dict[str, str] = field(default_factory=dict)  # criterion id -> the words of the message that say it
    domain: bool = False

    def of_kind(self, kind: str) -> list[Hit]:
        return self.by_kind.get(kind, [])

    @property
    def by_kind(self) -> dict[str, list[Hit]]:
        grouped = self.__dict__.get("_by_kind")
        if grouped is None:
            grouped = {}
            for hit in self.hits:
                grouped.setdefault(hit.phrase.kind, []).append(hit)
            self.__dict__["_by_kind"] = grouped
        return grouped


def _allowed_distance(length: int) -> int:
    return 1 if length <= 8 else 2


def make_phrases(k: Knowledge) -> list[Phrase]:
    """Every cue phrase the knowledge file declares."""

    def make(kind: str, target: str, text: str, gap: int = 0, weak: bool = False) -> Phrase | None:
        tokens = normalise(text).tokens
        return Phrase(kind, target, text, tokens, gap, weak) if tokens else None

    out: list[Phrase | None] = []
    for topic in k.topics.values():
        # a topic's own names are aliases too ("Amazon EKS Anywhere")
        names = dict.fromkeys(a.lower() for a in (*topic.aliases, topic.name, topic.full_name))
        out += [make("topic", topic.id, alias) for alias in names]
    for attr in k.attributes.values():
        out += [make("attribute", attr.id, cue) for cue in attr.cues]
        out += [make("attribute", attr.id, cue, weak=True) for cue in attr.weak_cues]
    for intent in k.intents.values():
        out += [make("intent", intent.id, cue) for cue in intent.cues]
    for exclusion in k.exclusions:
        out += [make("exclusion", exclusion.id, cue) for cue in exclusion.cues]
    out += [make("domain", "domain", cue) for cue in k.domain_cues]
    out += [make("requirement", "requirement", cue) for cue in k.requirement_cues]
    for criterion in k.criteria:
        for option in criterion.options:
            target = f"{criterion.id}={option.value}"
            out += [make("criterion", target, cue, CRITERION_GAP) for cue in option.cues]
    return [p for p in out if p is not None]


class Finder:
    """Built once per knowledge file; ``find`` is then cheap and thread-safe (its cache is pure)."""

    def __init__(
        self,
        knowledge: Knowledge,
        phrases: list[Phrase],
        vocabulary: Iterable[str] = (),
        only: tuple[str, ...] = (),
        words_of: Finder | None = None,
    ):
        """``only``: look for phrases of these kinds alone (all phrases still make up the vocabulary);
        ``words_of``: a finder with the same vocabulary whose typed-word cache this one may share."""
        self.knowledge = knowledge
        self.phrases = phrases
        self.by_first: dict[str, list[Phrase]] = {}
        own: set[str] = set(knowledge.filler)
        for phrase in phrases:
            if not only or phrase.kind in only:
                self.by_first.setdefault(phrase.tokens[0], []).append(phrase)
            own.update(phrase.tokens)
        for bucket in self.by_first.values():
            bucket.sort(key=lambda p: -len(p.tokens))
        # what hits() needs of each phrase, worked out once: (phrase, words, second word, gapped, all words)
        self._starting = {
            first: [
                (p, len(p.tokens), p.tokens[1] if len(p.tokens) > 1 else None, bool(p.gap), p.tokens)
                for p in ps
            ]
            for first, ps in self.by_first.items()
        }
        self.own = frozenset(own)  # the words of the knowledge's own phrases
        self.names = frozenset(p.tokens[0] for p in phrases if p.kind == "topic" and len(p.tokens) == 1)
        # the words of topic names: a typo of one of them ("kubernets", "contianer") is read as the name even
        # where the examples happen to contain the same typo
        self._name_words: dict[tuple[str, int], list[str]] = {}
        for word in sorted({w for p in phrases if p.kind == "topic" and not p.learned for w in p.tokens}):
            if len(word) >= 5:  # filler words too: "contianer" in "elastic contianer service" is "container"
                self._name_words.setdefault((word[0], len(word)), []).append(word)
        vocab = own | set(vocabulary)
        self.vocab = frozenset(vocab)
        # Fuzzy candidates share the first letter and lie within two letters of the length: look only there,
        # the cost of an unknown word grows with its bucket, not with the whole vocabulary.
        self._buckets: dict[tuple[str, int], list[str]] = {}
        for word in sorted(vocab):
            self._buckets.setdefault((word[0], len(word)), []).append(word)
        # Only words that need the fuzzy look-up are cached: the words that stand for themselves (the
        # knowledge's own, numbers, short or non-Latin ones, every CJK pair) cost a set look-up. The cache
        # churns with whatever people write, and the memory a churning cache holds on to grows with its size:
        # 4,096 words keep a conversation's working set and level off within a few hundred messages.
        self._typed: _lru_cache_wrapper[tuple[str, float]] = (
            words_of._typed if words_of is not None else lru_cache(maxsize=4096)(self._typed_word)
        )
        self.forget_typed_words: Callable[[], None] = self._typed.cache_clear  # benchmarks time a cold cache

    def canonical(self, token: str) -> tuple[str, float]:
        """The vocabulary word a typed word stands for, with a similarity in 0..1."""
        if token in self.own or token.isdigit() or len(token) < 3 or not token.isascii():
            return token, 1.0
        return self._typed(token)

    def _typed_word(self, token: str) -> tuple[str, float]:
        if token.endswith("s") and token[:-1] in self.names:
            return token[:-1], 1.0  # a topic's name with a possessive ("eks's" -> "ekss" -> "eks")
        if len(token) >= 5:
            name = self._closest(token, self._name_words)
            if name is not None:
                return name
        if token in self.vocab:
            return token, 1.0
        return self._closest(token, self._buckets) or (token, 0.0)

    @staticmethod
    def _closest(token: str, buckets: dict[tuple[str, int], list[str]]) -> tuple[str, float] | None:
        from rapidfuzz import process  # imported on the first unknown word: most starts never need it
        from rapidfuzz.distance import OSA

        limit = _allowed_distance(len(token)) + (1 if len(token) >= 9 else 0)
        pool = [
            w
            for n in range(len(token) - limit, len(token) + limit + 1)
            for w in buckets.get((token[0], n), ())
        ]
        if not pool:
            return None
        candidates = process.extract(
            token, pool, scorer=OSA.distance, processor=None, score_cutoff=limit, limit=4
        )
        best: tuple[str, float] | None = None
        for word, distance, _ in candidates:
            similarity = _similarity(word, token, distance)
            if similarity and (best is None or similarity > best[1]):
                best = (word, similarity)
        return best

    # ------------------------------------------------------------------------------------------ finding

    def hits(self, tokens: tuple[str, ...], clauses: tuple[int, ...] = ()):
        canon = [self.canonical(t) for t in tokens]
        words = [c[0] for c in canon]
        clauses = clauses or (0,) * len(tokens)
        found: list[Hit] = []
        n = len(words)
        present = set(words)
        negators = any(w in NEGATORS for w in words)
        starting = self._starting
        for i, word in enumerate(words):
            candidates = starting.get(word)
            if candidates is None:
                continue
            following = words[i + 1] if i + 1 < n else None
            for phrase, size, second, gapped, needed in candidates:
                if size > 1:
                    if gapped:
                        if not present.issuperset(needed):
                            continue  # a word of the cue is missing altogether
                    elif following != second:
                        continue  # cheap early exit: most phrases starting with "what" are not "what is"
                    end, score = self._extend(phrase, words, canon, i)
                    if end is None:
                        continue
                else:
                    end, score = i + 1, canon[i][1]
                negated = negators and phrase.kind == "criterion" and self._negated(words, clauses, i, phrase)
                found.append(Hit(phrase, i, end, score, " ".join(tokens[i:end]), negated))
        return found, canon

    @staticmethod
    def _extend(phrase: Phrase, words: list[str], canon, start: int):
        """(end, mean similarity) of the phrase at `start` (up to `gap` words skipped), or (None, 0)."""
        total = canon[start][1]
        pos = start + 1
        gaps = 0
        n = len(words)
        for needed in phrase.tokens[1:]:
            while pos < n and words[pos] != needed and gaps < phrase.gap:
                pos += 1
                gaps += 1
            if pos >= n or words[pos] != needed:
                return None, 0.0
            total += canon[pos][1]
            pos += 1
        return pos, total / len(phrase.tokens)

    @staticmethod
    def _negated(words: list[str], clauses, start: int, phrase: Phrase) -> bool:
        if any(t in NEGATORS for t in phrase.tokens):
            return False  # the cue already says "no kubernetes"
        return any(
            words[j] in NEGATORS and clauses[j] == clauses[start]
            for j in range(max(0, start - NEGATION_WINDOW), start)
        )

    def find(self, norm: Normalised) -> Evidence:
        k = self.knowledge
        hits, canon = self.hits(norm.tokens, norm.clauses)
        ev = Evidence(norm, hits, canon)
        exclusions = ev.of_kind("exclusion")
        dropped = {t for h in exclusions for ex in k.exclusions if ex.id == h.phrase.target for t in ex.drops}
        # Topics: longest non-overlapping names, then drop those a foreign name reclaims ("bevy ecs").
        topic_hits = [h for h in _non_overlapping(ev.of_kind("topic")) if h.phrase.target not in dropped]
        ev.topic_hits = sorted(topic_hits, key=lambda h: h.start)
        ev.exclusions = exclusions
        weights = norm.weights or (1.0,) * len(norm.tokens)
        top = max(weights, default=1.0)
        for hit in ev.topic_hits:
            if hit.phrase.target not in ev.topics:
                ev.topics.append(hit.phrase.target)
            if max(weights[hit.start : hit.end]) >= top and hit.phrase.target not in ev.asked_topics:
                ev.asked_topics.append(hit.phrase.target)
        # An attribute word that is part of a topic's own name ("what is a control plane") is the name.
        ev.attr_hits = [
            h
            for h in ev.of_kind("attribute")
            if not any(t.start <= h.start and h.end <= t.end for t in ev.topic_hits)
        ]
        ev.intents = {h.phrase.target for h in ev.of_kind("intent")}
        ev.out_of_scope = [i.id for i in k.intents.values() if i.out_of_scope and i.id in ev.intents]
        ev.situation, ev.said = self._situation(ev.of_kind("criterion"), ev.of_kind("requirement"), norm)
        ev.domain = bool(ev.of_kind("domain"))
        return ev

    def _situation(
        self, hits: list[Hit], needs: list[Hit], norm: Normalised
    ) -> tuple[dict[str, str], dict[str, str]]:
        """(criterion id -> option value, criterion id -> the words that say it), from situation cues.

        A negated cue flips to the criterion's `negated` value; a cue in a clause that states a need ("must",
        "required", "have to") takes the criterion's `required` value, so that "we use helm" is a use of
        Kubernetes tooling and "a vendor requires us to run their helm chart" a requirement."""
        k = self.knowledge
        votes: dict[str, dict[str, int]] = {}
        said: dict[str, tuple[int, Hit]] = {}
        clauses = norm.clauses or (0,) * len(norm.tokens)
        needed = {clauses[h.start] for h in needs if h.start < len(clauses)}
        # A cue inside a longer one of the same criterion ("keep up with upgrades" inside "cant keep up with
        # upgrades") is the same evidence, and must not vote again (with the longer one's negator, wrongly).
        # Words two criteria's cues share are read as the one that says more of them: "want to learn
        # kubernetes" is learning it, not wanting Kubernetes itself; "also run on gke" is another cloud, not
        # a Kubernetes cluster the team runs.
        hits = [h for h in hits if not any(_outweighs(o, h) for o in hits)]
        for hit in hits:
            criterion_id, value = hit.phrase.target.split("=", 1)
            criterion = k.criterion(criterion_id)
            if hit.negated and criterion is not None:
                # "we can't justify a platform team": a negated cue of one answer is a cue of the other
                value = criterion.negated.get(value) or next(
                    (key for key, v in criterion.negated.items() if v == value), value
                )
            elif criterion is not None and value in criterion.required and clauses[hit.start] in needed:
                value = criterion.required[value]
            size = len(hit.phrase.tokens)
            votes.setdefault(criterion_id, {}).setdefault(value, 0)
            votes[criterion_id][value] += size
            if size > said.get(f"{criterion_id}={value}", (0, hit))[0]:
                said[f"{criterion_id}={value}"] = (size, hit)
        situation = {}
        for criterion_id, counts in votes.items():
            ranked = sorted(counts.items(), key=lambda kv: -kv[1])
            if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
                situation[criterion_id] = ranked[0][0]
        quotes = {c: _quote(norm, said[f"{c}={v}"][1]) for c, v in situation.items() if f"{c}={v}" in said}
        return situation, quotes


QUOTE_WORDS = 9  # at most this many words of the message quoted back as what said a criterion
# words a quote stops at: what comes after "but" is another thought ("uses kubectl daily | but we only run")
QUOTE_STOPS = frozenset("but although though while whereas because so and or".split())


def _outweighs(o: Hit, h: Hit) -> bool:
    """Cue `o` takes the words cue `h` shares with it: `h` lies inside `o`, of the same criterion, and `o` is
    longer; or, of another criterion, `h` is one word inside written `o`, or skips words `o` reads word for
    word."""
    if o is h or o.start >= h.end or h.start >= o.end:
        return False
    inside = o.start <= h.start and h.end <= o.end
    if o.phrase.target.split("=", 1)[0] == h.phrase.target.split("=", 1)[0]:
        return inside and o.end - o.start > h.end - h.start
    if inside and len(h.phrase.tokens) == 1 and len(o.phrase.tokens) > 1 and not o.phrase.learned:
        return True  # a name inside a written phrase ("gke" in "also run on gke") is that phrase's
    # a cue read across skipped words yields to one read word for word ("want to hire kubernetes engineers" is
    # hiring, not "want ... kubernetes"); two cues read word for word both stand ("kubernetes on prem")
    return h.end - h.start > len(h.phrase.tokens) and o.end - o.start == len(o.phrase.tokens)


def _quote(norm: Normalised, hit: Hit) -> str:
    """The words of the message around a cue, within its clause: what the user said ("must also run on
    gke"), quoted back with the reason it gave, so that a misreading shows at once."""
    tokens = norm.tokens
    clauses = norm.clauses or (0,) * len(tokens)
    clause = clauses[hit.start]
    start, end = hit.start, hit.end
    before = lambda: start > 0 and clauses[start - 1] == clause and tokens[start - 1] not in QUOTE_STOPS  # noqa: E731
    after = lambda: end < len(tokens) and clauses[end] == clause and tokens[end] not in QUOTE_STOPS  # noqa: E731
    while end - start < QUOTE_WORDS and (before() or after()):
        if before():
            start -= 1
        if end - start < QUOTE_WORDS and after():
            end += 1
    return " ".join(tokens[start:end])


def _non_overlapping(hits: list[Hit]) -> list[Hit]:
    chosen: list[Hit] = []
    taken: set[int] = set()
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), -h.score, h.start)):
        span = set(range(hit.start, hit.end))
        if not span & taken:
            chosen.append(hit)
            taken |= span
    return chosen


def word_similarity(a: str, b: str) -> float:
    """How alike two words are within the typo tolerance (0 when one would not be read as the other)."""
    from rapidfuzz.distance import OSA

    return 1.0 if a == b else _similarity(a, b, OSA.distance(a, b))


def _similarity(a: str, b: str, distance: int) -> float:
    """1 - distance / length for two words within the typo tolerance; 0 when one would not be read as
    the other (another first letter, too many edits, or a short word not a swapped pair: "esc" is "ecs")."""
    longest = max(len(a), len(b))
    if distance > _allowed_distance(longest) or a[0] != b[0]:
        return 0.0
    if longest <= 4 and (len(a) != len(b) or sorted(a) != sorted(b)):
        return 0.0
    return 1 - distance / longest
