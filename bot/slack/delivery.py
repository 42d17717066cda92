"""How an answer goes out: posted in a conversation with its context, through a response_url, or privately
when the post fails. Every message passes the safety gate first, and every failure is a log line and a
metric, never a crash."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from ..answering import conversation
from ..answering.answer import Answer
from ..answering.conversation import Thread
from ..answering.decision import deciding_questions
from . import blocks
from .calls import call_slack
from .runtime import Loaded, Runtime, loggable
from .safety import scrub_message
from .threads import read_thread

log = logging.getLogger("container_bot.requests")
Respond = Callable[..., Any]  # Bolt's respond(): a message through the request's response_url


def delivered(status: int, body: str | None) -> bool:
    """Whether a response_url answered that it took the message: a 2xx status is not enough, since Slack
    can answer 200 with `{"ok": false, "error": "expired_url"}`; the body must say ok."""
    if not 200 <= status < 300:
        return False
    text = (body or "").strip()
    if text.startswith("{"):
        try:
            return json.loads(text).get("ok") is True
        except (ValueError, AttributeError):
            return False
    return text.lower() == "ok"


def answer_extras(
    runtime: Runtime, answer: Answer, question: str, thread: Thread | None, loaded: Loaded
) -> dict:
    """What an answer carries besides itself: questions that would settle an open recommendation, the
    situation the guided choice opens with, the 👍/👎 that logs the question."""
    deciding: tuple = ()
    if answer.kind == "recommendation" and not answer.recommendation and answer.match is not None:
        deciding = tuple(deciding_questions(loaded.knowledge, thread.situation if thread else {}))
    return {
        "deciding": deciding,
        "choice_code": conversation.situation_code(loaded.knowledge, thread),
        "feedback": loggable(question, runtime.settings.secrets),
    }


@dataclass(frozen=True)
class Delivery:
    """Where one request's answers go: the Web API client of its workspace, its response_url (`respond`),
    the knowledge it is answered from, and who the bot is there (`bot`: bot_id, bot_user_id)."""

    runtime: Runtime
    client: WebClient
    loaded: Loaded
    bot: tuple[str | None, str | None] = (None, None)
    respond: Respond | None = None

    def send(self, allow_users: tuple[str, ...] = (), **kwargs) -> tuple[str | None, str | None]:
        """chat.postMessage through the safety gate: (ts of the message, None) when it was delivered, else
        (None, Slack's error code such as not_in_channel)."""
        payload = scrub_message(kwargs, allow_users)
        if isinstance(payload.get("channel"), str):
            self.runtime.outbox.posting(payload["channel"])
        ts, error = call_slack(
            self.runtime.metrics,
            log,
            "chat.postMessage",
            lambda: self.client.chat_postMessage(unfurl_links=False, unfurl_media=False, **payload).get("ts"),
            unknown="unknown",
        )
        if error is not None:
            return None, error
        return (ts if isinstance(ts, str) else ""), None

    def post(self, allow_users: tuple[str, ...] = (), **kwargs) -> str | None:
        """chat.postMessage through the safety gate: None when it was delivered, else Slack's error code."""
        return self.send(allow_users, **kwargs)[1]

    def read_back(self, channel: str, thread_ts: str | None, known: str | None, client=None) -> Thread | None:
        """The conversation as the bot's latest answer there left it: as the store remembers it (also while
        that answer is still on its way to Slack), else, when the bot has answered there (`known`, the ts of
        its latest answer), read back from Slack with a reader that never waits out a 429 (`client`: another
        reader). None when the bot has not answered there, the read fails, or Slack's read budget is spent."""
        runtime = self.runtime
        knowledge = self.loaded.knowledge
        remembered = runtime.memory.context(channel, thread_ts)
        if remembered is not None:
            runtime.metrics.thread_reads.labels("remembered").inc()
            return conversation.from_payload(remembered, knowledge)
        if not known:
            return None
        if runtime.contexts is not None:  # OAuth mode: from the shared store, not from Slack
            return runtime.contexts.recall(knowledge, channel, thread_ts)
        reader = client or runtime.reader(self.client)
        return read_thread(
            reader, knowledge, runtime.metrics, channel, thread_ts, known, *self.bot, budget=runtime.reads
        )

    def post_answer(
        self, channel: str, thread_ts: str | None, answer: Answer, question: str, before: Thread | None
    ) -> str | None:
        """An answer in a conversation, carrying the thread's context as message metadata; the context is
        remembered at once, and the conversation for 24 h once Slack took it. None when delivered, else
        Slack's error code."""
        thread = conversation.after(answer, before)
        extras = answer_extras(self.runtime, answer, question, thread, self.loaded)
        message = blocks.answer_message(answer, question, **extras)
        memory = self.runtime.memory
        if thread is not None:
            message["metadata"] = {
                "event_type": conversation.EVENT_TYPE,
                "event_payload": conversation.to_payload(thread),
            }
            # now, not once Slack has taken the post: a reply a moment later leans on this answer
            memory.remember(channel, thread_ts, thread)
        asker = (answer.asked_by,) if answer.asked_by else ()  # "@ana asked about this message:"
        ts, error = self.send(asker, channel=channel, thread_ts=thread_ts, **message)
        if ts:
            memory.answered(channel, thread_ts, ts)
            if self.runtime.contexts is not None:
                self.runtime.contexts.remember(channel, thread_ts, thread)
        return error

    def private_answer(self, answer: Answer, question: str) -> dict:
        """An answer only the asker sees (a command's, a click's on a private message): no metadata, since no
        one can reply to it, but the same buttons and 👍/👎."""
        thread = conversation.after(answer, None)
        extras = answer_extras(self.runtime, answer, question, thread, self.loaded)
        return blocks.answer_message(answer, question, **extras)

    def answer_in_thread(
        self,
        channel: str | None,
        thread_ts: str | None,
        answer: Answer,
        question: str,
        read: bool = True,
        **private,
    ) -> None:
        """An answer in the thread, carrying its context on (`read`: from the bot's latest answer there), and
        privately through `respond` whenever there is no channel or the post fails (the bot is not a member,
        a DM between two people); `private`: more arguments for that private message."""
        if channel:
            known = self.runtime.memory.latest_answer(channel, thread_ts) if read else None
            before = self.read_back(channel, thread_ts, known)
            if self.post_answer(channel, thread_ts, answer, question, before) is None:
                return
        message = self.private_answer(answer, question)
        self.respond_with(response_type="ephemeral", **private, **message)

    def answer_click(
        self, body: dict, answer: Answer, question: str, replace: bool, read: bool = True
    ) -> None:
        """A button's answer where the clicked message is: a private (ephemeral) message is answered privately
        through the click's response_url (`replace` swaps the private message for the answer); a public one
        in its thread, carrying the thread's context on (`read`: from the bot's latest answer there), and
        privately whenever that post fails (the bot is not in the channel, a DM between two people)."""
        if (body.get("container") or {}).get("is_ephemeral"):
            message = self.private_answer(answer, question)
            self.respond_with(response_type="ephemeral", replace_original=replace, **message)
            return
        channel, thread_ts = where(body)
        self.answer_in_thread(channel, thread_ts, answer, question, read, replace_original=False)

    def respond_with(self, allow_users: tuple[str, ...] = (), **kwargs) -> bool:
        """A message through the click's or command's response_url; True when Slack took it."""
        if self.respond is None:  # App Home clicks and modal submissions carry no response_url
            return False
        return through_response_url(self.runtime, self.respond, scrub_message(kwargs, allow_users))

    def to_response_url(self, url: str, **message) -> bool:
        """A message through a response_url kept for later (a modal's metadata); True when Slack took it."""
        send = WebhookClient(url, timeout=10).send
        return through_response_url(self.runtime, send, scrub_message(message))

    def tell_privately(self, response_url: str | None, user: str | None, text: str) -> None:
        """A note only the user sees: through the response_url when there is one, else in their DM."""
        message: dict[str, Any] = {"text": text, "blocks": [blocks.text_section(text)]}
        if response_url and self.to_response_url(response_url, response_type="ephemeral", **message):
            return
        if user:
            self.post(channel=user, **message)

    def view_call(self, method: str, call, **kwargs) -> str | None:
        """Open or update a modal: None when it worked, else the Slack error (counted and logged)."""
        return call_slack(self.runtime.metrics, log, method, lambda: call(**kwargs))[1]


def through_response_url(runtime: Runtime, send, message: dict) -> bool:
    """Send a scrubbed message through a response_url; True when Slack took it, else counted and logged."""
    try:
        response = send(**message)
        if delivered(response.status_code, response.body):
            return True
        error = f"http_{response.status_code}" if response.status_code >= 300 else str(response.body)[:100]
    except Exception as exc:
        error = type(exc).__name__
    runtime.metrics.slack_errors.labels("response_url").inc()
    log.warning("response_url post failed", extra={"method": "response_url", "error": error})
    return False


def where(body: dict) -> tuple[str | None, str | None]:
    """(channel, thread_ts) to answer a button click in: the clicked message's thread, or the user's DM."""
    container = body.get("container") or {}
    if container.get("type") == "view":  # App Home or a modal: answer in the DM
        return body.get("user", {}).get("id"), None
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    message = body.get("message") or {}
    thread = message.get("thread_ts") or (
        message.get("ts") if not channel or not channel.startswith("D") else None
    )
    return channel, thread
