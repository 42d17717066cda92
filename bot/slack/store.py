"""The store: what was handled (exactly-once replies) and a few short values, in this process or in Redis.

Slack redelivers events it thinks timed out, Socket Mode can redeliver envelopes, and a mention arrives
both as `app_mention` and as `message`. A key is claimed once; whoever claims it first answers.

The same store keeps a few short values for a while (`put`/`get`): which threads the bot answered in, and
its latest answer there (bot/slack/threads.py), so every replica knows them when REDIS_URL is set."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from operator import itemgetter
from typing import Protocol

log = logging.getLogger("container_bot.dedupe")  # the name operators filter on
DEFAULT_TTL = 600  # seconds: longer than Slack's retry window (three retries over about 5 minutes)


class Store(Protocol):
    def claim(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        """True the first time ``key`` is seen within ``ttl`` seconds, False afterwards."""

    def put(self, key: str, value: str, ttl: int) -> None:
        """Keep ``value`` under ``key`` for ``ttl`` seconds, replacing what was there."""

    def get(self, key: str) -> str | None:
        """The value kept under ``key``, or None when there is none (or it expired)."""


class MemoryStore:
    """Per-process; bounded in size so a flood of keys cannot grow memory without limit."""

    def __init__(self, max_keys: int = 50_000, clock=time.monotonic):
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._values: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_keys
        self._clock = clock

    def put(self, key: str, value: str, ttl: int) -> None:
        now = self._clock()
        with self._lock:
            self._values.pop(key, None)
            self._values[key] = (now + ttl, value)
            _forget(self._values, now, self._max, expires_of=itemgetter(0))

    def get(self, key: str) -> str | None:
        with self._lock:
            found = self._values.get(key)
        if found is None or found[0] <= self._clock():
            return None
        return found[1]

    def claim(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        now = self._clock()
        with self._lock:
            _forget(self._seen, now, self._max - 1)  # room for the key it may claim
            expires = self._seen.get(key)
            if expires is not None and expires > now:
                return False
            self._seen[key] = now + ttl
            self._seen.move_to_end(key)
            return True


def _forget(entries: OrderedDict, now: float, keep: int, expires_of=lambda entry: entry) -> None:
    """The oldest first: drop what expired, and past `keep` entries the oldest, whether expired or not."""
    while entries:
        if expires_of(next(iter(entries.values()))) > now and len(entries) <= keep:
            return
        entries.popitem(last=False)


def _unavailable(purpose: str, exc: Exception) -> None:
    """Redis down: keep answering from this process's memory, and say so."""
    log.warning("redis unavailable for %s (%s); using this process's memory", purpose, type(exc).__name__)


class RedisStore:
    """Shared by every replica: an atomic SET key NX EX ttl."""

    def __init__(self, url: str, prefix: str = "container-bot:dedupe:", timeout: float = 2.0):
        import redis  # optional dependency: only when REDIS_URL is set

        self._client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._prefix = prefix
        self._fallback = MemoryStore()

    def ping(self) -> None:
        self._client.ping()

    def claim(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        try:
            return bool(self._client.set(self._prefix + key, b"1", nx=True, ex=ttl))
        except Exception as exc:  # Redis down: keep answering, at least once per process
            _unavailable("duplicate suppression", exc)
            return self._fallback.claim(key, ttl)

    def put(self, key: str, value: str, ttl: int) -> None:
        try:
            self._client.set(self._prefix + key, value.encode("utf-8"), ex=ttl)
        except Exception as exc:
            _unavailable("thread memory", exc)
            self._fallback.put(key, value, ttl)

    def get(self, key: str) -> str | None:
        try:
            value = self._client.get(self._prefix + key)
        except Exception as exc:
            _unavailable("thread memory", exc)
            return self._fallback.get(key)
        if value is None:
            return self._fallback.get(key)  # kept here while Redis was down
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def make_store(redis_url: str | None) -> Store:
    return RedisStore(redis_url) if redis_url else MemoryStore()
