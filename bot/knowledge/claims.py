"""Claims: the facts the bot answers with, one statement each, with the page that says it.

The knowledge file names its claims files (`claims: [claims/ecs.yaml, ...]`, relative to it). A claim says
one thing in plain words, names the topics it is about (one or several) and the attribute where one fits,
carries its source page, the page's title and the day the page was checked (`as_of`), and may list a few
questions it answers (phrasings, like the examples file) and the days it became true (`since`) or stops
being true (`until`, ends of support). A `headline` claim is the one line a comparison table shows for its
topic and attribute. Every problem is reported as FILE:LINE, in the claims file it is in.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .problems import Problem
from .reader import MAX_FILE_BYTES, TOO_LARGE, Unreadable, compose, line_of, read_capped
from .schema import Checker, as_date, ids, phrases

_ID = re.compile(r"^[a-z0-9][a-z0-9_]*(\.[a-z0-9_]+)*$")
MAX_SAYS = 600  # characters: a claim is a statement, not an article
REQUIRED = {"id": "str", "about": "strlist", "says": "text", "source": "source", "as_of": "date"}
OPTIONAL = {
    "attribute": "str",
    "title": "text",
    "also": "urllist",
    "since": "day",
    "until": "day",
    "asked": "strlist",
    "headline": "bool",
}


@dataclass(frozen=True)
class Claim:
    id: str
    text: str  # what it says
    about: tuple[str, ...]
    source: str
    as_of: str = ""  # YYYY-MM-DD: the day the source page was last checked
    attribute: str | None = None
    title: str = ""  # the source page's title
    also: tuple[str, ...] = ()  # further pages that say part of it
    since: str = ""  # YYYY-MM-DD it became true, when that matters
    until: str = ""  # YYYY-MM-DD it stops being true (an end of support)
    asked: tuple[str, ...] = ()  # questions it answers, as people type them
    headline: bool = False  # the one line tables show for its topic and attribute
    file: str = ""
    line: int = 0

    def current(self, today: datetime.date) -> bool:
        """True on the days the claim holds: from `since`, and before `until`."""
        if not self.since and not self.until:
            return True
        day = today.isoformat()
        return (not self.since or self.since <= day) and (not self.until or day < self.until)


def claims_files(checker: Checker, data: Any, file: str) -> list[tuple[str, str]]:
    """(path, text) of each claims file the knowledge names, relative to the knowledge file."""
    raw = data.get("claims")
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(p, str) and p.strip() for p in raw):
        checker.error(line_of(data, "claims"), "claims must be a list of file paths")
        return []
    out = []
    for i, name in enumerate(raw):
        target = Path(file).parent / name
        try:
            text = read_capped(target, MAX_FILE_BYTES)
        except Unreadable as exc:
            checker.error(line_of(raw, i), f"cannot read the claims file {target}: {exc}")
            continue
        if text is None:
            checker.error(line_of(raw, i), f"the claims file {target}: {TOO_LARGE}")
            continue
        out.append((str(target), text))
    return out


def parse_claims(
    files: list[tuple[str, str]], topics: set[str], attributes: set[str], problems: list[Problem]
) -> tuple[tuple[Claim, ...], list[Checker]]:
    """Every claim of every file, validated against the knowledge's topics and attributes; problems are
    added to `problems`. Returns the claims and each file's checker (for the dates it recorded)."""
    claims: list[Claim] = []
    checkers = []
    first: dict[str, str] = {}  # id -> "file:line" where it is first defined
    headlines: dict[tuple[str, str], str] = {}
    for path, text in files:
        checker = Checker(path)
        checkers.append(checker)
        data = compose(text, path, checker.problems)
        if data is None:
            continue
        if not checker.record(data, 1, "the claims file", {"claims": "list"}, {}):
            continue
        for line, item in ids(checker, data["claims"], "claim", line_of(data, "claims")):
            claim = _claim(checker, item, line, topics, attributes)
            if claim is None:
                continue
            if claim.id in first:
                checker.error(line, f"duplicate claim id '{claim.id}' (first defined at {first[claim.id]})")
                continue
            first[claim.id] = f"{path}:{line}"
            if claim.headline:
                key = (claim.about[0], claim.attribute or "")
                if key in headlines:
                    checker.error(line, f"claim '{claim.id}': {key[0]} already has a headline on {key[1]}")
                    continue
                headlines[key] = claim.id
            claims.append(claim)
        problems += checker.problems
    return tuple(claims), checkers


def _claim(checker: Checker, item: Any, line: int, topics: set[str], attributes: set[str]) -> Claim | None:
    what = f"claim '{item['id']}'" if isinstance(item, dict) and isinstance(item.get("id"), str) else "claim"
    if not checker.record(item, line, what, REQUIRED, OPTIONAL):
        return None
    before = len(checker.problems)
    if not _ID.match(item["id"]):
        checker.error(line_of(item, "id"), f"{what}: an id is lowercase words joined by '.' and '_'")
    for i, topic in enumerate(item["about"]):
        if topic not in topics:
            checker.error(line_of(item["about"], i), f"{what}: unknown topic '{topic}'")
    attribute = item.get("attribute")
    if attribute is not None and attribute not in attributes:
        checker.error(line_of(item, "attribute"), f"{what}: unknown attribute '{attribute}'")
    says = " ".join(item["says"].split())
    if len(says) > MAX_SAYS:
        limit = f"a claim says at most {MAX_SAYS}"
        checker.error(line_of(item, "says"), f"{what}: says {len(says)} characters; {limit}")
    if item.get("headline") and (len(item["about"]) != 1 or attribute is None):
        checker.error(line_of(item, "headline"), f"{what}: a headline is about one topic and one attribute")
    since, until = as_date(item.get("since")), as_date(item.get("until"))
    if since and until and until <= since:
        checker.error(line_of(item, "until"), f"{what}: 'until' is not after 'since'")
    if len(checker.problems) > before:
        return None
    return Claim(
        id=item["id"],
        text=says,
        about=tuple(item["about"]),
        source=item["source"],
        as_of=checker.dated_statement(item, f"claim {item['id']}"),
        attribute=attribute,
        title=" ".join(str(item.get("title", "")).split()),
        also=tuple(item.get("also", ())),
        since=since.isoformat() if since else "",
        until=until.isoformat() if until else "",
        asked=phrases(item.get("asked", ())),
        headline=bool(item.get("headline", False)),
        file=checker.file,
        line=line,
    )
