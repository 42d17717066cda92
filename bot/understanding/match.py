"""What the matcher understood of a message (a Match), and the previous answer a reply leans on (a
Context)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .phrases import Hit
from .retrieval import Found

# The kinds of answer (the contract's `kind`): the four that answer a question, help (greetings, thanks and
# questions about the bot) and fallback ("not sure", out of scope).
Kind = Literal["definition", "comparison", "attribute", "recommendation", "help", "fallback"]
ANSWER_KINDS: tuple[Kind, ...] = ("definition", "comparison", "attribute", "recommendation")
KINDS: tuple[Kind, ...] = (*ANSWER_KINDS, "help", "fallback")
SMALL_TALK = ("greeting", "thanks", "help")  # what the kind model reads that is answered with help
FollowUp = Literal["why", "situation", "attribute", "topic"]


def as_kind(reading: str) -> Kind:
    """A reading of the kind model that is a kind of answer, as a Kind (ValueError when it is not one)."""
    if reading not in KINDS:
        raise ValueError(f"'{reading}' is not a kind of answer")
    return reading


@dataclass
class Match:
    """What the matcher understood, with its evidence."""

    kind: Kind
    topics: list[str]
    attribute: str | None
    confidence: float
    situation: dict[str, str] = field(default_factory=dict)
    said: dict[str, str] = field(default_factory=dict)  # criterion id -> the user's words that stated it
    evidence: list[Hit] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    hint: str | None = None
    unknown_words: int = 0
    normalised: str = ""
    threshold: float = 0.6
    reason: str = ""
    small_talk: str | None = None  # greeting | thanks | help, for kind help
    language: str | None = None  # the language the question was asked in, when not English
    readings: list[tuple[str, float]] = field(default_factory=list)  # the model's kinds, most likely first
    lean: str | None = None  # recommendation: the service the pick model leans to (None: too little to say)
    lean_p: float = 0.0
    follow_up: FollowUp | None = None  # how a reply leaned on the previous answer
    starts_choice: bool = False  # asks to be taken through the guided choice ("walk me through it")
    claims: list[str] = field(default_factory=list)  # the claims that answer it, best first (ids)
    found: list[Found] = field(default_factory=list)  # the claims retrieval found, with scores (for why)

    @property
    def phrasing(self) -> str:
        """The phrases that decided the answer, as 'phrase ~ words (score)'."""
        return "; ".join(
            f"{h.phrase.kind} '{h.phrase.text}' ~ '{h.matched}' ({h.score:.2f})" for h in self.evidence
        )

    def context(self) -> Context:
        """What a reply in the same thread may lean on."""
        return Context(self.kind, tuple(self.topics), self.attribute, tuple(sorted(self.situation.items())))


@dataclass(frozen=True)
class Context:
    """The bot's previous answer in a thread, as it travels in Slack's message metadata."""

    kind: str
    topics: tuple[str, ...] = ()
    attribute: str | None = None
    situation_items: tuple[tuple[str, str], ...] = ()
    recommendation: str | None = None

    @property
    def situation(self) -> dict[str, str]:
        return dict(self.situation_items)

    def to_payload(self) -> dict:
        return {
            "kind": self.kind,
            "topics": list(self.topics),
            "attribute": self.attribute,
            "situation": self.situation,
            "recommendation": self.recommendation,
        }

    @classmethod
    def from_payload(cls, payload: dict) -> Context | None:
        """From message metadata; None when it is not ours or not well-formed."""
        if not isinstance(payload, dict) or not isinstance(payload.get("kind"), str):
            return None
        topics = payload.get("topics") or []
        situation = payload.get("situation") or {}
        if not isinstance(topics, list) or not isinstance(situation, dict):
            return None
        attribute, pick = payload.get("attribute"), payload.get("recommendation")
        return cls(
            payload["kind"],
            tuple(str(t) for t in topics[:5]),
            attribute if isinstance(attribute, str) else None,
            tuple(sorted((str(c), str(v)) for c, v in list(situation.items())[:30])),
            pick if isinstance(pick, str) else None,
        )
