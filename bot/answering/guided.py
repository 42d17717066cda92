"""The guided choice, a few questions at a time: the deciding question first, and a stop as soon as no answer
left can change the verdict.

The verdict is the guided choice's recommendation for the answers given, the questions not asked (or
answered "Not sure") counting for neither service: `decide(..., complete=True)`. A question is a criterion
(one answer, or "Not sure") or a checklist of the knowledge file (tick what applies: a ticked box is an
answer, a box left unticked rules that answer out). The choice is `settled` when every way of answering the
questions left, within what was ruled out, gives the same verdict: it stops there, exactly, and the user
can still answer more to be sure. Which question comes next is read from the criteria's weights and vetoes:
of the questions with answers still open, the one whose answers pull furthest apart (a veto counts as a
decisive pull)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Union

from ..knowledge.model import Checklist, Criterion, Knowledge, Tick
from .decision import decide

NOT_SURE = ""  # the answer to a question the user cannot answer: it weighs nothing and vetoes nothing
VETO_PULL = 10  # a hard requirement decides whatever the weights say: it outweighs any answer
Step = Union[Criterion, Checklist]  # noqa: UP007  (a runtime alias: isinstance reads its parts)
Reply = Union[str, Iterable[Tick]]  # noqa: UP007  a criterion's value (or NOT_SURE), or the boxes ticked


@dataclass(frozen=True)
class Progress:
    """What the guided choice knows: the answers (NOT_SURE included), the answers and hard requirements a
    checklist ruled out, and the questions asked, in order."""

    answers: dict[str, str] = field(default_factory=dict)
    ruled_out: frozenset[tuple[str, str]] = frozenset()  # (criterion, value) left unticked
    vetoes_out: frozenset[str] = frozenset()  # hard requirements left unticked
    asked: tuple[str, ...] = ()  # criterion and checklist ids

    def given(self) -> dict[str, str]:
        return given(self.answers)


def given(answers: dict[str, str]) -> dict[str, str]:
    """The answers that say something (without "Not sure")."""
    return {c: v for c, v in answers.items() if v != NOT_SURE}


def verdict(knowledge: Knowledge, answers: dict[str, str]) -> str | None:
    """The service the guided choice recommends for these answers; None when hard requirements conflict."""
    key = (id(knowledge), frozenset(given(answers).items()))
    if key not in _VERDICTS:
        if len(_VERDICTS) > 200_000:
            _VERDICTS.clear()
        _VERDICTS[key] = decide(knowledge, given(answers), complete=True).pick
    return _VERDICTS[key]


_VERDICTS: dict[tuple[int, frozenset], str | None] = {}


# ------------------------------------------------------------------------------------- what can still be


def possible(criterion: Criterion, progress: Progress) -> list[str]:
    """The answers a criterion can still take: the one given, else its options and "Not sure" less those ruled
    out."""
    if criterion.id in progress.answers:
        return [progress.answers[criterion.id]]
    values = [o.value for o in criterion.options] + [NOT_SURE]
    return [v for v in values if (criterion.id, v) not in progress.ruled_out]


def lean(knowledge: Knowledge, criterion: Criterion, value: str) -> int:
    """How far an answer pulls towards the second service (negative: the first)."""
    option = criterion.option(value) if value != NOT_SURE else None
    if option is None:
        return 0
    first, last = knowledge.services[0], knowledge.services[-1]
    return option.weights.get(last, 0) - option.weights.get(first, 0)


def verdicts(knowledge: Knowledge, progress: Progress) -> set[str | None]:
    """Every verdict some way of answering the questions left gives (exact: the criteria are independent, so
    a criterion no veto names counts only through its lowest and highest pull)."""
    vetoed = list(dict.fromkeys(c for v in knowledge.vetoes for c in v.when))
    low = high = 0
    for criterion in knowledge.criteria:
        if criterion.id not in vetoed:
            pulls = [lean(knowledge, criterion, v) for v in possible(criterion, progress)]
            low, high = low + min(pulls), high + max(pulls)
    classes = []  # per criterion a veto names: each veto value it can take, and (None) any other value
    for criterion_id in vetoed:
        named_criterion = knowledge.criterion(criterion_id)
        assert named_criterion is not None  # the loader checks every veto names a criterion
        values = possible(named_criterion, progress)
        named = {v.when[criterion_id] for v in knowledge.vetoes if criterion_id in v.when}
        leans = {v: lean(knowledge, named_criterion, v) for v in values}
        cls: list[tuple[str | None, int, int]] = [(v, leans[v], leans[v]) for v in values if v in named]
        others = [leans[v] for v in values if v not in named]
        if others:
            cls.append((None, min(others), max(others)))
        classes.append(cls)
    out: set[str | None] = set()
    for combo in itertools.product(*classes):
        chosen = {c: value for c, (value, _, _) in zip(vetoed, combo, strict=True)}
        out |= _outcomes(
            knowledge, progress, chosen, low + sum(x[1] for x in combo), high + sum(x[2] for x in combo)
        )
    return out


def _outcomes(knowledge: Knowledge, progress: Progress, chosen: dict, low: int, high: int) -> set[str | None]:
    fired = [v for v in knowledge.vetoes if all(chosen.get(c) == value for c, value in v.when.items())]
    # a hard requirement left unticked fires only if its answers were all given after all
    if any(v.id in progress.vetoes_out and any(c not in progress.answers for c in v.when) for v in fired):
        return set()
    picks = {v.pick for v in fired}
    if picks:
        return {picks.pop()} if len(picks) == 1 else {None}
    first, last = knowledge.services[0], knowledge.services[-1]
    out: set[str | None] = set()
    if high > 0:
        out.add(last)
    if low < 0:
        out.add(first)
    if low <= 0 <= high:
        out.add(knowledge.default_pick)
    return out


def settled(knowledge: Knowledge, progress: Progress) -> bool:
    """No way of answering the questions left changes the verdict."""
    return len(verdicts(knowledge, progress)) <= 1


# ---------------------------------------------------------------------------------------- what to ask


def live_ticks(knowledge: Knowledge, checklist: Checklist, progress: Progress) -> tuple[Tick, ...]:
    """The boxes of a checklist still worth showing: answers still open, hard requirements still possible."""
    out = []
    for tick in checklist.ticks:
        if tick.veto:
            veto = knowledge.veto(tick.veto)
            when = veto.when if veto else {}
            if (
                tick.veto not in progress.vetoes_out
                and any(c not in progress.answers for c in when)
                and all(
                    progress.answers.get(c, v) == v and (c, v) not in progress.ruled_out
                    for c, v in when.items()
                )
            ):
                out.append(tick)
        elif (
            tick.criterion not in progress.answers and (tick.criterion, tick.value) not in progress.ruled_out
        ):
            out.append(tick)
    return tuple(out)


def pull(knowledge: Knowledge, step: Step, progress: Progress | None = None) -> int:
    """How far a question's answers still pull apart: the spread of (second service - first) over its open
    answers, a hard requirement counting as a decisive pull towards its service."""
    progress = progress or Progress()
    if isinstance(step, Checklist):
        leans = [_tick_lean(knowledge, t) for t in live_ticks(knowledge, step, progress)]
        return sum(x for x in leans if x > 0) - sum(x for x in leans if x < 0)
    pulls = [0]
    for value in possible(step, progress):
        veto_pull = sum(
            VETO_PULL if v.pick == knowledge.services[-1] else -VETO_PULL
            for v in knowledge.vetoes
            if v.when.get(step.id) == value and v.id not in progress.vetoes_out
        )
        pulls.append(lean(knowledge, step, value) + veto_pull)
    return max(pulls) - min(pulls)


def _tick_lean(knowledge: Knowledge, tick: Tick) -> int:
    if tick.veto:
        veto = knowledge.veto(tick.veto)
        return VETO_PULL if veto and veto.pick == knowledge.services[-1] else -VETO_PULL
    criterion = knowledge.criterion(tick.criterion)
    return lean(knowledge, criterion, tick.value) if criterion else 0


def next_step(knowledge: Knowledge, progress: Progress) -> Step | None:
    """The deciding question: None once the verdict is settled; else, of the questions not asked whose answers
    are still open, the one whose answers pull furthest apart (the knowledge file's order breaks ties,
    checklists first)."""
    if settled(knowledge, progress):
        return None
    steps: list[Step] = [c for c in knowledge.checklists if c.id not in progress.asked]
    steps += [c for c in knowledge.criteria if c.id not in progress.answers]
    ranked = [(pull(knowledge, s, progress), -i, s) for i, s in enumerate(steps)]
    best = max(ranked, key=lambda r: (r[0], r[1]), default=None)
    return best[2] if best is not None and best[0] > 0 else None


def answer(knowledge: Knowledge, progress: Progress, step: Step, reply: Reply) -> Progress:
    """The progress after one reply: a criterion's value (or NOT_SURE), or a checklist's ticked boxes (of its
    live ones; the first box ticked for a criterion counts, a box left unticked rules its answer out)."""
    if isinstance(step, Criterion):
        assert isinstance(reply, str)
        return replace(
            progress, answers={**progress.answers, step.id: reply}, asked=(*progress.asked, step.id)
        )
    ticked = set(reply) if not isinstance(reply, str) else set()
    answers, ruled_out, vetoes_out = dict(progress.answers), set(progress.ruled_out), set(progress.vetoes_out)
    for tick in live_ticks(knowledge, step, progress):
        veto = knowledge.veto(tick.veto) if tick.veto else None
        if tick in ticked:
            pairs = veto.when.items() if veto else [(tick.criterion, tick.value)]
            answers.update({c: v for c, v in pairs if c not in answers})
        elif veto is not None:
            vetoes_out.add(veto.id)
            if len(veto.when) == 1:  # a requirement of one answer: that answer is ruled out
                ruled_out.update((c, v) for c, v in veto.when.items() if c not in answers)
        elif tick.criterion not in answers:
            ruled_out.add((tick.criterion, tick.value))
    return Progress(answers, frozenset(ruled_out), frozenset(vetoes_out), (*progress.asked, step.id))


def remaining(knowledge: Knowledge, progress: Progress) -> Criterion | None:
    """Once the verdict is settled, "answer more to be sure": the questions not answered, in the file's
    order."""
    return next((c for c in knowledge.criteria if c.id not in progress.answers), None)


# ------------------------------------------------------------------------------- respondents and the tree

Respondent = Callable[[Step, tuple[Tick, ...]], Reply]


def respondent(knowledge: Knowledge, stated: dict[str, str]) -> Respondent:
    """Someone who knows only what `stated` says: they tick the boxes it makes true and answer "Not sure" to
    the rest."""

    def reply(step: Step, ticks: tuple[Tick, ...]) -> Reply:
        if isinstance(step, Criterion):
            return stated.get(step.id, NOT_SURE)
        return [t for t in ticks if all(stated.get(c) == v for c, v in _pairs(knowledge, t))]

    return reply


def _pairs(knowledge: Knowledge, tick: Tick) -> list[tuple[str, str]]:
    veto = knowledge.veto(tick.veto) if tick.veto else None
    return list(veto.when.items()) if veto else [(tick.criterion, tick.value)]


def walk(knowledge: Knowledge, reply: Respondent, progress: Progress | None = None) -> Progress:
    """The guided choice with one respondent, until it stops."""
    progress = progress or Progress()
    while (step := next_step(knowledge, progress)) is not None:
        ticks = live_ticks(knowledge, step, progress) if isinstance(step, Checklist) else ()
        progress = answer(knowledge, progress, step, reply(step, ticks))
    return progress


def replies(knowledge: Knowledge, step: Step, progress: Progress) -> Sequence[Reply]:
    """Every reply a question takes: each answer and "Not sure", or each combination of its boxes."""
    if isinstance(step, Criterion):
        return list(possible(step, progress))
    ticks = live_ticks(knowledge, step, progress)
    return [list(c) for n in range(len(ticks) + 1) for c in itertools.combinations(ticks, n)]


@dataclass(frozen=True)
class Tree:
    """How many questions the guided choice asks over every path of its question tree."""

    paths: int
    weighted: float  # each reply to a question equally likely (a checklist: every combination of boxes)
    per_path: float  # each path counted once
    longest: tuple[str, ...]  # the questions of one longest path (ids)


def tree(knowledge: Knowledge) -> Tree:
    leaves: list[tuple[int, float]] = []
    longest: tuple[str, ...] = ()

    def grow(progress: Progress, chance: float) -> None:
        nonlocal longest
        step = next_step(knowledge, progress)
        if step is None:
            leaves.append((len(progress.asked), chance))
            longest = max(longest, progress.asked, key=len)
            return
        options = replies(knowledge, step, progress)
        for reply in options:
            grow(answer(knowledge, progress, step, reply), chance / len(options))

    grow(Progress(), 1.0)
    return Tree(
        len(leaves),
        sum(d * p for d, p in leaves),
        sum(d for d, _ in leaves) / len(leaves),
        longest,
    )


# ------------------------------------------------------------------------------------ carried elsewhere


def to_data(progress: Progress) -> dict:
    """Progress as plain data (a modal carries it between its steps in private_metadata)."""
    return {
        "a": dict(progress.answers),
        "o": sorted(f"{c}={v}" for c, v in progress.ruled_out),
        "v": sorted(progress.vetoes_out),
        "q": list(progress.asked),
    }


def from_data(knowledge: Knowledge, data: object) -> Progress | None:
    """Progress carried back, trusted only as far as it names what the knowledge has, else None."""
    if not isinstance(data, dict):
        return None
    answers, ruled, vetoes, asked = data.get("a"), data.get("o"), data.get("v"), data.get("q")
    if not (isinstance(answers, dict) and all(isinstance(x, list) for x in (ruled, vetoes, asked))):
        return None
    assert isinstance(ruled, list) and isinstance(vetoes, list) and isinstance(asked, list)
    pairs = [p.partition("=")[::2] if isinstance(p, str) else ("", "") for p in ruled]
    steps = {c.id for c in knowledge.criteria} | {c.id for c in knowledge.checklists}
    if not (
        all(_known(knowledge, c, v) for c, v in answers.items())
        and all(_known(knowledge, c, v) and v != NOT_SURE for c, v in pairs)
        and all(isinstance(v, str) and knowledge.veto(v) for v in vetoes)
        and all(isinstance(s, str) and s in steps for s in asked)
    ):
        return None
    return Progress(dict(answers), frozenset(pairs), frozenset(vetoes), tuple(asked))


def _known(knowledge: Knowledge, criterion_id: object, value: object) -> bool:
    criterion = knowledge.criterion(criterion_id) if isinstance(criterion_id, str) else None
    return (
        criterion is not None
        and isinstance(value, str)
        and (value == NOT_SURE or bool(criterion.option(value)))
    )
