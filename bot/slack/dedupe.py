"""Exactly-once replies: remember what was handled for a while, in this process or in Redis.

Slack redelivers events it thinks timed out, Socket Mode can redeliver envelopes, and a mention arrives
both as `app_mention` and as `message`. A key is claimed once; whoever claims it first answers."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Protocol

log = logging.getLogger("container_bot.dedupe")
DEFAULT_TTL = 600  # seconds: longer than Slack's retry window (three retries over about 5 minutes)


class Deduper(Protocol):
    def claim(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        """True the first time ``key`` is seen within ``ttl`` seconds, False afterwards."""


class MemoryDeduper:
    """Per-process; bounded in size so a flood of keys cannot grow memory without limit."""

    def __init__(self, max_keys: int = 50_000, clock=time.monotonic):
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_keys
        self._clock = clock

    def claim(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        now = self._clock()
        with self._lock:
            while self._seen:
                oldest, expires = next(iter(self._seen.items()))
                if expires > now and len(self._seen) < self._max:
                    break
                self._seen.popitem(last=False)
            expires = self._seen.get(key)
            if expires is not None and expires > now:
                return False
            self._seen[key] = now + ttl
            self._seen.move_to_end(key)
            return True


class RedisDeduper:
    """Shared by every replica: an atomic SET key NX EX ttl."""

    def __init__(self, url: str, prefix: str = "container-bot:dedupe:", timeout: float = 2.0):
        import redis  # optional dependency: only when REDIS_URL is set

        self._client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._prefix = prefix
        self._fallback = MemoryDeduper()

    def ping(self) -> None:
        self._client.ping()

    def claim(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        try:
            return bool(self._client.set(self._prefix + key, b"1", nx=True, ex=ttl))
        except Exception as exc:  # Redis down: keep answering, at least once per process
            log.warning(
                "redis unavailable for duplicate suppression (%s); using this process's memory",
                type(exc).__name__,
            )
            return self._fallback.claim(key, ttl)


def make_deduper(redis_url: str | None) -> Deduper:
    return RedisDeduper(redis_url) if redis_url else MemoryDeduper()
