"""Message -> kind, topics, attribute, situation and confidence.

The matcher reads a message as evidence, not as one string to look up: it finds topic names, attribute
words, intent words (what is / vs / which should), situation cues (criteria) and foreign names, each as
whole words with typo tolerance, and then decides what kind of question it is. Words it cannot explain
lower its confidence, so chatter that merely mentions "ecs" is not answered as a question about ECS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .knowledge import Knowledge
from .text import Normalised, normalise

NEGATORS = frozenset(
    "no not never dont doesnt didnt without nobody none zero neither nor "
    "cant wont isnt arent havent hasnt".split()
)
NEGATION_WINDOW = 5
CRITERION_GAP = 2  # words a situation cue may skip ("only use aws" in "we only use aws")
# How much each unexplained word costs, as a share of the message: short questions that are mostly
# unknown words are chatter; long situational messages are allowed more context.
UNKNOWN_PENALTY = 1.25
UNKNOWN_PENALTY_SITUATION = 0.5
FOREIGN_PENALTY = 0.5


@dataclass(frozen=True)
class Phrase:
    kind: str  # topic | attribute | intent | criterion | exclusion | domain
    target: str  # topic id, attribute id, intent id, "criterion=value", exclusion id
    text: str
    tokens: tuple[str, ...]
    gap: int = 0
    weak: bool = False


@dataclass(frozen=True, eq=False)
class Hit:
    phrase: Phrase
    start: int
    end: int  # exclusive
    score: float
    matched: str
    negated: bool = False


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

    @property
    def phrasing(self) -> str:
        """The phrases that decided the answer, as 'phrase ~ words (score)'."""
        return "; ".join(
            f"{h.phrase.kind} '{h.phrase.text}' ~ '{h.matched}' ({h.score:.2f})" for h in self.evidence
        )


def _allowed_distance(length: int) -> int:
    if length <= 3:
        return 1  # only as a transposition, checked below
    if length <= 8:
        return 1
    return 2


class Matcher:
    """Built once per knowledge file; ``match`` is then cheap and thread-safe (caches are pure)."""

    def __init__(self, knowledge: Knowledge, threshold: float | None = None):
        self.knowledge = knowledge
        self.threshold = knowledge.settings.threshold if threshold is None else threshold
        self.phrases = self._phrases(knowledge)
        self.by_first: dict[str, list[Phrase]] = {}
        vocab: set[str] = set(knowledge.filler)
        for phrase in self.phrases:
            self.by_first.setdefault(phrase.tokens[0], []).append(phrase)
            vocab.update(phrase.tokens)
        for bucket in self.by_first.values():
            bucket.sort(key=lambda p: -len(p.tokens))
        self.vocab = frozenset(vocab)
        # Fuzzy candidates share the first letter and lie within two letters of the length: look only there,
        # the cost of an unknown word grows with its bucket, not with the whole vocabulary.
        self._buckets: dict[tuple[str, int], list[str]] = {}
        for word in sorted(vocab):
            self._buckets.setdefault((word[0], len(word)), []).append(word)
        self.canonical = lru_cache(maxsize=8192)(self._canonical)

    # ------------------------------------------------------------------------------------------- setup

    @staticmethod
    def _phrases(k: Knowledge) -> list[Phrase]:
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
        for criterion in k.criteria:
            for option in criterion.options:
                target = f"{criterion.id}={option.value}"
                out += [make("criterion", target, cue, CRITERION_GAP) for cue in option.cues]
        return [p for p in out if p is not None]

    def _canonical(self, token: str) -> tuple[str, float]:
        """The vocabulary word a typed word stands for, with a similarity in 0..1."""
        if token in self.vocab or token.isdigit() or len(token) < 3:
            return token, 1.0
        from rapidfuzz import process  # imported on the first unknown word: most starts never need it
        from rapidfuzz.distance import OSA

        limit = _allowed_distance(len(token)) + (1 if len(token) >= 9 else 0)
        pool = [
            w
            for n in range(len(token) - limit, len(token) + limit + 1)
            for w in self._buckets.get((token[0], n), ())
        ]
        if not pool:
            return token, 0.0
        candidates = process.extract(
            token, pool, scorer=OSA.distance, processor=None, score_cutoff=limit, limit=4
        )
        best: tuple[str, float] | None = None
        for word, distance, _ in candidates:
            longest = max(len(word), len(token))
            if distance > _allowed_distance(longest) or word[0] != token[0]:
                continue
            if longest <= 4 and (len(word) != len(token) or sorted(word) != sorted(token)):
                continue  # short words: only a swapped pair of letters ("esc" for "ecs")
            similarity = 1 - distance / longest
            if best is None or similarity > best[1]:
                best = (word, similarity)
        return best or (token, 0.0)

    # ------------------------------------------------------------------------------------------ finding

    def find(
        self, tokens: tuple[str, ...], clauses: tuple[int, ...] = ()
    ) -> tuple[list[Hit], list[tuple[str, float]]]:
        canon = [self.canonical(t) for t in tokens]
        words = [c[0] for c in canon]
        clauses = clauses or (0,) * len(tokens)
        found: list[tuple[Phrase, int, int, float]] = []
        n = len(words)
        for i, word in enumerate(words):
            for phrase in self.by_first.get(word, ()):
                if (
                    len(phrase.tokens) > 1
                    and not phrase.gap
                    and (i + 1 >= n or words[i + 1] != phrase.tokens[1])
                ):
                    continue  # cheap early exit: most phrases starting with "what" are not "what is"
                end, scores = self._extend(phrase, words, canon, i)
                if end is not None:
                    found.append((phrase, i, end, sum(scores) / len(scores)))
        hits = []
        for phrase, i, end, score in found:
            negated = phrase.kind == "criterion" and self._negated(words, clauses, i, phrase)
            hits.append(Hit(phrase, i, end, score, " ".join(tokens[i:end]), negated))
        return hits, canon

    @staticmethod
    def _extend(phrase: Phrase, words: list[str], canon, start: int):
        scores = [canon[start][1]]
        pos = start + 1
        gaps = 0
        for needed in phrase.tokens[1:]:
            while pos < len(words) and words[pos] != needed and gaps < phrase.gap:
                pos += 1
                gaps += 1
            if pos >= len(words) or words[pos] != needed:
                return None, scores
            scores.append(canon[pos][1])
            pos += 1
        return pos, scores

    @staticmethod
    def _negated(words: list[str], clauses, start: int, phrase: Phrase) -> bool:
        if any(t in NEGATORS for t in phrase.tokens):
            return False  # the cue already says "no kubernetes"
        return any(
            words[j] in NEGATORS and clauses[j] == clauses[start]
            for j in range(max(0, start - NEGATION_WINDOW), start)
        )

    # ----------------------------------------------------------------------------------------- deciding

    def match(self, raw: str, normalised: Normalised | None = None) -> Match:
        norm = normalised or normalise(raw)
        k = self.knowledge
        if not norm.tokens:
            return Match(
                "help", [], None, 0.9, normalised=norm.text, threshold=self.threshold, reason="empty"
            )
        hits, canon = self.find(norm.tokens, norm.clauses)
        by_kind: dict[str, list[Hit]] = {}
        for hit in hits:
            by_kind.setdefault(hit.phrase.kind, []).append(hit)

        # Topics: longest non-overlapping names, then drop those a foreign name reclaims ("bevy ecs").
        topic_hits = self._non_overlapping(by_kind.get("topic", []))
        exclusions = by_kind.get("exclusion", [])
        dropped = {t for h in exclusions for ex in k.exclusions if ex.id == h.phrase.target for t in ex.drops}
        topic_hits = [h for h in topic_hits if h.phrase.target not in dropped]
        foreign = bool(exclusions)

        intents = {h.phrase.target for h in by_kind.get("intent", [])}
        # in the knowledge file's order, so the hint given is the same on every run
        oos = [i for i in k.intents.values() if i.out_of_scope and i.id in intents]
        situation = self._situation(by_kind.get("criterion", []))
        attr_hits = by_kind.get("attribute", [])

        chosen = {id(h) for h in topic_hits}
        explained = set()
        for hit in hits:
            if hit.phrase.kind != "topic" or id(hit) in chosen:
                explained.update(range(hit.start, hit.end))
        counted = [i for i, t in enumerate(norm.tokens) if not t.isdigit()]
        unknown = [i for i in counted if i not in explained and canon[i][0] not in k.filler]
        unknown_ratio = len(unknown) / len(counted) if counted else 0.0

        topics_in_order: list[str] = []
        for hit in sorted(topic_hits, key=lambda h: h.start):
            if hit.phrase.target not in topics_in_order:
                topics_in_order.append(hit.phrase.target)
        topic_quality = min((h.score for h in topic_hits), default=1.0)

        base = dict(normalised=norm.text, threshold=self.threshold, unknown_words=len(unknown))
        evidence = sorted(
            [h for h in hits if h.phrase.kind != "topic" or id(h) in chosen], key=lambda h: (h.start, -h.end)
        )

        # An attribute word that is part of a topic's own name ("what is a control plane") is the name.
        attr_hits = [
            h for h in attr_hits if not any(t.start <= h.start and h.end <= t.end for t in topic_hits)
        ]
        topic_len: dict[str, int] = {}
        for hit in topic_hits:
            topic_len[hit.phrase.target] = max(topic_len.get(hit.phrase.target, 0), hit.end - hit.start)
        kind, topics, attribute, confidence, reason = self._decide(
            topics_in_order, topic_len, intents, attr_hits, situation, by_kind, unknown_ratio
        )
        if kind not in ("help", "fallback"):
            confidence *= topic_quality
        if foreign and kind != "fallback":
            both_services = sum(t in k.services for t in topics_in_order) >= 2
            if not (kind == "recommendation" and both_services):
                confidence *= FOREIGN_PENALTY
                reason += "; names something outside AWS's container services"
        if oos:
            strong_choice = kind == "recommendation" and "recommendation" in intents
            if not strong_choice:
                return Match(
                    "fallback",
                    [],
                    None,
                    0.9,
                    situation,
                    evidence,
                    self._suggest(topics_in_order),
                    oos[0].hint,
                    reason=f"out of scope: {oos[0].id}",
                    **base,
                )
        if kind == "fallback" or confidence < self.threshold:
            suggestions = self._suggest(topics_in_order)
            return Match(
                "fallback",
                [],
                None,
                round(max(0.0, min(1.0, 1 - confidence)), 2),
                situation,
                evidence,
                suggestions,
                reason=f"not sure ({reason}, confidence {confidence:.2f})",
                **base,
            )
        suggestions = self._close_calls(kind, topics, attr_hits)
        return Match(
            kind,
            topics,
            attribute,
            round(min(1.0, confidence), 2),
            situation,
            evidence,
            suggestions,
            reason=reason,
            **base,
        )

    @staticmethod
    def _non_overlapping(hits: list[Hit]) -> list[Hit]:
        chosen: list[Hit] = []
        taken: set[int] = set()
        for hit in sorted(hits, key=lambda h: (-(h.end - h.start), -h.score, h.start)):
            span = set(range(hit.start, hit.end))
            if not span & taken:
                chosen.append(hit)
                taken |= span
        return chosen

    def _situation(self, hits: list[Hit]) -> dict[str, str]:
        """criterion id -> option value, from situation cues (negation flips to the criterion's `negated`)."""
        votes: dict[str, dict[str, int]] = {}
        for hit in hits:
            criterion_id, value = hit.phrase.target.split("=", 1)
            if hit.negated:
                criterion = self.knowledge.criterion(criterion_id)
                value = criterion.negated.get(value, value) if criterion else value
            votes.setdefault(criterion_id, {}).setdefault(value, 0)
            votes[criterion_id][value] += len(hit.phrase.tokens)
        situation = {}
        for criterion_id, counts in votes.items():
            ranked = sorted(counts.items(), key=lambda kv: -kv[1])
            if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
                situation[criterion_id] = ranked[0][0]
        return situation

    def _pick_attribute(self, attr_hits: list[Hit], implied: list[tuple[str, int]] = ()) -> str | None:
        """The most specific attribute asked about: priority, then the longest phrase; a word of the message
        beats one implied by a topic's name on a tie."""
        k = self.knowledge
        candidates = [
            (
                (not h.phrase.weak, k.attributes[h.phrase.target].priority, len(h.phrase.tokens), 1),
                h.phrase.target,
            )
            for h in attr_hits
        ]
        candidates += [((True, k.attributes[a].priority, length, 0), a) for a, length in implied]
        return max(candidates)[1] if candidates else None

    def _decide(self, topics, topic_len, intents, attr_hits, situation, by_kind, unknown_ratio):
        k = self.knowledge
        services = [t for t in topics if t in k.services]
        strong_rec = "recommendation" in intents
        weak_rec = "recommendation_weak" in intents
        comparing = "comparison" in intents
        domain = bool(by_kind.get("domain"))
        penalty = max(0.0, 1 - UNKNOWN_PENALTY * unknown_ratio)
        soft_penalty = max(0.0, 1 - UNKNOWN_PENALTY_SITUATION * unknown_ratio)

        # The subject topics: a topic that only says which attribute is meant ("is ECS built on Kubernetes",
        # "the EKS control plane") steps aside when another topic is the subject, unless the message compares
        # exactly those two ("eks vs kubernetes").
        primary = list(topics)
        implied: list[tuple[str, int]] = []
        implying = [t for t in topics if k.topics[t].implies]
        others = [t for t in topics if not k.topics[t].implies]
        if implying and others and not (comparing and len(others) == 1 and len(implying) == 1):
            primary = others
            implied = [(k.topics[t].implies, topic_len[t]) for t in implying]
        elif implying and not others and not comparing:
            primary = topics[:1]  # "the control plane in kubernetes": the first concept is the subject
        attribute = self._pick_attribute(attr_hits, implied)
        explicit_attr = bool(attr_hits)

        # Choosing between services: an explicit ask, or "X or Y", or a situation described at length.
        situational = len(situation)
        if services or domain or situational:
            if strong_rec and (services or domain or situational):
                return "recommendation", list(k.services), None, 0.95 * soft_penalty, "asks which to choose"
            if weak_rec and len(services) >= 2 and (situational or not explicit_attr) and not comparing:
                return (
                    "recommendation",
                    list(k.services),
                    None,
                    0.85 * soft_penalty,
                    "'X or Y' between services",
                )
            if situational >= 2 and (services or domain or not topics):
                conf = min(0.95, 0.75 + 0.05 * situational) * soft_penalty
                return "recommendation", list(k.services), None, conf, "describes a situation"
            if situational and weak_rec and (services or domain):
                return "recommendation", list(k.services), None, 0.85 * soft_penalty, "situation and a choice"

        if not topics:
            if strong_rec:  # "which should we use?" asked of this bot is about its services
                return "recommendation", list(k.services), None, 0.7 * penalty, "asks which to choose"
            if "help" in intents:
                return "help", [], None, 0.9 * penalty if unknown_ratio < 0.5 else 0.0, "greeting or help"
            return "fallback", [], None, 0.0, "no topic found"

        if len(primary) >= 2:
            pair = primary[:2]
            conf = (0.95 if comparing or weak_rec else 0.75) * penalty
            return "comparison", sorted(pair), attribute, conf, "two topics"
        subject = primary[0]
        if attribute:
            conf = (0.9 if explicit_attr else 0.85) * penalty
            if comparing and not explicit_attr:
                conf = 0.8 * penalty
            return "attribute", [subject], attribute, conf, f"asks about {attribute}"
        if "definition" in intents:
            return "definition", [subject], None, 0.95 * penalty, "asks what it is"
        if "help" in intents and unknown_ratio < 0.5:
            return "definition", [subject], None, 0.8 * penalty, "names a topic"
        return "definition", [subject], None, 0.75 * penalty, "names a topic"

    def _suggest(self, topics: list[str]) -> list[str]:
        """'Did you mean' questions: what the named topics are, and the ECS/EKS comparison and choice."""
        k = self.knowledge
        out: list[str] = []
        for topic in topics[:2]:
            out.append(f"What is {k.topics[topic].name}?")
        services = k.services
        if any(t in services for t in topics) or not topics:
            names = " and ".join(k.topics[s].name.split()[-1] for s in services)
            out.append(f"Compare {names}")
            out.append(f"Which should we use, {' or '.join(k.topics[s].name.split()[-1] for s in services)}?")
        return list(dict.fromkeys(out))[:3]

    def _close_calls(self, kind: str, topics: list[str], attr_hits: list[Hit]) -> list[str]:
        """Other attributes the message scored as high as the chosen one: offered as 'did you mean'."""
        if kind not in ("attribute", "comparison") or len({h.phrase.target for h in attr_hits}) < 2:
            return []
        k = self.knowledge
        best = self._pick_attribute(attr_hits)
        if best is None:
            return []
        ranked = {
            h.phrase.target: (not h.phrase.weak, k.attributes[h.phrase.target].priority, len(h.phrase.tokens))
            for h in attr_hits
        }
        ties = [a for a, r in ranked.items() if a != best and r == ranked[best]]
        subject = " and ".join(k.topics[t].name for t in topics)
        return [f"{k.attributes[a].name} of {subject}" for a in ties][:2]


def confusables(knowledge: Knowledge, threshold: float | None = None) -> list[tuple[int, str]]:
    """Phrasings of two different entries of the same kind that the matcher could take for one another:
    equal, or alike word for word within the matcher's typo tolerance, scoring at or above the threshold."""
    matcher = Matcher(knowledge, threshold)
    limit = matcher.threshold
    by_kind: dict[str, list[Phrase]] = {}
    for phrase in matcher.phrases:
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
                    words = [_word_similarity(x, y) for x, y in zip(a.tokens, b.tokens, strict=True)]
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


def _word_similarity(a: str, b: str) -> float:
    from rapidfuzz.distance import OSA

    if a == b:
        return 1.0
    longest = max(len(a), len(b))
    distance = OSA.distance(a, b)
    if distance > _allowed_distance(longest) or a[0] != b[0]:
        return 0.0
    if longest <= 4 and (len(a) != len(b) or sorted(a) != sorted(b)):
        return 0.0
    return 1 - distance / longest
