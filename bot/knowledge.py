"""Loading and validating knowledge.yaml into typed, immutable data.

Validation walks the YAML node tree, so every problem is reported as ``FILE:LINE: what is wrong``, and all
problems are collected before anything is returned: a file either loads whole or not at all.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from .examples import EMPTY as EMPTY_EXAMPLES
from .examples import Examples, parse_examples
from .renderable import guided_choice_problems

# libyaml's composer, where PyYAML was built with it, is several times faster and keeps line marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# What any knowledge file may cost to load, whatever is in it (the packaged one: 28 KB, 1,700 values, 7 deep).
MAX_FILE_BYTES = 1024 * 1024
_TOO_LARGE = "the file is larger than 1 MiB, the most a knowledge file may be"
MAX_VALUES = 50_000  # counted with every alias expanded, so an alias bomb stops here, not at a MemoryError
MAX_DEPTH = 50
# The examples file is data too, but larger by nature (4,055 messages: 400 KB, 10,000 values).
MAX_EXAMPLES_BYTES = 8 * 1024 * 1024
MAX_EXAMPLES_VALUES = 400_000
REQUIRED_INTENTS = ("definition", "comparison", "recommendation", "recommendation_weak", "help")
CATEGORIES = ("orchestrator", "registry", "compute", "concept", "option")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge file is invalid; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Fact:
    text: str
    source: str
    as_of: str = ""  # YYYY-MM-DD: the day the source page was last checked
    also: tuple[str, ...] = ()  # further pages that say part of the text


@dataclass(frozen=True)
class Dated:
    """One sourced statement with the day its page was checked, for `check --max-age`."""

    what: str
    source: str
    as_of: datetime.date
    line: int


@dataclass(frozen=True)
class Veto:
    """A hard requirement only one service meets: when every answer in `when` is given, `pick` decides."""

    id: str
    when: dict[str, str]
    pick: str
    reason: str


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    full_name: str
    category: str
    aliases: tuple[str, ...]
    definition: str
    source: str
    link: str | None = None
    implies: str | None = None
    facts: dict[str, Fact] = field(default_factory=dict)
    as_of: str = ""
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attribute:
    id: str
    name: str
    cues: tuple[str, ...]
    priority: int = 1
    weak_cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Difference:
    attribute: str
    text: str
    source: str
    as_of: str = ""
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    topics: tuple[str, str]
    summary: str
    source: str
    differences: tuple[Difference, ...] = ()
    table: tuple[str, ...] = ()
    intro: str = ""
    as_of: str = ""
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intent:
    id: str
    cues: tuple[str, ...]
    out_of_scope: bool = False
    hint: str | None = None


@dataclass(frozen=True)
class Exclusion:
    id: str
    cues: tuple[str, ...]
    drops: tuple[str, ...]


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    weights: dict[str, int]
    reason: str
    condition: str
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Criterion:
    id: str
    question: str
    options: tuple[Option, ...]
    negated: dict[str, str] = field(default_factory=dict)

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class MatchSettings:
    threshold: float = 0.6
    channel_threshold: float = 0.8
    margin: float = 0.05
    decide_margin: int = 2
    temperature: float = 1.0  # softens the models' probabilities; calibrated on the examples
    lean_threshold: float = 0.6  # how sure the pick model must be to decide what the criteria leave open
    overheard_skip: tuple[str, ...] = ()  # words of a channel message about the team's own systems ("our")


@dataclass(frozen=True)
class Knowledge:
    path: str
    settings: MatchSettings
    topics: dict[str, Topic]
    attributes: dict[str, Attribute]
    comparisons: dict[tuple[str, str], Comparison]
    intents: dict[str, Intent]
    exclusions: tuple[Exclusion, ...]
    filler: frozenset[str]
    domain_cues: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    default_pick: str = ""
    default_reason: str = ""
    lines: dict[tuple[str, str], int] = field(default_factory=dict, compare=False, repr=False)
    vetoes: tuple[Veto, ...] = ()
    dated: tuple[Dated, ...] = field(default=(), compare=False, repr=False)
    checksum: str = ""  # of the knowledge file, its examples file, the bot's version and learning code
    examples_file: str = field(default="", compare=False, repr=False)
    examples_text: str = field(default="", compare=False, repr=False)

    @cached_property
    def examples(self) -> Examples:
        """The examples file, parsed (at load, or here when a cached model let the load skip it)."""
        if not self.examples_file:
            return EMPTY_EXAMPLES
        ids = {
            "topics": set(self.topics),
            "attributes": set(self.attributes),
            "criteria": {c.id: tuple(o.value for o in c.options) for c in self.criteria},
            "services": list(self.services),
        }
        examples, problems = parse_examples(self.examples_text, self.examples_file, ids)
        if problems:
            raise KnowledgeError(problems)
        return examples

    def comparison(self, a: str, b: str) -> Comparison | None:
        return self.comparisons.get(tuple(sorted((a, b))))  # type: ignore[arg-type]

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    @cached_property
    def services(self) -> tuple[str, ...]:
        """The topics a recommendation can pick: those the criteria weigh."""
        return tuple(sorted(_weighed(self.criteria)))


# ---------------------------------------------------------------------------------------------- YAML nodes


class _Map(dict):
    line: int = 0
    key_lines: dict[str, int]


class _List(list):
    line: int = 0
    item_lines: list[int]


def _to_data(
    node: yaml.Node, file: str, problems: list[Problem], constructor: yaml.constructor.SafeConstructor
):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = _Map()
        out.line = line
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = _to_data(key_node, file, problems, constructor)
            if not isinstance(key, (str, int, float, bool)):
                problems.append(
                    Problem(file, key_node.start_mark.line + 1, "mapping keys must be plain values")
                )
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                problems.append(Problem(file, key_node.start_mark.line + 1, f"duplicate key '{key}'"))
                continue
            out[key] = _to_data(value_node, file, problems, constructor)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        out_list = _List()
        out_list.line = line
        out_list.item_lines = []
        for item in node.value:
            out_list.append(_to_data(item, file, problems, constructor))
            out_list.item_lines.append(item.start_mark.line + 1)
        return out_list
    try:
        return constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:  # a 5,000-digit number, an unknown !!tag
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(file, line, f"cannot read this value: {problem}"))
        return None


def _node(text: str, file: str, max_bytes: int, max_values: int) -> yaml.Node | None:
    """Text -> YAML node tree, within max_bytes, max_values and MAX_DEPTH, or KnowledgeError.

    The parser's events are counted as they stream, so an oversized file is refused before its tree is
    built; the tree is then measured as it would be once aliases are expanded (each shared node once,
    without recursion), which catches alias bombs and an alias inside its own anchor."""
    if len(text) > max_bytes:
        limit = f"{max_bytes // 1024 // 1024} MiB"
        raise KnowledgeError(
            [
                Problem(
                    file, 1, _TOO_LARGE if max_bytes == MAX_FILE_BYTES else f"the file is larger than {limit}"
                )
            ]
        )
    try:
        values, level = 0, 0
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                level += 1
                if level > MAX_DEPTH:
                    raise _TooBig(event.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                level -= 1
            if isinstance(event, yaml.NodeEvent) and not isinstance(event, yaml.AliasEvent):
                values += 1
                if values > max_values:
                    raise _TooBig(event.start_mark.line + 1, f"the file has more than {max_values:,} values")
        node = yaml.compose(text, Loader=_LOADER)
    except _TooBig as exc:
        raise KnowledgeError([Problem(file, exc.line, exc.message)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise KnowledgeError([Problem(file, line, f"YAML syntax error: {problem}")]) from None
    if node is not None:
        _measure(node, file, max_values)
    return node


class _TooBig(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def _measure(root: yaml.Node, file: str, max_values: int) -> None:
    """Refuse a tree whose alias-expanded size or depth passes the limits, or that contains itself."""
    size: dict[int, int] = {}  # collections only: a scalar counts 1 and nests 0
    height: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            continue
        if children_done:
            open_.discard(key)
            total, deepest = 1, 0
            for child in _children(node):
                if not isinstance(child, yaml.ScalarNode):
                    total += size[id(child)]
                    deepest = max(deepest, height[id(child)])
                else:
                    total += 1
            size[key], height[key] = total, deepest + 1
            line = node.start_mark.line + 1
            if total > max_values:
                raise KnowledgeError(
                    [Problem(file, line, f"this value expands to more than {max_values:,} values (aliases)")]
                )
            if deepest + 1 > MAX_DEPTH:
                raise KnowledgeError(
                    [Problem(file, line, f"this value nests more than {MAX_DEPTH} levels deep (aliases)")]
                )
            continue
        if key in size:
            continue  # measured already: an alias to it costs nothing more to measure
        if key in open_:
            raise KnowledgeError(
                [Problem(file, node.start_mark.line + 1, "an alias refers to the value that contains it")]
            )
        open_.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if not isinstance(child, yaml.ScalarNode))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


def _line_of(container: Any, key: Any = None) -> int:
    if key is not None:
        if isinstance(container, _Map):
            return container.key_lines.get(key, container.line)
        if isinstance(container, _List) and isinstance(key, int) and key < len(container.item_lines):
            return container.item_lines[key]
    return getattr(container, "line", 0)


# ------------------------------------------------------------------------------------------------ schema


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _as_date(value: Any) -> datetime.date | None:
    """YAML reads an unquoted 2026-11-29 as a date, a quoted one as a string: accept both, nothing else."""
    if isinstance(value, datetime.datetime):
        return None
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.dated: list[Dated] = []

    def dated_statement(self, record: Any, what: str) -> str:
        """Remember a checked `as_of` (already validated) for the freshness report; returns it as text."""
        day = _as_date(record.get("as_of")) if isinstance(record, dict) else None
        if day is None:
            return ""
        self.dated.append(Dated(what, str(record.get("source", "")), day, _line_of(record, "as_of")))
        return day.isoformat()

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def record(
        self, value: Any, line: int, what: str, required: dict[str, str], optional: dict[str, str]
    ) -> bool:
        """Check that ``value`` is a mapping with the required keys and no unknown ones."""
        if not isinstance(value, dict):
            self.error(line, f"{what} must be a mapping, got {_type_name(value)}")
            return False
        allowed = {**required, **optional}
        for key in value:
            if key not in allowed:
                self.error(
                    _line_of(value, key), f"unknown key '{key}' in {what} (allowed: {', '.join(allowed)})"
                )
        ok = True
        for key in required:
            if key not in value:
                self.error(_line_of(value), f"{what}: missing required field '{key}'")
                ok = False
        for key, kind in allowed.items():
            if key in value and not self.typed(value[key], kind, _line_of(value, key), f"{what}: '{key}'"):
                ok = False
        return ok

    def typed(self, value: Any, kind: str, line: int, what: str) -> bool:
        checks: dict[str, Callable[[Any], bool]] = {
            "str": lambda v: isinstance(v, str),
            "text": lambda v: isinstance(v, str),
            "source": lambda v: isinstance(v, str),
            "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "num": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "bool": lambda v: isinstance(v, bool),
            "list": lambda v: isinstance(v, list),
            "strlist": lambda v: isinstance(v, list),
            "urllist": lambda v: isinstance(v, list),
            "map": lambda v: isinstance(v, dict),
            "date": lambda v: _as_date(v) is not None,
            "any": lambda v: True,  # checked by the caller
        }
        expected = {
            "str": "a string",
            "text": "a string",
            "source": "a string",
            "int": "a whole number",
            "num": "a number",
            "bool": "true or false",
            "list": "a list",
            "strlist": "a list of strings",
            "urllist": "a list of https:// URLs",
            "map": "a mapping",
            "date": "a date written YYYY-MM-DD (the day the source was checked)",
            "any": "anything",
        }[kind]
        if not checks[kind](value):
            self.error(line, f"{what} must be {expected}, got {_type_name(value)}")
            return False
        if kind in ("text", "str") and not value.strip():
            self.error(line, f"{what} is empty")
            return False
        if kind == "source" and not (value == "seed" or value.startswith("https://")):
            self.error(line, f"{what} must be 'seed' or an https:// URL of the page the fact comes from")
            return False
        if kind == "date" and _as_date(value) > datetime.date.today() + datetime.timedelta(days=1):
            self.error(line, f"{what} is in the future: it is the day the source was checked")
            return False
        if kind == "urllist":
            ok = bool(value)
            if not value:
                self.error(line, f"{what} is empty")
            for i, item in enumerate(value):
                if not (isinstance(item, str) and item.startswith("https://")):
                    self.error(_line_of(value, i), f"{what}: item {i + 1} must be an https:// URL")
                    ok = False
            return ok
        if kind == "strlist":
            if not value:
                self.error(line, f"{what} is empty")
                return False
            ok = True
            seen: set[str] = set()
            for i, item in enumerate(value):
                item_line = _line_of(value, i)
                if not isinstance(item, str):
                    self.error(
                        item_line, f"{what} must be a list of strings, item {i + 1} is {_type_name(item)}"
                    )
                    ok = False
                elif not item.strip():
                    self.error(item_line, f"{what}: item {i + 1} is empty")
                    ok = False
                elif item.strip().lower() in seen:
                    self.error(item_line, f"{what}: '{item}' is listed twice")
                    ok = False
                else:
                    seen.add(item.strip().lower())
            return ok
        return True


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        _Map: "a mapping",
        list: "a list",
        _List: "a list",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _phrases(items: Any) -> tuple[str, ...]:
    return tuple(" ".join(str(item).split()) for item in items)


def _compose(text: str, file: str, checker: _Checker, limits: tuple[int, int] | None = None) -> Any:
    """YAML text -> plain data that remembers its lines; None (the problem recorded) if it does not parse or
    passes the limits (bytes, values): the knowledge file's by default."""
    try:
        node = _node(text, file, *(limits or (MAX_FILE_BYTES, MAX_VALUES)))
    except KnowledgeError as exc:
        checker.problems += exc.problems
        return None
    if node is None:
        checker.error(1, "the file is empty")
        return None
    constructor = yaml.constructor.SafeConstructor()
    return _to_data(node, file, checker.problems, constructor)


def parse_knowledge(text: str, file: str, full: bool = False) -> Knowledge:
    """Parse and validate knowledge text; raise KnowledgeError listing every problem. The examples file is
    validated too, unless a model cached from these very files shows it was (``full`` checks it anyway)."""
    checker = _Checker(file)
    data = _compose(text, file, checker)
    if data is None:
        raise KnowledgeError(checker.problems)
    top_required = {
        "version": "int",
        "topics": "list",
        "attributes": "list",
        "intents": "list",
        "filler": "strlist",
        "recommendation": "map",
    }
    top_optional = {"settings": "map", "comparisons": "list", "exclusions": "list", "examples": "str"}
    if not checker.record(data, 1, "the knowledge file", top_required, top_optional):
        raise KnowledgeError(checker.problems)
    if data["version"] != 1:
        checker.error(
            _line_of(data, "version"), f"unsupported version {data['version']} (this bot reads version 1)"
        )

    settings = _settings(checker, data.get("settings", _Map()))
    # References are checked against every id the file declares, so one broken entry is one problem,
    # not a cascade of "unknown topic" lines wherever it is mentioned.
    topic_ids = _declared(data["topics"])
    attribute_ids = _declared(data["attributes"])
    attributes = _attributes(checker, data["attributes"])
    topics = _topics(checker, data["topics"], attribute_ids)
    comparisons = _comparisons(checker, data.get("comparisons", _List()), topic_ids, attribute_ids)
    intents = _intents(checker, data["intents"])
    exclusions = _exclusions(checker, data.get("exclusions", _List()), topic_ids)
    domain_cues, criteria, default, vetoes = _recommendation(checker, data["recommendation"], topic_ids)
    for line, message in guided_choice_problems(data["recommendation"], _line_of):
        checker.error(line, message)  # what Slack's guided-choice modal cannot show is invalid too
    examples_file, examples_text = "", ""
    if "examples" in data and not checker.problems:
        examples_file, examples_text = _examples_text(checker, data, file)
    if checker.problems:
        raise KnowledgeError(checker.problems)
    from . import __version__, cache

    checksum = hashlib.sha256(
        "\0".join((__version__, cache.fingerprint(), text, examples_file and examples_text)).encode("utf-8")
    ).hexdigest()
    lines = _phrase_lines(data)
    knowledge = Knowledge(
        path=file,
        settings=settings,
        topics=topics,
        attributes=attributes,
        comparisons=comparisons,
        intents=intents,
        exclusions=exclusions,
        filler=frozenset(w.lower() for w in data["filler"]),
        domain_cues=domain_cues,
        criteria=criteria,
        default_pick=default[0],
        default_reason=default[1],
        lines=lines,
        vetoes=vetoes,
        dated=tuple(checker.dated),
        checksum=checksum,
        examples_file=examples_file,
        examples_text=examples_text,
    )
    if examples_file and (full or not cache.has(checksum)):
        knowledge.examples  # noqa: B018  validated now (KnowledgeError), and kept for the matcher to train on
    return knowledge


def _examples_text(checker: _Checker, data: Any, file: str) -> tuple[str, str]:
    """(path, text) of the examples file the knowledge names, relative to the knowledge file."""
    target = Path(file).parent / data["examples"]
    try:
        text = _read_capped(target, MAX_EXAMPLES_BYTES)
    except _Unreadable as exc:
        checker.error(_line_of(data, "examples"), f"cannot read the examples file {target}: {exc}")
        return "", ""
    if text is None:
        checker.error(_line_of(data, "examples"), f"the examples file {target} is larger than 8 MiB")
        return "", ""
    return str(target), text


class _Unreadable(Exception):
    """A file that cannot be opened or is not UTF-8; the message is the reason."""


def _read_capped(path: Path, limit: int) -> str | None:
    """The file's text, None when it is larger than ``limit`` bytes (never more is read, whatever it holds),
    _Unreadable when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
        return None if len(raw) > limit else raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _Unreadable(
            exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        ) from None


def _declared(items: Any) -> set[str]:
    if not isinstance(items, list):
        return set()
    return {item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)}


def _settings(checker: _Checker, raw: Any) -> MatchSettings:
    fields = {
        "threshold": "num",
        "channel_threshold": "num",
        "margin": "num",
        "decide_margin": "int",
        "temperature": "num",
        "lean_threshold": "num",
        "overheard_skip": "strlist",
    }
    if not checker.record(raw, _line_of(raw), "settings", {}, fields):
        return MatchSettings()
    for key in ("threshold", "channel_threshold", "margin", "lean_threshold"):
        if key in raw and not 0 <= raw[key] <= 1:
            checker.error(_line_of(raw, key), f"settings: '{key}' must be between 0 and 1")
    if "temperature" in raw and not 0.05 <= raw["temperature"] <= 20:
        checker.error(_line_of(raw, "temperature"), "settings: 'temperature' must be between 0.05 and 20")
    defaults = MatchSettings()
    values = {k: raw.get(k, getattr(defaults, k)) for k in fields}
    values["overheard_skip"] = tuple(str(w).lower() for w in values["overheard_skip"])
    return MatchSettings(**values)


def _ids(checker: _Checker, items: Any, what: str, line: int) -> list[tuple[int, Any]]:
    """The well-formed entries of a list of records, reporting duplicate ids."""
    if not isinstance(items, list):
        checker.error(line, f"{what}s must be a list")
        return []
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(items):
        item_line = _line_of(items, i)
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            ident = item["id"]
            if ident in seen:
                checker.error(
                    item_line, f"duplicate {what} id '{ident}' (first defined on line {seen[ident]})"
                )
                continue
            seen[ident] = item_line
        out.append((item_line, item))
    return out


def _attributes(checker: _Checker, raw: Any) -> dict[str, Attribute]:
    out: dict[str, Attribute] = {}
    for line, item in _ids(checker, raw, "attribute", _line_of(raw)):
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
                _phrases(item["cues"]),
                item.get("priority", 1),
                _phrases(item.get("weak_cues", ())),
            )
    return out


def _topics(checker: _Checker, raw: Any, attributes: set[str]) -> dict[str, Topic]:
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
    optional = {"link": "source", "implies": "str", "facts": "map", "also": "urllist"}
    for line, item in _ids(checker, raw, "topic", _line_of(raw)):
        what = (
            f"topic '{item['id']}'" if isinstance(item, dict) and isinstance(item.get("id"), str) else "topic"
        )
        if not checker.record(item, line, what, required, optional):
            continue
        if item["id"] != item["id"].lower() or " " in item["id"]:
            checker.error(_line_of(item, "id"), f"{what}: ids are lowercase words joined by '_'")
        if item["category"] not in CATEGORIES:
            checker.error(
                _line_of(item, "category"),
                f"{what}: unknown category '{item['category']}' (one of: {', '.join(CATEGORIES)})",
            )
        if "implies" in item and item["implies"] not in attributes:
            checker.error(
                _line_of(item, "implies"), f"{what}: 'implies' names unknown attribute '{item['implies']}'"
            )
        for i, alias in enumerate(_phrases(item["aliases"])):
            key = alias.lower()
            if key in alias_owner and alias_owner[key] != item["id"]:
                checker.error(
                    _line_of(item["aliases"], i),
                    f"{what}: alias '{alias}' already belongs to topic '{alias_owner[key]}'",
                )
            alias_owner[key] = item["id"]
        facts: dict[str, Fact] = {}
        for key, fact in item.get("facts", {}).items():
            fact_line = _line_of(item["facts"], key)
            if key not in attributes:
                checker.error(fact_line, f"{what}: fact about unknown attribute '{key}'")
                continue
            if checker.record(
                fact,
                fact_line,
                f"{what} fact '{key}'",
                {"text": "text", "source": "source", "as_of": "date"},
                {"also": "urllist"},
            ):
                as_of = checker.dated_statement(fact, f"{item['id']}.{key}")
                facts[key] = Fact(
                    " ".join(fact["text"].split()), fact["source"], as_of, tuple(fact.get("also", ()))
                )
        out[item["id"]] = Topic(
            id=item["id"],
            name=item["name"],
            full_name=item["full_name"],
            category=item["category"],
            aliases=_phrases(item["aliases"]),
            definition=" ".join(item["definition"].split()),
            source=item["source"],
            link=item.get("link"),
            implies=item.get("implies"),
            facts=facts,
            as_of=checker.dated_statement(item, f"{item['id']} (definition)"),
            also=tuple(item.get("also", ())),
        )
    return out


def _comparisons(checker, raw, topics, attributes) -> dict[tuple[str, str], Comparison]:
    out: dict[tuple[str, str], Comparison] = {}
    if not isinstance(raw, list):
        checker.error(_line_of(raw), "comparisons must be a list")
        return out
    for i, item in enumerate(raw):
        line = _line_of(raw, i)
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
            checker.error(_line_of(item, "topics"), "comparison: 'topics' must name exactly two topics")
            continue
        for topic in pair:
            if topic not in topics:
                checker.error(_line_of(item, "topics"), f"comparison: unknown topic '{topic}'")
        if pair in out:
            checker.error(line, f"duplicate comparison of '{pair[0]}' and '{pair[1]}'")
        differences = []
        for j, diff in enumerate(item.get("differences", [])):
            diff_line = _line_of(item["differences"], j)
            if checker.record(
                diff,
                diff_line,
                "comparison difference",
                {"attribute": "str", "text": "text", "source": "source", "as_of": "date"},
                {"also": "urllist"},
            ):
                if diff["attribute"] not in attributes:
                    checker.error(
                        _line_of(diff, "attribute"),
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
                checker.error(_line_of(item["table"], j), f"comparison table: unknown attribute '{attr}'")
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


def _intents(checker: _Checker, raw: Any) -> dict[str, Intent]:
    out: dict[str, Intent] = {}
    for line, item in _ids(checker, raw, "intent", _line_of(raw)):
        if checker.record(
            item, line, "intent", {"id": "str", "cues": "strlist"}, {"out_of_scope": "bool", "hint": "text"}
        ):
            out[item["id"]] = Intent(
                item["id"], _phrases(item["cues"]), item.get("out_of_scope", False), item.get("hint")
            )
    for needed in REQUIRED_INTENTS:
        if needed not in out and not checker.problems:
            checker.error(_line_of(raw), f"intents: the '{needed}' intent is required")
    return out


def _exclusions(checker: _Checker, raw: Any, topics: set[str]) -> tuple[Exclusion, ...]:
    out = []
    for line, item in _ids(checker, raw, "exclusion", _line_of(raw)):
        if checker.record(item, line, "exclusion", {"id": "str", "cues": "strlist"}, {"drops": "list"}):
            for i, topic in enumerate(item.get("drops", [])):
                if topic not in topics:
                    checker.error(
                        _line_of(item["drops"], i), f"exclusion '{item['id']}': unknown topic '{topic}'"
                    )
            out.append(Exclusion(item["id"], _phrases(item["cues"]), tuple(item.get("drops", ()))))
    return tuple(out)


def _recommendation(checker: _Checker, raw: Any, topics: set[str]):
    if not checker.record(
        raw,
        _line_of(raw),
        "recommendation",
        {"domain_cues": "strlist", "criteria": "list", "default": "map"},
        {"vetoes": "list"},
    ):
        return (), (), ("", ""), ()
    default = raw["default"]
    if (
        checker.record(
            default, _line_of(raw, "default"), "recommendation default", {"pick": "str", "reason": "text"}, {}
        )
        and default["pick"] not in topics
    ):
        checker.error(_line_of(default, "pick"), f"recommendation default: unknown topic '{default['pick']}'")
    criteria = []
    for line, item in _ids(checker, raw["criteria"], "criterion", _line_of(raw, "criteria")):
        what = f"criterion '{item.get('id')}'" if isinstance(item, dict) else "criterion"
        if not checker.record(
            item, line, what, {"id": "str", "question": "text", "options": "list"}, {"negated": "map"}
        ):
            continue
        options = []
        values: set[str] = set()
        for j, opt in enumerate(item["options"]):
            opt_line = _line_of(item["options"], j)
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
                        _line_of(opt["weights"], topic), f"{what}: weight for unknown topic '{topic}'"
                    )
                elif not isinstance(weight, int) or isinstance(weight, bool):
                    checker.error(
                        _line_of(opt["weights"], topic),
                        f"{what}: weight for '{topic}' must be a whole number",
                    )
            options.append(
                Option(
                    opt["value"],
                    opt["label"],
                    dict(opt["weights"]),
                    " ".join(opt["reason"].split()),
                    opt["condition"],
                    _phrases(opt.get("cues", ())),
                )
            )
        negated = dict(item.get("negated", {}))
        for key, value in negated.items():
            if key not in values or value not in values:
                checker.error(
                    _line_of(item, "negated"),
                    f"{what}: 'negated' maps '{key}' to '{value}', "
                    f"but the options are {', '.join(sorted(values))}",
                )
        if len(options) < 2:
            checker.error(line, f"{what}: needs at least two options")
        criteria.append(Criterion(item["id"], item["question"], tuple(options), negated))
    vetoes = _vetoes(checker, raw.get("vetoes", _List()), criteria, _weighed(criteria))
    return (
        _phrases(raw["domain_cues"]),
        tuple(criteria),
        (default.get("pick", ""), default.get("reason", "")),
        vetoes,
    )


def _weighed(criteria: Iterable[Criterion]) -> set[str]:
    return {topic for c in criteria for o in c.options for topic in o.weights}


def _vetoes(checker: _Checker, raw: Any, criteria: list[Criterion], services: set[str]) -> tuple[Veto, ...]:
    """Hard requirements: every `when` names a known criterion and one of its values; `pick` is a service."""
    known = {c.id: c for c in criteria}
    out = []
    for line, item in _ids(checker, raw, "veto", _line_of(raw)):
        what = f"veto '{item.get('id')}'" if isinstance(item, dict) else "veto"
        if not checker.record(
            item, line, what, {"id": "str", "when": "map", "pick": "str", "reason": "text"}, {}
        ):
            continue
        ok = True
        if not item["when"]:
            checker.error(_line_of(item, "when"), f"{what}: 'when' names no criterion")
            ok = False
        for criterion_id, value in item["when"].items():
            value_line = _line_of(item["when"], criterion_id)
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
                _line_of(item, "pick"),
                f"{what}: pick '{item['pick']}' is not a service the criteria weigh "
                f"({', '.join(sorted(services))})",
            )
            ok = False
        if ok:
            out.append(Veto(item["id"], dict(item["when"]), item["pick"], " ".join(item["reason"].split())))
    return tuple(out)


def _phrase_lines(data: Any) -> dict[tuple[str, str], int]:
    """(kind, 'entry: phrase') -> line, so `check` can point at a confusable phrasing."""
    lines: dict[tuple[str, str], int] = {}

    def add(kind: str, entry: str, items: Any) -> None:
        for i, phrase in enumerate(items):
            lines[(kind, f"{entry}: {' '.join(str(phrase).split())}")] = _line_of(items, i)

    for topic in data["topics"]:
        add("topic", topic["id"], topic["aliases"])
    for attr in data["attributes"]:
        add("attribute", attr["id"], attr["cues"])
        add("attribute", attr["id"], attr.get("weak_cues", []))
    for intent in data["intents"]:
        add("intent", intent["id"], intent["cues"])
    for criterion in data["recommendation"]["criteria"]:
        for option in criterion["options"]:
            add("criterion", f"{criterion['id']}={option['value']}", option.get("cues", []))
    return lines


def stale(knowledge: Knowledge, max_age_days: int, today: datetime.date | None = None) -> list[Dated]:
    """Statements whose source was last checked more than `max_age_days` ago, oldest first."""
    today = today or datetime.date.today()
    old = [d for d in knowledge.dated if (today - d.as_of).days > max_age_days]
    return sorted(old, key=lambda d: (d.as_of, d.line))


# --------------------------------------------------------------------------------------------- locating


def packaged_path() -> Path:
    # next to this module in the installed package (a plain path: cheaper at start than importlib.resources)
    return Path(os.path.dirname(os.path.abspath(__file__))) / "knowledge.yaml"


def default_path() -> Path:
    """KNOWLEDGE_FILE if set, else the knowledge file shipped inside the package."""
    env = os.environ.get("KNOWLEDGE_FILE")
    return Path(env) if env else packaged_path()


def load_knowledge(path: str | os.PathLike[str] | None = None, full: bool = False) -> Knowledge:
    target = Path(path) if path is not None else default_path()
    try:
        text = _read_capped(target, MAX_FILE_BYTES)  # a 39 MB file costs what a 1 MiB one does
    except _Unreadable as exc:
        raise KnowledgeError([Problem(str(target), 0, f"cannot read the knowledge file: {exc}")]) from None
    if text is None:
        raise KnowledgeError([Problem(str(target), 1, _TOO_LARGE)])
    return parse_knowledge(text, str(target), full)
