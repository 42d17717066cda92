"""The knowledge file's sections, each validated into its data classes: settings, attributes, topics,
comparisons, intents and exclusions (the recommendation has its own module)."""

from __future__ import annotations

from typing import Any

from .model import (
    CATEGORIES,
    Attribute,
    Comparison,
    Difference,
    Exclusion,
    Intent,
    MatchSettings,
    Topic,
)
from .reader import line_of
from .schema import Checker, ids, phrases

REQUIRED_INTENTS = ("definition", "comparison", "recommendation", "recommendation_weak", "help")


def settings_of(checker: Checker, raw: Any) -> MatchSettings:
    fields = {
        "threshold": "num",
        "channel_threshold": "num",
        "decide_margin": "int",
        "temperature": "num",
        "lean_threshold": "num",
        "overheard_skip": "strlist",
        "fact_bars": "map",
    }
    if not checker.record(raw, line_of(raw), "settings", {}, fields):
        return MatchSettings()
    bars = _bars(checker, raw["fact_bars"], line_of(raw, "fact_bars")) if "fact_bars" in raw else None
    if "fact_bars" in raw and bars is None:
        return MatchSettings()
    for key in ("threshold", "channel_threshold", "lean_threshold"):
        if key in raw and not 0 <= raw[key] <= 1:
            checker.error(line_of(raw, key), f"settings: '{key}' must be between 0 and 1")
    if "temperature" in raw and not 0.05 <= raw["temperature"] <= 20:
        checker.error(line_of(raw, "temperature"), "settings: 'temperature' must be between 0.05 and 20")
    defaults = MatchSettings()
    values = {k: raw.get(k, getattr(defaults, k)) for k in fields}
    values["overheard_skip"] = tuple(str(w).lower() for w in values["overheard_skip"])
    if bars is not None:
        values["fact_bars"] = bars
    return MatchSettings(**values)


BARS = ("answers", "rescues", "unnamed", "overrides", "defines")


def _bars(checker: Checker, raw: Any, line: int) -> tuple[tuple[float, float], ...] | None:
    """settings.fact_bars: for each of BARS, {relevance: 0..1, score: a number >= 0}."""
    if not checker.record(raw, line, "settings: 'fact_bars'", {name: "map" for name in BARS}, {}):
        return None
    out = []
    for name in BARS:
        bar, where = raw[name], line_of(raw, name)
        if not checker.record(bar, where, f"fact_bars '{name}'", {"relevance": "num"}, {"score": "num"}):
            return None
        if not 0 <= bar["relevance"] <= 1 or bar.get("score", 0) < 0:
            checker.error(where, f"fact_bars '{name}': relevance is between 0 and 1, score 0 or more")
            return None
        out.append((float(bar["relevance"]), float(bar.get("score", 0.0))))
    return tuple(out)


def attributes_of(checker: Checker, raw: Any) -> dict[str, Attribute]:
    out: dict[str, Attribute] = {}
    for line, item in ids(checker, raw, "attribute", line_of(raw)):
        if checker.record(
            item,
            line,
            "attribute",
            {"id": "str", "name": "text", "cues": "strlist"},
            {"priority": "int", "weak_cues": "strlist"},
        ):
            out[item["id"]] = Attribute(
                item["id"],
                item["name"],
                phrases(item["cues"]),
                item.get("priority", 1),
                phrases(item.get("weak_cues", ())),
            )
    return out


def topics_of(checker: Checker, raw: Any, attributes: set[str]) -> dict[str, Topic]:
    out: dict[str, Topic] = {}
    alias_owner: dict[str, str] = {}
    required = {
        "id": "str",
        "name": "text",
        "full_name": "text",
        "category": "str",
        "aliases": "strlist",
        "definition": "text",
        "source": "source",
        "as_of": "date",
    }
    optional = {"link": "source", "implies": "str", "also": "urllist"}
    for line, item in ids(checker, raw, "topic", line_of(raw)):
        what = (
            f"topic '{item['id']}'" if isinstance(item, dict) and isinstance(item.get("id"), str) else "topic"
        )
        if not checker.record(item, line, what, required, optional):
            continue
        if item["id"] != item["id"].lower() or " " in item["id"]:
            checker.error(line_of(item, "id"), f"{what}: ids are lowercase words joined by '_'")
        if item["category"] not in CATEGORIES:
            checker.error(
                line_of(item, "category"),
                f"{what}: unknown category '{item['category']}' (one of: {', '.join(CATEGORIES)})",
            )
        if "implies" in item and item["implies"] not in attributes:
            checker.error(
                line_of(item, "implies"), f"{what}: 'implies' names unknown attribute '{item['implies']}'"
            )
        for i, alias in enumerate(phrases(item["aliases"])):
            key = alias.lower()
            if key in alias_owner and alias_owner[key] != item["id"]:
                checker.error(
                    line_of(item["aliases"], i),
                    f"{what}: alias '{alias}' already belongs to topic '{alias_owner[key]}'",
                )
            alias_owner[key] = item["id"]
        out[item["id"]] = Topic(
            id=item["id"],
            name=item["name"],
            full_name=item["full_name"],
            category=item["category"],
            aliases=phrases(item["aliases"]),
            definition=" ".join(item["definition"].split()),
            source=item["source"],
            link=item.get("link"),
            implies=item.get("implies"),
            as_of=checker.dated_statement(item, f"{item['id']} (definition)"),
            also=tuple(item.get("also", ())),
        )
    return out


def comparisons_of(checker, raw, topics, attributes) -> dict[tuple[str, str], Comparison]:
    out: dict[tuple[str, str], Comparison] = {}
    if not isinstance(raw, list):
        checker.error(line_of(raw), "comparisons must be a list")
        return out
    for i, item in enumerate(raw):
        line = line_of(raw, i)
        if not checker.record(
            item,
            line,
            "comparison",
            {"topics": "strlist", "summary": "text", "source": "source", "as_of": "date"},
            {"differences": "list", "table": "strlist", "intro": "text", "also": "urllist"},
        ):
            continue
        pair = tuple(sorted(item["topics"]))
        if len(pair) != 2:
            checker.error(line_of(item, "topics"), "comparison: 'topics' must name exactly two topics")
            continue
        for topic in pair:
            if topic not in topics:
                checker.error(line_of(item, "topics"), f"comparison: unknown topic '{topic}'")
        if pair in out:
            checker.error(line, f"duplicate comparison of '{pair[0]}' and '{pair[1]}'")
        differences = []
        for j, diff in enumerate(item.get("differences", [])):
            diff_line = line_of(item["differences"], j)
            if checker.record(
                diff,
                diff_line,
                "comparison difference",
                {"attribute": "str", "text": "text", "source": "source", "as_of": "date"},
                {"also": "urllist"},
            ):
                if diff["attribute"] not in attributes:
                    checker.error(
                        line_of(diff, "attribute"),
                        f"comparison difference: unknown attribute '{diff['attribute']}'",
                    )
                as_of = checker.dated_statement(diff, f"{pair[0]} vs {pair[1]}: {diff['attribute']}")
                differences.append(
                    Difference(
                        diff["attribute"],
                        " ".join(diff["text"].split()),
                        diff["source"],
                        as_of,
                        tuple(diff.get("also", ())),
                    )
                )
        for j, attr in enumerate(item.get("table", [])):
            if attr not in attributes:
                checker.error(line_of(item["table"], j), f"comparison table: unknown attribute '{attr}'")
        out[pair] = Comparison(
            pair,
            " ".join(item["summary"].split()),
            item["source"],
            tuple(differences),
            tuple(item.get("table", ())),
            " ".join(item.get("intro", "").split()),
            checker.dated_statement(item, f"{pair[0]} vs {pair[1]}"),
            tuple(item.get("also", ())),
        )
    return out


def intents_of(checker: Checker, raw: Any) -> dict[str, Intent]:
    out: dict[str, Intent] = {}
    for line, item in ids(checker, raw, "intent", line_of(raw)):
        if checker.record(
            item, line, "intent", {"id": "str", "cues": "strlist"}, {"out_of_scope": "bool", "hint": "text"}
        ):
            out[item["id"]] = Intent(
                item["id"], phrases(item["cues"]), item.get("out_of_scope", False), item.get("hint")
            )
    for needed in REQUIRED_INTENTS:
        if needed not in out and not checker.problems:
            checker.error(line_of(raw), f"intents: the '{needed}' intent is required")
    return out


def exclusions_of(checker: Checker, raw: Any, topics: set[str]) -> tuple[Exclusion, ...]:
    out = []
    for line, item in ids(checker, raw, "exclusion", line_of(raw)):
        if checker.record(item, line, "exclusion", {"id": "str", "cues": "strlist"}, {"drops": "list"}):
            for i, topic in enumerate(item.get("drops", [])):
                if topic not in topics:
                    checker.error(
                        line_of(item["drops"], i), f"exclusion '{item['id']}': unknown topic '{topic}'"
                    )
            out.append(Exclusion(item["id"], phrases(item["cues"]), tuple(item.get("drops", ()))))
    return tuple(out)
