"""Labelled example messages and the language lexicon: what people say, kept as data beside the facts.

The knowledge file names its examples file (`examples: examples.yaml`, relative to the knowledge file). It
holds groups of messages that share labels (kind, topics, attribute, situation), from which the matcher's
model is trained when the knowledge loads, and the phrases of other languages the matcher rewrites in
English. Every problem is reported as FILE:LINE, like the knowledge file's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .reader import MAX_EXAMPLES_BYTES, MAX_EXAMPLES_VALUES, Map, compose, line_of
from .schema import Checker

KINDS = ("definition", "comparison", "attribute", "recommendation", "greeting", "thanks", "help", "fallback")
REASONS = (
    "troubleshooting",
    "howto",
    "action",
    "other_product",
    "other_meaning",
    "chatter",
    "injection",
    "unrelated",
)
SMALL_TALK = ("greeting", "thanks", "help")


@dataclass(frozen=True)
class Example:
    text: str
    kind: str
    topics: tuple[str, ...] = ()
    attribute: str | None = None
    situation: tuple[tuple[str, str], ...] = ()
    pick: str | None = None
    reason: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Language:
    id: str
    name: str
    phrases: dict[str, str]


@dataclass(frozen=True)
class Examples:
    path: str
    items: tuple[Example, ...]
    languages: tuple[Language, ...]


EMPTY = Examples("", (), ())


def parse_examples(text: str, file: str, ids: dict[str, Any]) -> tuple[Examples, list]:
    """Parse and validate an examples file against the knowledge's ids; (examples, problems)."""
    checker = Checker(file)
    data = compose(text, file, checker.problems, (MAX_EXAMPLES_BYTES, MAX_EXAMPLES_VALUES))
    if data is None:
        return EMPTY, checker.problems
    if not checker.record(
        data, 1, "the examples file", {"version": "int", "examples": "list"}, {"languages": "map"}
    ):
        return EMPTY, checker.problems
    languages = _languages(checker, data.get("languages", Map()))
    items: list[Example] = []
    seen: dict[str, tuple[int, tuple]] = {}
    groups = data["examples"]
    for i, group in enumerate(groups):
        line = line_of(groups, i)
        for example in _group(checker, group, line, ids):
            key = " ".join(example.text.lower().split())
            labels = (example.kind, example.topics, example.attribute, example.situation)
            if key in seen:
                first, first_labels = seen[key]
                what = "with other labels" if first_labels != labels else "twice"
                checker.error(
                    example.line, f"example '{example.text[:60]}' is listed {what} (first on line {first})"
                )
                continue
            seen[key] = (example.line, labels)
            items.append(example)
    return Examples(file, tuple(items), languages), checker.problems


def _languages(checker, raw) -> tuple[Language, ...]:
    out = []
    if not isinstance(raw, dict):
        checker.error(line_of(raw), "languages must be a mapping of language code to its phrases")
        return ()
    for code, entry in raw.items():
        line = line_of(raw, code)
        if not checker.record(entry, line, f"language '{code}'", {"name": "text", "phrases": "map"}, {}):
            continue
        phrases = {}
        for phrase, english in entry["phrases"].items():
            if not isinstance(english, str) or not english.strip():
                checker.error(
                    line_of(entry["phrases"], phrase), f"language '{code}': '{phrase}' needs English words"
                )
                continue
            phrases[str(phrase)] = " ".join(english.split())
        out.append(Language(str(code), entry["name"], phrases))
    return tuple(out)


def _group(checker: Checker, group: Any, line: int, ids: dict[str, Any]) -> list[Example]:
    # `pick` is checked below: it may be null (too little to decide)
    optional = {"topics": "list", "attribute": "str", "situation": "map", "reason": "str", "pick": "any"}
    if not checker.record(group, line, "example group", {"kind": "str", "say": "strlist"}, optional):
        return []
    kind = group["kind"]
    if kind not in KINDS:
        checker.error(
            line_of(group, "kind"), f"example group: unknown kind '{kind}' (one of: {', '.join(KINDS)})"
        )
        return []
    before = len(checker.problems)
    topics = _topics(checker, group, ids)
    attribute = group.get("attribute")
    if attribute is not None and attribute not in ids["attributes"]:
        checker.error(line_of(group, "attribute"), f"example group: unknown attribute '{attribute}'")
    situation = _situation(checker, group, ids)
    pick = _pick(checker, group, ids)
    reason = group.get("reason")
    if reason is not None and reason not in REASONS:
        checker.error(
            line_of(group, "reason"),
            f"example group: unknown reason '{reason}' (one of: {', '.join(REASONS)})",
        )
    _shape(checker, group, kind, topics, attribute, situation)
    if len(checker.problems) > before:
        return []
    say = group["say"]
    return [
        Example(
            str(text).strip(),
            kind,
            topics,
            attribute,
            tuple(sorted(situation)),
            pick,
            reason,
            line_of(say, j),
        )
        for j, text in enumerate(say)
    ]


def _topics(checker: Checker, group: Any, ids: dict[str, Any]) -> tuple[str, ...]:
    topics = tuple(group.get("topics", ()))
    for j, topic in enumerate(topics):
        if not isinstance(topic, str) or topic not in ids["topics"]:
            checker.error(line_of(group["topics"], j), f"example group: unknown topic '{topic}'")
    return topics


def _situation(checker: Checker, group: Any, ids: dict[str, Any]) -> list[tuple[str, str]]:
    """The group's situation as (criterion, value) pairs; YAML's true/false read as yes/no."""
    situation: list[tuple[str, str]] = []
    for criterion, value in group.get("situation", {}).items():
        value = str(value).lower() if isinstance(value, bool) else str(value)
        if value in ("true", "false"):
            value = "yes" if value == "true" else "no"
        options = ids["criteria"].get(criterion)
        if options is None:
            checker.error(
                line_of(group["situation"], criterion), f"example group: unknown criterion '{criterion}'"
            )
        elif value not in options:
            checker.error(
                line_of(group["situation"], criterion),
                f"example group: criterion '{criterion}' takes {'/'.join(options)}, not '{value}'",
            )
        else:
            situation.append((criterion, value))
    return situation


def _pick(checker: Checker, group: Any, ids: dict[str, Any]) -> str | None:
    pick = group.get("pick")
    if pick in ("null", "none"):
        pick = None
    if pick is not None and (not isinstance(pick, str) or pick not in ids["services"]):
        checker.error(
            line_of(group, "pick"),
            f"example group: pick must be one of {', '.join(ids['services'])} or null",
        )
        return None
    return pick


def _shape(
    checker: Checker,
    group: Any,
    kind: str,
    topics: tuple[str, ...],
    attribute: str | None,
    situation: list[tuple[str, str]],
) -> None:
    """What each kind of example must and must not carry."""
    where = line_of(group, "kind")
    if kind == "attribute" and (attribute is None or len(topics) != 1):
        checker.error(where, "example group: an attribute question names one topic and its attribute")
    if kind in ("definition", "comparison") and not topics:
        checker.error(where, f"example group: a {kind} names its topics")
    if kind in ("fallback", *SMALL_TALK) and (topics or attribute or situation):
        checker.error(where, f"example group: a {kind} has no topics, attribute or situation")
    if kind != "recommendation" and ("pick" in group or situation):
        checker.error(where, "example group: only a recommendation has a situation or a pick")
