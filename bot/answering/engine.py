"""The core's single entry point: text in, Answer out."""

from __future__ import annotations

from ..knowledge.model import Knowledge
from ..understanding.match import Context, Match
from ..understanding.policy import Matcher
from .answer import Answer
from .builders import AnswerBuilder


class AnswerEngine(AnswerBuilder):
    """The builders plus the matcher that reads a message. Knowledge and matcher are built once."""

    def __init__(self, knowledge: Knowledge, threshold: float | None = None):
        super().__init__(knowledge)
        self.matcher = Matcher(knowledge, threshold)

    def ask(self, text: str, addressed: bool = True, context: Context | None = None) -> Answer:
        """The answer to a message. ``addressed``: a DM, mention, command or reply in the bot's thread; a
        channel message the bot only overheard is answered only when it plainly asks (else a fallback).
        ``context``: the bot's previous answer in the thread, for follow-ups ("and ecr?", "why?")."""
        return self.answer_for(self.matcher.match(text, addressed=addressed, context=context))

    def answer_for(self, match: Match) -> Answer:
        """The answer to a match: built, titled for a "why?", with a note on the language it was asked in."""
        answer = self.build(match)
        if match.follow_up == "why" and answer.recommendation:
            answer.title = f"Why {self.knowledge.topics[answer.recommendation].name}"
        if match.language and answer.kind != "fallback":
            answer.parts.insert(0, f"(You asked in {match.language}; I answer in English.)")
        answer.match = match
        return answer

    # ------------------------------------------------------------------------------------------ builders
