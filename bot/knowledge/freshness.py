"""How fresh the knowledge is: every sourced statement with the day its page was last checked."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Dated:
    """One sourced statement with the day its page was checked, for `check --max-age`."""

    what: str
    source: str
    as_of: datetime.date
    line: int
    file: str = ""  # the file it is in, when not the knowledge file itself
    cites: tuple[str, ...] = ()  # every page the statement names (source, link, also): each needs a title


class HasDated(Protocol):
    """What keeps dated statements: the Knowledge."""

    @property
    def dated(self) -> tuple[Dated, ...]: ...


def stale(knowledge: HasDated, max_age_days: int, today: datetime.date | None = None) -> list[Dated]:
    """Statements whose source was last checked more than `max_age_days` ago, oldest first."""
    today = today or datetime.date.today()
    old = [d for d in knowledge.dated if (today - d.as_of).days > max_age_days]
    return sorted(old, key=lambda d: (d.as_of, d.line))
