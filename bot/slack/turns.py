"""One message to answer in a conversation (a DM, a mention, a reply in the bot's thread, an assistant
thread): the bot's latest answer there is read back, the message answered in its light, and the answer
posted with the context for the next reply."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from ..answering.codes import format_code
from ..answering.conversation import Thread, situation_code
from ..understanding.match import ANSWER_KINDS
from . import blocks
from .calls import call_slack
from .delivery import Delivery
from .incoming import is_choice_prompt
from .runtime import MARKUP
from .safety import scrub

log = logging.getLogger("container_bot.requests")
THINKING = "is looking that up…"


@dataclass(frozen=True)
class Turn:
    """One message to answer in a conversation, and how."""

    channel: str
    thread_ts: str | None  # where the answer goes: the thread, or None for the top of a DM
    text: str
    event_type: str
    known: str | None  # the bot's latest answer in this conversation (remembered), to read back
    quiet: bool = False  # not addressed by a mention: help and "not sure" stay unsaid
    dm_context: bool = False  # a DM thread the bot has not answered in: `known` is the DM's, read from there
    set_status: object = None  # the assistant thread's "is looking that up…", when it is one
    set_title: object = None  # the assistant thread's title, set with its first answer


def converse(delivery: Delivery, turn: Turn) -> None:
    """Answer a message in a conversation: read the bot's latest answer there back from Slack (only when the
    bot answered in it), answer in its light, post with the context for the next reply."""
    runtime = delivery.runtime
    delivery = replace(delivery, loaded=runtime.loaded)  # the knowledge served now, for the whole turn
    loaded = delivery.loaded
    if turn.set_status is not None:
        assistant_call(delivery, "assistant.threads.setStatus", turn.set_status, THINKING)
    thread = read_back(delivery, turn)
    if is_choice_prompt(turn.text):
        message = blocks.choice_prompt_message(situation_code(loaded.knowledge, thread))
        delivery.send(channel=turn.channel, thread_ts=turn.thread_ts, **message)
        return
    answer = runtime.ask(turn.text, turn.event_type, thread=thread, loaded=loaded, overheard=turn.quiet)
    if answer.match is not None and answer.match.starts_choice and not turn.quiet:
        # "walk me through it": the guided choice's button (a message cannot open a modal itself), with
        # what the message already said selected
        code = format_code(
            loaded.knowledge, {**(thread.situation if thread else {}), **answer.match.situation}
        )
        delivery.send(channel=turn.channel, thread_ts=turn.thread_ts, **blocks.choice_prompt_message(code))
        return
    if turn.quiet and answer.kind not in ANSWER_KINDS:
        return  # overheard in the bot's thread, but not a question for it
    if turn.set_title is not None:
        # the answer's title (knowledge text), else the question with its markup and mentions taken out
        title = answer.title if answer.kind in ANSWER_KINDS else " ".join(MARKUP.sub(" ", turn.text).split())
        assistant_call(delivery, "assistant.threads.setTitle", turn.set_title, blocks.clip(scrub(title), 100))
    delivery.post_answer(turn.channel, turn.thread_ts, answer, turn.text, thread)


def read_back(delivery: Delivery, turn: Turn) -> Thread | None:
    """What the turn leans on, read when it runs: the channel's earlier turns have finished by then, so their
    answers are remembered. A DM thread that has an answer of its own by now leans on it, else on the DM."""
    runtime = delivery.runtime
    if turn.dm_context and runtime.memory.context(turn.channel, turn.thread_ts) is None:
        return delivery.read_back(turn.channel, None, turn.known)
    known = runtime.memory.latest_answer(turn.channel, turn.thread_ts) or turn.known
    return delivery.read_back(turn.channel, turn.thread_ts, known)


def assistant_call(delivery: Delivery, method: str, call, argument) -> None:
    """An assistant.threads.* call (Bolt's set_status, set_title, set_suggested_prompts): optional, so a
    failure (a workspace without the assistant view, a missing assistant:write) is a log line, never a lost
    answer."""
    call_slack(delivery.runtime.metrics, log, method, lambda: call(argument), level=logging.INFO)
