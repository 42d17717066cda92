"""Short first: what an answer opens with when there is little room (a phone, a notification, `ask --short`).

The opening says what was asked: the definition, the fact or the verdict with the one or two reasons that
decided it; for a comparison its summary and the rows whose two sides differ most. The rest of the answer
stays one click away ("Show more"). Texts are cut at a sentence boundary, never mid-word."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .answer import Answer

LEAD = 430  # characters the opening may take, so an answer with its sources and buttons stays near 700
ROWS = 2  # comparison rows shown first: those whose two sides differ most
POINTERS = ("For a guided choice, run ",)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'“])")
_WORD = re.compile(r"[a-z0-9$.]+")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(" ".join(text.split())) if s]


def cut(text: str, limit: int) -> str:
    """The text whole when it fits, else its first sentences that fit, else its first words that fit with
    an ellipsis: never cut mid-word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in sentences(text):
        if len(kept) + len(sentence) + 1 > limit:
            break
        kept = f"{kept} {sentence}".strip()
    if kept:
        return kept
    words = text[: max(limit - 1, 1)].rsplit(" ", 1)[0].rstrip(",;:—-")
    return words + "…"


@dataclass(frozen=True)
class Brief:
    """The opening of an answer: its lines, the comparison rows shown first, and whether the full answer
    says more than this."""

    lines: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...] = ()
    more: bool = False


def _differ(values: list[str]) -> float:
    """How much the two sides of a row differ: 1 - the share of words they have in common."""
    sets = [set(_WORD.findall(v.lower())) for v in values]
    union = set().union(*sets)
    return 1 - (len(set.intersection(*sets)) / len(union) if union else 1)


_SAID = re.compile(r"\s*\(you said: .*\)$")


def _lead(text: str) -> str:
    """A reason's first sentence, with the user's words that gave it when it quotes them: the quote is what
    shows a misreading at once, so it is never the part cut."""
    quote = _SAID.search(text)
    body = text[: quote.start()] if quote else text
    first = sentences(body)[0] if sentences(body) else body
    return first + (" " + quote.group().strip() if quote else "")


def _lines(answer: Answer) -> list[str]:
    """What the answer opens with, by kind, before it is fitted to the room."""
    parts = [p for p in answer.parts if not p.startswith(POINTERS)]
    if answer.kind == "recommendation" and answer.recommendation:
        decided = [_lead(p) for p in parts if p.startswith("This decides it: ")]
        reasons = [_lead(r) for r in answer.reasons]
        return decided + [f"Why: {r}" for r in reasons[: 3 - min(len(decided), 2)]]
    if answer.kind == "recommendation":
        # open: what was read (or the hard requirements that conflict), then the trade-off in one line
        told = [_lead(p) for p in parts if p.startswith("- ")][:4]
        summary = [p for p in parts if p.startswith("In short: ")]
        head = [p for p in parts[:1] if told or p.startswith("(You asked")]
        pointer = [p for p in answer.parts if p.startswith(POINTERS)]
        return head + told + summary + pointer
    if answer.kind == "comparison" and answer.table:
        notes = [p for p in parts if p.startswith("(You asked")]
        closing = [answer.summary] if answer.summary else answer.differences[:1] * (not answer.answered)
        return notes + answer.answered[:1] + closing
    return parts[:3]


def brief(answer: Answer, room: int = LEAD) -> Brief:
    """The answer's opening within `room` characters."""
    lines: list[str] = []
    used = 0
    in_row = {v for _, values in answer.table[:1] for v in values} if len(answer.table) == 1 else set()
    for line in (x for x in _lines(answer) if x not in in_row):  # a one-row comparison says it in its row
        if used >= room:
            break
        text = cut(line, room - used)
        if text.endswith("…") and lines:
            break
        lines.append(text)
        used += len(text) + 1
    rows: list[tuple[str, tuple[str, ...]]] = []
    if answer.table:
        ranked = sorted(answer.table, key=lambda row: -_differ(row[1]))
        for name, values in ranked[:ROWS]:
            share = max((room - used) // max(len(values), 1) - len(name), 40)
            cells = tuple(cut(sentences(v)[0] if sentences(v) else v, share) for v in values)
            rows.append((name, cells))
            used += len(name) + sum(len(c) for c in cells)
    shown = sum(len(x) for x in lines) + sum(len(c) for _, cells in rows for c in cells)
    cited = len(f"{answer.sources_label}: " + " ".join(answer.sources)) if answer.sources else 0
    whole = len(answer.text) - len(answer.title) - cited
    return Brief(tuple(lines), tuple(rows), more=whole > shown + 80)


def brief_text(answer: Answer) -> str:
    """The short answer as plain text: title, opening, the rows that differ most, the first source."""
    short = brief(answer)
    out = [answer.title, *short.lines]
    for name, cells in short.rows:
        pairs = zip(answer.table_header, cells, strict=False)
        out.append(f"{name}: " + " | ".join(f"{h}: {c}" for h, c in pairs))
    if answer.suggestions:
        out.append("Did you mean: " + " / ".join(answer.suggestions))
    if answer.sources:
        first = answer.sources[0]
        title = answer.titles.get(first, "")
        more = f" (+{len(answer.sources) - 1} more)" if len(answer.sources) > 1 else ""
        out.append(f"{answer.sources_label}: {title + ' ' if title else ''}{first}{more}")
    return "\n".join(out)
