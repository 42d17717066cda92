"""The Answer: one model of what the bot says, which every face (terminal, JSON, Slack) renders."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..understanding.match import Context, Match


@dataclass
class Answer:
    kind: str
    topics: list[str]
    attribute: str | None
    recommendation: str | None
    confidence: float
    title: str
    parts: list[str] = field(default_factory=list)
    table_header: list[str] = field(default_factory=list)
    table: list[tuple[str, list[str]]] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    summary: str = ""
    code: str = ""
    checked: str = ""  # the oldest `as_of` of the statements used: when their sources were last checked
    titles: dict[str, str] = field(default_factory=dict, repr=False)  # the pages' titles, by URL
    answered: list[str] = field(default_factory=list)  # a comparison's claims that answer what was asked
    expanded: bool = False  # shown whole ("Show more" was clicked), not short first
    asked_by: str = ""  # who asked, when it is not the message's author (the shortcut): a Slack user id
    match: Match | None = None

    @property
    def text(self) -> str:
        """The whole answer as plain text."""
        lines = [self.title]
        lines += self.parts
        if self.table:
            width = max(len(name) for name, _ in self.table)
            lines.append("")
            for name, values in self.table:
                cells = " | ".join(f"{h}: {v}" for h, v in zip(self.table_header, values, strict=True))
                lines.append(f"{name.ljust(width)}  {cells}")
        if self.differences:
            lines.append("")
            lines.append("Key differences:")
            lines += [f"- {d}" for d in self.differences]
        if self.summary:
            lines.append(f"In short: {self.summary}")
        if self.reasons:
            lines.append("Why:")
            lines += [f"- {r}" for r in self.reasons]
        if self.changes:
            lines.append(f"What would change it: {join_or(self.changes)}.")
        if self.suggestions:
            lines.append("Did you mean: " + " / ".join(self.suggestions))
        if self.code:
            lines.append(f"Answer code: {self.code}")
        if self.sources:
            lines.append(f"{self.sources_label}: " + " ".join(self.sources))
        return "\n".join(lines).strip()

    @property
    def sources_label(self) -> str:
        return f"Sources (checked {self.checked})" if self.checked else "Sources"

    def context(self) -> Context:
        """What a reply in the same thread may lean on: this answer's reading and recommendation."""
        situation = self.match.situation if self.match and self.kind == "recommendation" else {}
        return Context(
            self.kind,
            tuple(self.topics),
            self.attribute,
            tuple(sorted(situation.items())),
            self.recommendation if self.kind == "recommendation" else None,
        )

    def to_json(self, text: str | None = None) -> dict:
        """The contract's JSON answer; ``text``: another rendering of it (`ask --json --short`)."""
        return {
            "kind": self.kind,
            "topics": list(self.topics),
            "attribute": self.attribute,
            "recommendation": self.recommendation if self.kind == "recommendation" else None,
            "confidence": round(float(self.confidence), 2),
            "text": self.text if text is None else text,
            "suggestions": list(self.suggestions),
        }


def join_or(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
