"""The knowledge file's `recommendation.checklists`: guided-choice questions answered by ticking what applies.

A checklist asks several things at once ("Do any of these hard requirements apply?"): each box is a veto (its
answers given together) or one answer to a criterion (`answer: kubernetes=yes`). A ticked box is that answer;
a box left unticked only rules it out. The criteria, weights and vetoes keep their meaning: a checklist is
another way to ask them, so the guided choice can settle in a few questions."""

from __future__ import annotations

from typing import Any

from .guided_limits import CODE_ID, MAX_LABEL, MAX_OPTION_TEXT, MAX_OPTIONS
from .model import Checklist, Criterion, Tick, Veto
from .reader import line_of
from .schema import Checker, declared, ids


def checklists(
    checker: Checker, raw: Any, criteria: tuple[Criterion, ...], vetoes: tuple[Veto, ...]
) -> tuple[Checklist, ...]:
    """Every checklist, each tick naming a known veto or a criterion and one of its values; ids are unique
    among checklists and criteria (each is a block of the guided-choice modal)."""
    if not isinstance(raw, dict) or "checklists" not in raw:
        return ()
    taken = {c.id for c in criteria}
    # an entry the file declares but got wrong is reported where it is, once: not again here, as unknown
    named = declared(raw.get("vetoes")) | declared(raw.get("criteria"))
    out = []
    for line, item in ids(checker, raw["checklists"], "checklist", line_of(raw, "checklists")):
        what = f"checklist '{item.get('id')}'" if isinstance(item, dict) else "checklist"
        if not checker.record(item, line, what, {"id": "str", "question": "text", "ticks": "list"}, {}):
            continue
        if not CODE_ID.fullmatch(item["id"]) or item["id"] in taken:
            checker.error(
                line_of(item, "id"),
                f"{what}: the id must be lowercase letters, digits and '_', and no criterion's",
            )
        if len(item["question"]) > MAX_LABEL:
            checker.error(line_of(item, "question"), f"{what}: the question is over {MAX_LABEL} characters")
        if not 1 <= len(item["ticks"]) <= MAX_OPTIONS:
            checker.error(
                line_of(item, "ticks"),
                f"{what}: 1 to {MAX_OPTIONS} ticks (Slack shows {MAX_OPTIONS} checkboxes)",
            )
        ticks = [
            t
            for j, raw_tick in enumerate(item["ticks"])
            if (t := _tick(checker, raw_tick, line_of(item["ticks"], j), what, (criteria, vetoes, named)))
        ]
        if len(set(ticks)) < len(ticks):
            checker.error(line_of(item, "ticks"), f"{what}: the same box twice")
        out.append(Checklist(item["id"], " ".join(item["question"].split()), tuple(ticks)))
    return tuple(out)


def _tick(
    checker: Checker,
    raw: Any,
    line: int,
    what: str,
    known: tuple[tuple[Criterion, ...], tuple[Veto, ...], set[str]],
) -> Tick | None:
    """One box; `known`: the criteria and vetoes read, and every id the file declares."""
    criteria, vetoes, named = known
    if not checker.record(raw, line, f"{what} tick", {"label": "text"}, {"veto": "str", "answer": "str"}):
        return None
    label = " ".join(raw["label"].split())
    if len(label) > MAX_OPTION_TEXT:
        checker.error(
            line_of(raw, "label"),
            f"{what}: tick label is {len(label)} characters; a checkbox shows {MAX_OPTION_TEXT}",
        )
    if ("veto" in raw) == ("answer" in raw):
        checker.error(line, f"{what}: a tick names either a 'veto' or an 'answer' (criterion=value)")
        return None
    if "veto" in raw:
        if raw["veto"] not in {v.id for v in vetoes}:
            if raw["veto"] not in named:
                checker.error(line_of(raw, "veto"), f"{what}: unknown veto '{raw['veto']}'")
            return None
        return Tick(label, veto=raw["veto"])
    criterion_id, _, value = raw["answer"].partition("=")
    criterion = next((c for c in criteria if c.id == criterion_id), None)
    if criterion is None and criterion_id in named:
        return None
    if criterion is None or criterion.option(value) is None:
        takes = f" ({criterion.id} takes {'/'.join(o.value for o in criterion.options)})" if criterion else ""
        checker.error(line_of(raw, "answer"), f"{what}: '{raw['answer']}' is not criterion=value{takes}")
        return None
    return Tick(label, criterion=criterion_id, value=value)
