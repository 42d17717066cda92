"""A small schema helper for the data files: records with required and optional keys of known types.

Each check reports what is wrong as FILE:LINE through the Checker, and keeps going, so a file's problems are
all listed at once. Used by the knowledge file's sections and by the examples file.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from .freshness import Dated
from .problems import Problem
from .reader import List, Map, line_of

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def as_date(value: Any) -> datetime.date | None:
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


class Checker:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.dated: list[Dated] = []

    def dated_statement(self, record: Any, what: str) -> str:
        """Remember a checked `as_of` (already validated) for the freshness report; returns it as text."""
        day = as_date(record.get("as_of")) if isinstance(record, dict) else None
        if day is None:
            return ""
        source = str(record.get("source", ""))
        also = record.get("also") if isinstance(record.get("also"), list) else []
        cites = tuple(str(u) for u in (source, record.get("link"), *also) if isinstance(u, str) and u)
        self.dated.append(Dated(what, source, day, line_of(record, "as_of"), self.file, cites))
        return day.isoformat()

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def record(
        self, value: Any, line: int, what: str, required: dict[str, str], optional: dict[str, str]
    ) -> bool:
        """Check that ``value`` is a mapping with the required keys and no unknown ones."""
        if not isinstance(value, dict):
            self.error(line, f"{what} must be a mapping, got {type_name(value)}")
            return False
        allowed = {**required, **optional}
        for key in value:
            if key not in allowed:
                self.error(
                    line_of(value, key), f"unknown key '{key}' in {what} (allowed: {', '.join(allowed)})"
                )
        ok = True
        for key in required:
            if key not in value:
                self.error(line_of(value), f"{what}: missing required field '{key}'")
                ok = False
        for key, kind in allowed.items():
            if key in value and not self.typed(value[key], kind, line_of(value, key), f"{what}: '{key}'"):
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
            "date": lambda v: as_date(v) is not None,
            "day": lambda v: as_date(v) is not None,
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
            "day": "a date written YYYY-MM-DD",
            "any": "anything",
        }[kind]
        if not checks[kind](value):
            self.error(line, f"{what} must be {expected}, got {type_name(value)}")
            return False
        if kind in ("text", "str") and not value.strip():
            self.error(line, f"{what} is empty")
            return False
        if kind == "source" and not (value == "seed" or value.startswith("https://")):
            self.error(line, f"{what} must be 'seed' or an https:// URL of the page the fact comes from")
            return False
        day = as_date(value) if kind == "date" else None
        if day is not None and day > datetime.date.today() + datetime.timedelta(days=1):
            self.error(line, f"{what} is in the future: it is the day the source was checked")
            return False
        if kind == "urllist":
            ok = bool(value)
            if not value:
                self.error(line, f"{what} is empty")
            for i, item in enumerate(value):
                if not (isinstance(item, str) and item.startswith("https://")):
                    self.error(line_of(value, i), f"{what}: item {i + 1} must be an https:// URL")
                    ok = False
            return ok
        if kind == "strlist":
            if not value:
                self.error(line, f"{what} is empty")
                return False
            ok = True
            seen: set[str] = set()
            for i, item in enumerate(value):
                item_line = line_of(value, i)
                if not isinstance(item, str):
                    self.error(
                        item_line, f"{what} must be a list of strings, item {i + 1} is {type_name(item)}"
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


def type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        Map: "a mapping",
        list: "a list",
        List: "a list",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def phrases(items: Any) -> tuple[str, ...]:
    return tuple(" ".join(str(item).split()) for item in items)


def declared(items: Any) -> set[str]:
    if not isinstance(items, list):
        return set()
    return {item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)}


def ids(checker: Checker, items: Any, what: str, line: int) -> list[tuple[int, Any]]:
    """The well-formed entries of a list of records, reporting duplicate ids."""
    if not isinstance(items, list):
        checker.error(line, f"{what}s must be a list")
        return []
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(items):
        item_line = line_of(items, i)
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
