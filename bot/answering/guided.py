"""The guided choice, a few questions at a time: the deciding question first, and a stop as soon as no further
answer can change the verdict.

The verdict is the guided choice's recommendation for the answers given, the questions not asked (or answered
"Not sure") counting for neither service: `decide(..., complete=True)`. It is settled when no single answer
to a question not yet asked, and no hard requirement (a veto's answers, given together), would change it; the
user can still answer more to be sure. Which question comes next is read from the criteria's weights and
vetoes: among the questions whose answer could still change the verdict, the one whose answers pull furthest
apart (a veto counts as a decisive pull)."""

from __future__ import annotations

from collections.abc import Iterator

from ..knowledge.model import Criterion, Knowledge
from .decision import decide

NOT_SURE = ""  # the answer to a question the user cannot answer: it weighs nothing and vetoes nothing
VETO_PULL = 10  # a hard requirement decides whatever the weights say: it outweighs any answer


def given(answers: dict[str, str]) -> dict[str, str]:
    """The answers that say something (without "Not sure")."""
    return {c: v for c, v in answers.items() if v != NOT_SURE}


def verdict(knowledge: Knowledge, answers: dict[str, str]) -> str | None:
    """The service the guided choice recommends for these answers; None when hard requirements conflict."""
    key = (id(knowledge), frozenset(given(answers).items()))
    if key not in _VERDICTS:
        if len(_VERDICTS) > 200_000:  # a walk over the whole tree reads each situation many times
            _VERDICTS.clear()
        _VERDICTS[key] = decide(knowledge, given(answers), complete=True).pick
    return _VERDICTS[key]


_VERDICTS: dict[tuple[int, frozenset], str | None] = {}


def _moves(knowledge: Knowledge, answers: dict[str, str]) -> Iterator[dict[str, str]]:
    """One more answer to a question not asked yet, or a hard requirement whose answers are all still open
    or given (its answers together)."""
    for criterion in knowledge.criteria:
        if criterion.id not in answers:
            for option in criterion.options:
                yield {criterion.id: option.value}
    for veto in knowledge.vetoes:
        if all(answers.get(c, v) == v for c, v in veto.when.items()) and any(
            c not in answers for c in veto.when
        ):
            yield dict(veto.when)


def settled(knowledge: Knowledge, answers: dict[str, str]) -> bool:
    """No further answer (nor hard requirement) would change the verdict."""
    now = verdict(knowledge, answers)
    return all(verdict(knowledge, {**answers, **move}) == now for move in _moves(knowledge, answers))


def pull(knowledge: Knowledge, criterion: Criterion) -> int:
    """How far a question's answers pull apart: the spread of (second service - first) over its answers and
    "Not sure", a hard requirement counting as a decisive pull towards its service."""
    services = knowledge.services
    pulls = [0]
    for option in criterion.options:
        lean = option.weights.get(services[-1], 0) - option.weights.get(services[0], 0)
        for veto in knowledge.vetoes:
            if veto.when.get(criterion.id) == option.value:
                lean += VETO_PULL if veto.pick == services[-1] else -VETO_PULL
        pulls.append(lean)
    return max(pulls) - min(pulls)


def next_question(knowledge: Knowledge, answers: dict[str, str]) -> Criterion | None:
    """The deciding question: None once the verdict is settled; else, of the questions not asked, one whose
    answer could change the verdict, the one whose answers pull furthest apart (the knowledge file's order
    breaks ties)."""
    if settled(knowledge, answers):
        return None
    now = verdict(knowledge, answers)
    order = {c.id: i for i, c in enumerate(knowledge.criteria)}

    def rank(criterion: Criterion) -> tuple[bool, int, int]:
        moves = any(verdict(knowledge, {**answers, criterion.id: o.value}) != now for o in criterion.options)
        return (moves, pull(knowledge, criterion), -order[criterion.id])

    return max((c for c in knowledge.criteria if c.id not in answers), key=rank, default=None)


def remaining(knowledge: Knowledge, answers: dict[str, str]) -> Criterion | None:
    """Once the verdict is settled, "answer more to be sure": the questions not asked, in the file's order."""
    return next((c for c in knowledge.criteria if c.id not in answers), None)


def walk(knowledge: Knowledge, answer_of) -> dict[str, str]:
    """The answers a respondent gives the guided choice until it stops (`answer_of(criterion)` -> value, or
    NOT_SURE)."""
    answers: dict[str, str] = {}
    while (criterion := next_question(knowledge, answers)) is not None:
        answers[criterion.id] = answer_of(criterion)
    return answers


def tree(knowledge: Knowledge) -> tuple[int, float, float, int]:
    """Every path of the question tree (each question's answers and "Not sure"): (paths, average length with
    each answer equally likely at each question, average over the paths, longest)."""
    leaves: list[tuple[int, float]] = []

    def grow(answers: dict[str, str], depth: int, chance: float) -> None:
        criterion = next_question(knowledge, answers)
        if criterion is None:
            leaves.append((depth, chance))
            return
        values = [o.value for o in criterion.options] + [NOT_SURE]
        for value in values:
            grow({**answers, criterion.id: value}, depth + 1, chance / len(values))

    grow({}, 0, 1.0)
    return (
        len(leaves),
        sum(d * p for d, p in leaves),
        sum(d for d, _ in leaves) / len(leaves),
        max(d for d, _ in leaves),
    )
