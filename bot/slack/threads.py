"""Threads the bot answered in: remembered for a day with the context a reply leans on, and read back from
Slack when that context is not remembered.

Both are kept in the store that suppresses duplicates (Redis when REDIS_URL is set, so every replica knows
them): the ts of the bot's latest answer in the thread, and the thread's context as that answer leaves it
(its reading, the choice under way), written as soon as the answer is decided, before Slack has taken the
post, so a second reply a moment later leans on the first one's answer, on whichever replica. The same
context travels in Slack, in the answer's metadata: a thread whose context the store does not have (answered
by an earlier version, or forgotten) is read back from there. `conversations.replies` is rate-limited (Tier
3), so it is read only for threads the bot answered in, from its latest answer on, and never waits out a 429
(`ReadBudget`).

A conversation is a thread (channel, thread_ts), or a DM read as one conversation (channel, None), which is
read with `conversations.history` instead.
"""

from __future__ import annotations

import json
import logging
import threading
import time

from slack_sdk.errors import SlackApiError

from ..answering.conversation import EVENT_TYPE, Thread, from_payload, to_payload
from ..knowledge.model import Knowledge
from .calls import call_slack
from .client import retry_after_seconds
from .http.payloads import decode_value
from .metrics import Metrics
from .store import Store

log = logging.getLogger("container_bot.threads")
REMEMBER_SECONDS = 24 * 3600
READ_LIMIT = 8  # the thread's parent, the bot's latest answer and the replies since: a few messages


def _key(kind: str, channel: str, thread_ts: str | None) -> str:
    return f"{kind}:{channel}:{thread_ts or '-'}"


class ThreadMemory:
    def __init__(self, store: Store):
        self.store = store

    def answered(self, channel: str, thread_ts: str | None, answer_ts: str) -> None:
        """The bot posted `answer_ts` in this conversation: remember it (and the thread) for 24 h."""
        self.store.put(_key("thread", channel, thread_ts), answer_ts, REMEMBER_SECONDS)

    def latest_answer(self, channel: str, thread_ts: str | None) -> str | None:
        """The ts of the bot's latest answer in this conversation within the last 24 h, or None."""
        value = self.store.get(_key("thread", channel, thread_ts))
        return value if value and _is_ts(value) else None

    def in_dm(self, channel: str, thread_ts: str | None) -> tuple[str | None, bool]:
        """What a DM message leans on: (the bot's latest answer, whether it is the DM's own). A reply in a
        thread the bot has not answered in yet (under its answer at the top of the DM) leans on the DM, the
        one conversation it is part of; once answered there, the thread has its own."""
        known = self.latest_answer(channel, thread_ts)
        if known is None and thread_ts:
            top = self.latest_answer(channel, None)
            if top is not None:
                return top, True
        return known, False

    def remember(self, channel: str, thread_ts: str | None, thread: Thread) -> None:
        """The context the bot's answer leaves this conversation with, for the next reply (24 h)."""
        payload = json.dumps(to_payload(thread), separators=(",", ":"))
        self.store.put(_key("context", channel, thread_ts), payload, REMEMBER_SECONDS)

    def context(self, channel: str, thread_ts: str | None) -> dict | None:
        """The remembered context, as the payload an answer's metadata carries (unchecked: from_payload checks
        it against the knowledge served now); None when the store does not have it."""
        value = decode_value(self.store.get(_key("context", channel, thread_ts)))
        return value if isinstance(value, dict) else None

    def assistant_thread(self, channel: str, thread_ts: str) -> None:
        self.store.put(_key("assistant", channel, thread_ts), "1", REMEMBER_SECONDS)

    def is_assistant_thread(self, channel: str, thread_ts: str | None) -> bool:
        return bool(thread_ts) and self.store.get(_key("assistant", channel, thread_ts)) == "1"


class ReadBudget:
    """Slack's budget for reading conversations back (conversations.replies and .history are Tier 3, and
    much less for some apps): after a 429, no read is tried with that token until its Retry-After has passed.
    Replies in the meantime are answered without their thread, at once, instead of each asking again and
    waiting out the same 429."""

    def __init__(self, clock=time.monotonic) -> None:
        self._until: dict[str, float] = {}  # token -> when reads may start again
        self._lock = threading.Lock()
        self._clock = clock

    def spent(self, token: str) -> bool:
        with self._lock:
            until = self._until.get(token)
            if until is not None and until <= self._clock():
                del self._until[token]
                until = None
        return until is not None

    def pause(self, token: str, seconds: float) -> None:
        now = self._clock()
        with self._lock:
            if len(self._until) >= 64:  # tokens long gone: forget the expired
                self._until = {t: u for t, u in self._until.items() if u > now}
            self._until[token] = max(self._until.get(token, now), now + seconds)


def _is_ts(value: str) -> bool:
    seconds, _, fraction = value.partition(".")
    return seconds.isdigit() and (not fraction or fraction.isdigit()) and len(value) <= 20


def read_thread(
    client,
    knowledge: Knowledge,
    metrics: Metrics,
    channel: str,
    thread_ts: str | None,
    answer_ts: str,
    bot_id: str | None,
    bot_user_id: str | None,
    budget: ReadBudget | None = None,
) -> Thread | None:
    """The thread as the bot's latest answer there left it, from that answer's metadata; None when it cannot
    be read (the failure is logged and counted, and the reply is then answered on its own), or when Slack's
    read budget is spent (`budget`: counted as rate_limited, no call made)."""
    token = getattr(client, "token", None) or ""
    if budget is not None and budget.spent(token):
        metrics.thread_reads.labels("rate_limited").inc()
        return None
    arguments = dict(
        channel=channel, oldest=answer_ts, inclusive=True, limit=READ_LIMIT, include_all_metadata=True
    )
    method = "conversations.replies" if thread_ts else "conversations.history"

    def fetch():
        try:
            if thread_ts:
                return client.conversations_replies(ts=thread_ts, **arguments).get("messages") or []
            return client.conversations_history(**arguments).get("messages") or []
        except SlackApiError as exc:
            if budget is not None and exc.response.status_code == 429:
                budget.pause(token, retry_after_seconds(exc.response.headers))
            raise

    messages, error = call_slack(
        metrics, log, method, fetch, message="%s failed; answering without the thread"
    )
    if error is not None:
        metrics.thread_reads.labels("error").inc()
        return None
    latest = None
    for message in messages if isinstance(messages, list) else ():
        if not isinstance(message, dict) or not _ours(message, bot_id, bot_user_id):
            continue
        metadata = message.get("metadata")
        if not isinstance(metadata, dict) or metadata.get("event_type") != EVENT_TYPE:
            continue
        ts = message.get("ts")
        if isinstance(ts, str) and _is_ts(ts) and (latest is None or float(ts) > float(latest[0])):
            latest = (ts, metadata.get("event_payload"))
    thread = from_payload(latest[1], knowledge) if latest else None
    metrics.thread_reads.labels("found" if thread else "none").inc()
    return thread


def _ours(message: dict, bot_id: str | None, bot_user_id: str | None) -> bool:
    """Only the bot's own messages speak for it: metadata on anyone else's is not read."""
    return bool(bot_id and message.get("bot_id") == bot_id) or bool(
        bot_user_id and message.get("user") == bot_user_id and message.get("bot_id")
    )
