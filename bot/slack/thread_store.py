"""OAuth mode's thread context, kept in the shared store instead of read back from Slack.

Apps installed through OAuth outside the Slack Marketplace may call conversations.replies and
conversations.history only once a minute (Slack changelog, May 2025), so a distributed bot cannot read a
thread back for every reply. The context its latest answer in a conversation left (the same payload the
answer carries as message metadata) is kept beside the thread memory, in the store that suppresses duplicates
(Redis when REDIS_URL is set, so every replica has it), for as long as the thread is remembered. In OAuth mode
that store keeps each installation's keys apart (installations.ScopedStore).
Single-workspace mode keeps reading the thread back (threads.py)."""

from __future__ import annotations

import json

from ..answering.conversation import Thread, from_payload, to_payload
from ..knowledge.model import Knowledge
from .store import Store
from .threads import REMEMBER_SECONDS

MAX_CHARS = 4096  # a context is a few hundred characters; anything longer was not written by us


def _key(channel: str, thread_ts: str | None) -> str:
    return f"context:{channel}:{thread_ts or '-'}"


class ThreadContexts:
    def __init__(self, store: Store):
        self.store = store

    def remember(self, channel: str, thread_ts: str | None, thread: Thread | None) -> None:
        """The context the bot's answer just posted in this conversation leaves (none: forgotten)."""
        value = json.dumps(to_payload(thread), separators=(",", ":")) if thread is not None else "{}"
        self.store.put(_key(channel, thread_ts), value, REMEMBER_SECONDS)

    def recall(self, knowledge: Knowledge, channel: str, thread_ts: str | None) -> Thread | None:
        """The context of the bot's latest answer in this conversation, read as untrusted as metadata is."""
        value = self.store.get(_key(channel, thread_ts))
        if not value or len(value) > MAX_CHARS:
            return None
        try:
            payload = json.loads(value)
        except ValueError:
            return None
        return from_payload(payload, knowledge)
