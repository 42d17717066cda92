"""What the examples teach beyond the models: descriptive names of topics ("aws's in-house orchestrator" ->
ECS) and situation cues ("half the team has CKA" -> the team knows Kubernetes), mined as word runs that go
with one label far more often than not."""

from __future__ import annotations

from collections import Counter

from .features import NEGATION_REACH
from .phrases import NEGATORS

NAME_MIN_COUNT = 2  # a descriptive name must label its topic in at least this many examples
NAME_PRECISION = 0.6  # ... and in this share of the examples it appears in
NAME_MAX_WORDS = 3


def learn_names(
    rows: list[tuple[tuple[str, ...], set[str], set[str]]],
    stop: frozenset[str],
    names: frozenset[str] = frozenset(),
    edge: frozenset[str] | None = None,
) -> list[tuple[tuple[str, ...], str]]:
    """Descriptive names of topics: word runs that, in examples labelled with a topic the rules did not
    find by name, stand for that topic ("aws's in-house orchestrator" -> ecs, "where aws keeps" -> ecr).

    rows: (canonical words, labelled topics, topics found by name) per example; names: the words of the
    topics' own names, which a learned name may not contain."""
    edge = stop if edge is None else edge
    with_topic: Counter = Counter()
    seen: Counter = Counter()
    for words, labelled, named in rows:
        grams = set()
        for size in range(1, NAME_MAX_WORDS + 1):
            for i in range(len(words) - size + 1):
                gram = words[i : i + size]
                if gram[0] in edge or gram[-1] in edge or all(w in stop for w in gram):
                    continue  # a name neither starts nor ends with a function word, nor is only filler
                if any(w in names for w in gram):
                    continue  # a run with a topic's own name in it ("ecs feature") would steal that name
                grams.add(gram)
        for gram in grams:
            seen[gram] += 1
            for topic in labelled - named:
                with_topic[gram, topic] += 1
    found = []
    owners = Counter(gram for (gram, _), count in with_topic.items() if count >= NAME_MIN_COUNT)
    for (gram, topic), count in with_topic.items():
        # a name stands for one topic: a run that goes with several ("simpler") describes, it does not name
        least = NAME_MIN_COUNT + (1 if len(gram) == 1 else 0)  # one word alone must prove itself more often
        if count >= least and count / seen[gram] >= NAME_PRECISION and owners[gram] == 1:
            found.append((gram, topic))
    # keep the longest runs: a shorter run inside a longer one of the same topic adds nothing
    found.sort(key=lambda gt: (-len(gt[0]), gt))
    kept: list[tuple[tuple[str, ...], str]] = []
    for gram, topic in found:
        text = " " + " ".join(gram) + " "
        if not any(t == topic and text in " " + " ".join(g) + " " for g, t in kept):
            kept.append((gram, topic))
    return kept


CUE_MIN_COUNT = 3  # a situation cue must carry its value in at least this many examples
CUE_PRECISION = 0.8  # ... and in this share of the recommendation examples it appears in


def learn_cues(
    rows: list[tuple[tuple[str, ...], tuple[int, ...], dict[str, str]]],
    stop: frozenset[str],
    names: frozenset[str] = frozenset(),
    subjects: dict[str, frozenset[str]] | None = None,
) -> list[tuple[tuple[str, ...], str]]:
    """Situation cues: word runs that, in recommendation examples, go with one criterion's value
    ("nobody here knows k8s" -> team_k8s=no, "set and forget" -> simplicity=yes).

    rows: (canonical words, clause of each word, situation labels) per recommendation example. A run under a
    negation ("we don't run k8s") is not counted: the finder flips a cue it finds negated. `subjects`: per
    criterion, the words its written cues are made of; a learned cue must name one of them, so that it
    states what it asserts ("k8s on prem" may say a team runs Kubernetes, "prem today" may not)."""
    labelled: Counter = Counter()
    seen: Counter = Counter()
    for words, clauses, situation in rows:
        grams = set()
        # two words at least: one word alone ("upgrade", "money", "small") names a topic, not a situation
        for size in range(2, NAME_MAX_WORDS + 1):
            for i in range(len(words) - size + 1):
                gram = words[i : i + size]
                if gram[0] in stop or gram[-1] in stop or any(w.isdigit() or w in names for w in gram):
                    continue  # "upgrades ecs" (from "... upgrades, ecs or eks?") says nothing of the team
                if _under_negation(words, clauses, i) and not any(w in NEGATORS for w in gram):
                    continue
                grams.add(gram)
        for gram in grams:
            seen[gram] += 1
            for criterion, value in situation.items():
                labelled[gram, f"{criterion}={value}"] += 1
    found = [
        (gram, target)
        for (gram, target), count in labelled.items()
        if count >= CUE_MIN_COUNT
        and count / seen[gram] >= CUE_PRECISION
        and (subjects is None or not subjects.get(target.split("=")[0], frozenset()).isdisjoint(gram))
    ]
    found.sort(key=lambda gt: (-len(gt[0]), gt))
    kept: list[tuple[tuple[str, ...], str]] = []
    for gram, target in found:
        text = " " + " ".join(gram) + " "
        if not any(t == target and text in " " + " ".join(g) + " " for g, t in kept):
            kept.append((gram, target))
    return kept


def _under_negation(words: tuple[str, ...], clauses: tuple[int, ...], start: int) -> bool:
    return any(
        words[j] in NEGATORS and clauses[j] == clauses[start]
        for j in range(max(0, start - NEGATION_REACH), start)
    )
