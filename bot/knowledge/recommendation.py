"""The knowledge file's `recommendation` section: the criteria the guided choice asks, their weights and
cues, the vetoes (hard requirements only one service meets) and the default pick."""

from __future__ import annotations

from typing import Any

from .model import Criterion, Option, Veto, weighed
from .reader import List, line_of
from .schema import Checker, ids, phrases


def recommendation(checker: Checker, raw: Any, topics: set[str]):
    if not checker.record(
        raw,
        line_of(raw),
        "recommendation",
        {"domain_cues": "strlist", "criteria": "list", "default": "map"},
        {"vetoes": "list", "requirement_cues": "strlist", "checklists": "list"},
    ):
        return (), (), ("", ""), (), ()
    default = raw["default"]
    if (
        checker.record(
            default, line_of(raw, "default"), "recommendation default", {"pick": "str", "reason": "text"}, {}
        )
        and default["pick"] not in topics
    ):
        checker.error(line_of(default, "pick"), f"recommendation default: unknown topic '{default['pick']}'")
    criteria = []
    for line, item in ids(checker, raw["criteria"], "criterion", line_of(raw, "criteria")):
        what = f"criterion '{item.get('id')}'" if isinstance(item, dict) else "criterion"
        if not checker.record(
            item,
            line,
            what,
            {"id": "str", "question": "text", "options": "list"},
            {"negated": "map", "subject": "strlist", "required": "map"},
        ):
            continue
        options = []
        values: set[str] = set()
        for j, opt in enumerate(item["options"]):
            opt_line = line_of(item["options"], j)
            if not checker.record(
                opt,
                opt_line,
                f"{what} option",
                {"value": "str", "label": "text", "weights": "map", "reason": "text", "condition": "text"},
                {"cues": "strlist"},
            ):
                continue
            if opt["value"] in values:
                checker.error(opt_line, f"{what}: duplicate option value '{opt['value']}'")
            values.add(opt["value"])
            for topic, weight in opt["weights"].items():
                if topic not in topics:
                    checker.error(
                        line_of(opt["weights"], topic), f"{what}: weight for unknown topic '{topic}'"
                    )
                elif not isinstance(weight, int) or isinstance(weight, bool):
                    checker.error(
                        line_of(opt["weights"], topic),
                        f"{what}: weight for '{topic}' must be a whole number",
                    )
            options.append(
                Option(
                    opt["value"],
                    opt["label"],
                    dict(opt["weights"]),
                    " ".join(opt["reason"].split()),
                    opt["condition"],
                    phrases(opt.get("cues", ())),
                )
            )
        negated = dict(item.get("negated", {}))
        for key, value in negated.items():
            if key not in values or value not in values:
                checker.error(
                    line_of(item, "negated"),
                    f"{what}: 'negated' maps '{key}' to '{value}', "
                    f"but the options are {', '.join(sorted(values))}",
                )
        if len(options) < 2:
            checker.error(line, f"{what}: needs at least two options")
        subject = tuple(w.lower() for w in phrases(item.get("subject", ())))
        required = _required(checker, item, what, {o.value for o in options})
        criteria.append(Criterion(item["id"], item["question"], tuple(options), negated, subject, required))
    vetoes = _vetoes(checker, raw.get("vetoes", List()), criteria, weighed(criteria))
    return (
        phrases(raw["domain_cues"]),
        tuple(criteria),
        (default.get("pick", ""), default.get("reason", "")),
        vetoes,
        phrases(raw.get("requirement_cues", ())),
    )


def _required(checker: Checker, item: Any, what: str, values: set[str]) -> dict[str, str]:
    """`required`: option value -> the value it becomes when a need is stated; both must be options."""
    raw = item.get("required", {})
    out = {}
    for value, stated in raw.items():
        if value not in values or stated not in values:
            checker.error(
                line_of(raw, value),
                f"{what}: required maps option values to option values ({'/'.join(sorted(values))}), "
                f"not '{value}: {stated}'",
            )
        else:
            out[str(value)] = str(stated)
    return out


def _vetoes(checker: Checker, raw: Any, criteria: list[Criterion], services: set[str]) -> tuple[Veto, ...]:
    """Hard requirements: every `when` names a known criterion and one of its values; `pick` is a service."""
    known = {c.id: c for c in criteria}
    out = []
    for line, item in ids(checker, raw, "veto", line_of(raw)):
        what = f"veto '{item.get('id')}'" if isinstance(item, dict) else "veto"
        if not checker.record(
            item, line, what, {"id": "str", "when": "map", "pick": "str", "reason": "text"}, {}
        ):
            continue
        ok = True
        if not item["when"]:
            checker.error(line_of(item, "when"), f"{what}: 'when' names no criterion")
            ok = False
        for criterion_id, value in item["when"].items():
            value_line = line_of(item["when"], criterion_id)
            criterion = known.get(criterion_id)
            if criterion is None:
                checker.error(value_line, f"{what}: unknown criterion '{criterion_id}'")
                ok = False
            elif not isinstance(value, str) or criterion.option(value) is None:
                values = "/".join(o.value for o in criterion.options)
                checker.error(value_line, f"{what}: {criterion_id} takes {values}, not '{value}'")
                ok = False
        if item["pick"] not in services:
            checker.error(
                line_of(item, "pick"),
                f"{what}: pick '{item['pick']}' is not a service the criteria weigh "
                f"({', '.join(sorted(services))})",
            )
            ok = False
        if ok:
            out.append(Veto(item["id"], dict(item["when"]), item["pick"], " ".join(item["reason"].split())))
    return tuple(out)
