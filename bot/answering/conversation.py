"""A conversation with the bot in one thread, with no state kept on the server.

Every answer the bot posts carries what a reply may lean on, as Slack message metadata: the kind, topics and
attribute of that answer, and the choice under way in the thread (the situation read so far and the service
it picks). A reply is read in that light ("and ecr?", "what about cost?", "why?", "we also run windows"), so
any replica can answer it. What comes back from Slack is untrusted: it is checked against the knowledge and
anything that does not fit is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..knowledge.model import Knowledge
from ..understanding.match import ANSWER_KINDS, Context, Match
from .answer import Answer
from .codes import format_code
from .decision import decide
from .engine import AnswerEngine

EVENT_TYPE = "container_bot_answer_posted"  # the metadata event type of the bot's answers
CHOICE_FOLLOW_UPS = ("why", "situation")  # readings that lean on the choice under way, whatever came since
MAX_CRITERIA = 30


@dataclass(frozen=True)
class Thread:
    """What the bot's latest answer in a thread leaves a reply to lean on."""

    last: Context  # that answer's reading
    choice: Context | None = None  # the recommendation under way: situation so far and pick; None if none

    @property
    def situation(self) -> dict[str, str]:
        return self.choice.situation if self.choice else {}


def after(answer: Answer, before: Thread | None) -> Thread | None:
    """The thread once `answer` is posted in it. Help and "not sure" change nothing a reply leans on."""
    if answer.kind not in ANSWER_KINDS:
        return before
    last = answer.context()
    if answer.kind == "recommendation":
        return Thread(last, last)
    return Thread(last, before.choice if before else None)


def to_payload(thread: Thread) -> dict[str, Any]:
    """The metadata `event_payload`: flat, with no nulls (Slack's payload values are strings, numbers,
    booleans, flat objects and lists)."""
    payload: dict[str, Any] = {"kind": thread.last.kind, "topics": list(thread.last.topics)}
    if thread.last.attribute:
        payload["attribute"] = thread.last.attribute
    if thread.choice is not None:
        payload["choice"] = True
        if thread.choice.situation:
            payload["situation"] = thread.choice.situation
        if thread.choice.recommendation:
            payload["recommendation"] = thread.choice.recommendation
    return payload


def from_payload(payload: Any, knowledge: Knowledge) -> Thread | None:
    """The thread an answer's metadata describes, keeping only what this knowledge knows; None when the
    payload is not one of ours or not well-formed (it came back from Slack: anyone could have shaped it)."""
    read = Context.from_payload(payload) if isinstance(payload, dict) else None  # caps topics and situation
    if read is None or read.kind not in ANSWER_KINDS:
        return None
    topics = tuple(t for t in read.topics if t in knowledge.topics)
    if read.kind in ("definition", "attribute", "comparison") and not topics:
        return None
    attribute = read.attribute if read.attribute in knowledge.attributes else None
    situation = valid_situation(knowledge, read.situation)
    pick = read.recommendation if read.recommendation in knowledge.services else None
    services = tuple(knowledge.services)
    choice = None
    if payload.get("choice") is True or read.kind == "recommendation":
        choice = Context("recommendation", services, None, tuple(sorted(situation.items())), pick)
    last = choice if read.kind == "recommendation" else Context(read.kind, topics, attribute)
    return Thread(last, choice)  # type: ignore[arg-type]


def valid_situation(knowledge: Knowledge, situation: dict[str, str]) -> dict[str, str]:
    """Only the criteria and answers the knowledge has."""
    out = {}
    for criterion_id, value in list(situation.items())[:MAX_CRITERIA]:
        criterion = knowledge.criterion(criterion_id)
        if criterion is not None and criterion.option(value) is not None:
            out[criterion_id] = value
    return out


def reply(engine: AnswerEngine, text: str, thread: Thread | None = None, addressed: bool = True) -> Answer:
    """The answer to a message, for every entry point: read on its own, or in a thread in the light of the
    bot's latest answer there (`thread`). A reply that states more of the situation or asks why leans on the
    choice under way even when other answers came since ("ecs or eks?", "what about cost?", "we also run
    windows"). ``addressed``: a DM, mention, command or click; a message only overheard in a channel is
    answered only when it plainly asks."""
    if thread is None:
        return engine.ask(text, addressed=addressed)
    match = engine.matcher.match(text, context=thread.last)
    under_way = thread.choice is not None and thread.choice != thread.last
    if under_way and match.follow_up not in CHOICE_FOLLOW_UPS:
        leaning = engine.matcher.match(text, context=thread.choice)
        if leaning.follow_up in CHOICE_FOLLOW_UPS:
            return engine.answer_for(leaning)
    if match.kind == "recommendation" and match.follow_up is None and thread.situation:
        # asked afresh in a thread where a situation was read ("we already run kubernetes on prem" names a
        # topic, so it stands on its own): the same team, so what it says is added to what was read, and the
        # choice decided again
        merged = {**thread.situation, **match.situation}
        if merged != match.situation:
            match = replace(match, situation=merged, follow_up="situation")
    return engine.answer_for(match)


def choice_answer(engine: AnswerEngine, answers: dict[str, str]) -> Answer:
    """The recommendation for answers picked on a button ("Do you already run Kubernetes?" Yes), read like a
    message stating them: criteria left open stay open."""
    knowledge = engine.knowledge
    answers = valid_situation(knowledge, answers)
    answer = engine.recommendation(decide(knowledge, answers))
    answer.match = Match(
        "recommendation", list(knowledge.services), None, 1.0, dict(answers), reason="answers picked"
    )
    return answer


def situation_code(knowledge: Knowledge, thread: Thread | None) -> str:
    """The situation read so far as an answer code ('kubernetes=yes windows=yes'), or ''."""
    return format_code(knowledge, thread.situation) if thread else ""
