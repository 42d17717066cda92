"""The decision engine: the criteria of the knowledge file weighed, vetoes applied, and the pick explained.

The same scoring serves a recommendation read from free text (where unanswered criteria stay open and a
close call gives no pick) and the guided choice (where every criterion was asked and a level result falls
back to the knowledge file's default).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..knowledge.model import Criterion, Knowledge, Veto
from .codes import format_code


@dataclass(frozen=True)
class Decision:
    pick: str | None
    scores: dict[str, int]
    reasons: list[str] = field(default_factory=list)
    against: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    code: str = ""
    vetoes: list[str] = field(default_factory=list)  # hard requirements that decided the pick
    conflict: list[str] = field(default_factory=list)  # hard requirements that pick different services


def next_question(knowledge: Knowledge, answers: dict[str, str]) -> Criterion | None:
    return next((c for c in knowledge.criteria if c.id not in answers), None)


def applicable_vetoes(knowledge: Knowledge, answers: dict[str, str]) -> list[Veto]:
    """The hard requirements every answer of which was given."""
    return [v for v in knowledge.vetoes if all(answers.get(c) == value for c, value in v.when.items())]


def decide(
    knowledge: Knowledge, answers: dict[str, str], complete: bool = False, said: dict[str, str] | None = None
) -> Decision:
    """Vetoes first (a need only one service meets decides), then the soft weights. ``said``: per criterion,
    the user's words that stated it, quoted after each reason they gave."""
    services = knowledge.services
    scores = {s: 0 for s in services}
    chosen = []
    for criterion in knowledge.criteria:
        option = criterion.option(answers.get(criterion.id, ""))
        if option is None:
            continue
        chosen.append((criterion, option))
        for topic, weight in option.weights.items():
            scores[topic] = scores.get(topic, 0) + weight
    vetoes = applicable_vetoes(knowledge, answers)
    if len({v.pick for v in vetoes}) > 1:
        # two hard requirements that no single service meets together: no weight can settle that
        return Decision(
            None, scores, code=format_code(knowledge, answers), conflict=[v.reason for v in vetoes]
        )
    ranked = sorted(services, key=lambda s: -scores[s])
    lead = scores[ranked[0]] - scores[ranked[1]] if len(ranked) > 1 else scores[ranked[0]]
    pick: str | None = ranked[0] if lead >= knowledge.settings.decide_margin else None
    if vetoes:
        pick = vetoes[0].pick
    if pick is None and complete:
        pick = ranked[0] if lead > 0 else knowledge.default_pick
    if pick is None:
        # too close to call: what was read, for each side and for neither, so the user sees why it is open
        read: list[tuple[int, int, str]] = []
        for c, o in chosen:
            side = max(o.weights, key=lambda t: o.weights[t], default=None)
            name = knowledge.topics[side].name if side in knowledge.topics else side
            text = (f"For {name}: " if side else "") + _quoted(o.reason, (said or {}).get(c.id))
            read.append((-max(o.weights.values(), default=0), len(read), text))
        # what pulls hardest first, what decides nothing last
        return Decision(None, scores, [t for *_, t in sorted(read)], code=format_code(knowledge, answers))
    reasons, against, changes = _explain(knowledge, answers, chosen, pick, vetoes, said or {})
    if not reasons and not vetoes:
        reasons = [knowledge.default_reason]
    hard = [_quoted(v.reason, *((said or {}).get(c) for c in v.when)) for v in vetoes]
    return Decision(pick, scores, reasons, against, changes, format_code(knowledge, answers), hard)


def _quoted(reason: str, *words: str | None) -> str:
    """A reason with the user's words that gave it: (you said: "must also run on gke")."""
    quotes = "; ".join(f'"{w}"' for w in dict.fromkeys(w for w in words if w))
    return f"{reason} (you said: {quotes})" if quotes else reason


def _explain(
    knowledge: Knowledge,
    answers: dict[str, str],
    chosen: list,
    pick: str,
    vetoes: list[Veto],
    said: dict[str, str],
):
    """(reasons for the pick, reasons against it, what would change it) from the options chosen."""
    other = next(s for s in knowledge.services if s != pick)
    vetoed = {c for v in vetoes for c in v.when}
    reasons = [
        _quoted(o.reason, None if c.id in vetoed else said.get(c.id))
        for c, o in chosen
        if o.weights.get(pick, 0) > 0
    ]
    against = [_quoted(o.reason, said.get(c.id)) for c, o in chosen if o.weights.get(other, 0) > 0]
    # What would change it: answers not given (or given the other way) that pull towards the other service;
    # after a veto, only dropping that hard requirement would.
    levers = []
    for veto in vetoes:
        for criterion_id, value in veto.when.items():
            criterion = knowledge.criterion(criterion_id)
            # dropping the requirement changes it; answers that still favour the pick ("we use Helm") do not
            levers += [
                (100, o.condition)
                for o in (criterion.options if criterion else ())
                if o.value != value and not o.weights.get(pick, 0)
            ]
    for criterion in knowledge.criteria if not vetoes else ():
        current = answers.get(criterion.id)
        for option in criterion.options:
            if option.value != current and option.weights.get(other, 0) > 0:
                levers.append((option.weights[other], option.condition))
    levers.sort(key=lambda lw: -lw[0])
    return reasons, against, [condition for _, condition in levers[:3]]


def decide_message(
    knowledge: Knowledge,
    answers: dict[str, str],
    lean: str | None = None,
    lean_p: float = 0.0,
    said: dict[str, str] | None = None,
) -> Decision:
    """A recommendation for a free-text message: the criteria read from it decide when they can; when they
    leave it open, the pick the examples' model leans to decides if it is sure enough, with its reason."""
    decision = decide(knowledge, answers, said=said)
    if (
        decision.pick is not None
        or decision.conflict  # two hard requirements that pull apart: no lean can settle that
        or lean not in knowledge.services
        or lean_p < knowledge.settings.lean_threshold
        or decision.scores.get(next(s for s in knowledge.services if s != lean), 0) > 0  # a real trade-off
        or _only_neutral(knowledge, answers)
    ):
        return decision
    topic = knowledge.topics[lean]
    use_case = topic.facts.get("use_case")
    reason = f"What you describe reads like the teams {topic.name} suits best" + (
        f": {use_case.text[0].lower()}{use_case.text[1:]}" if use_case else "."
    )
    chosen = [(c, o) for c in knowledge.criteria if (o := c.option(answers.get(c.id, ""))) is not None]
    reasons, against, changes = _explain(knowledge, answers, chosen, lean, [], said or {})
    return Decision(lean, decision.scores, reasons + [reason], against, changes, decision.code)


def _only_neutral(knowledge: Knowledge, answers: dict[str, str]) -> bool:
    """The message states something, and all it states the knowledge says decides nothing (GPUs, own hardware,
    per-node agents): the pick model must not turn "we need GPUs" into a pick the reasons would contradict."""
    chosen = [o for c in knowledge.criteria if (o := c.option(answers.get(c.id, ""))) is not None]
    return bool(chosen) and not any(o.weights for o in chosen)


def disagreeing_picks(knowledge: Knowledge) -> list[tuple[int, str]]:
    """Recommendation examples whose labelled pick the criteria contradict: the situation they state decides
    for one service (or a veto does) and the example says another. Examples teach the pick model, so they
    must agree with the rules that explain the picks."""
    out = []
    for example in knowledge.examples.items:
        if example.kind != "recommendation" or not example.situation:
            continue
        pick = decide(knowledge, dict(example.situation)).pick
        if pick is not None and pick != example.pick:
            out.append(
                (
                    example.line,
                    f"example '{example.text[:60]}' picks {example.pick or 'null'}, but its situation "
                    f"({' '.join(f'{c}={v}' for c, v in example.situation)}) decides {pick}",
                )
            )
    return out


def deciding_questions(knowledge: Knowledge, answers: dict[str, str], limit: int = 2) -> list[Criterion]:
    """The unanswered criteria whose answer alone would settle a recommendation the answers leave open,
    the weightiest first: what the bot asks next ("Do you already run Kubernetes?")."""
    if decide(knowledge, answers).pick is not None:
        return []
    found: list[tuple[int, int, Criterion]] = []
    for criterion in knowledge.criteria:
        if criterion.id in answers:
            continue
        settles = [o for o in criterion.options if decide(knowledge, {**answers, criterion.id: o.value}).pick]
        if settles:
            weight = max(sum(o.weights.values()) for o in settles)
            found.append((-weight, len(found), criterion))
    return [c for _, _, c in sorted(found)[:limit]]
