"""Posts paced per channel: about one a second in each channel, after a short burst, as Slack asks of
chat.postMessage; other channels are not slowed, and no worker thread ever sleeps for it.

Work that posts in a channel (answering a message there) waits in that channel's short queue and runs one
at a time, in order; it starts as soon as the channel's token bucket holds a post (`rate` a second, up to
`burst`), on the lane's pool. A job that must wait for a token is handed to the pool later by one timer
thread, so a busy channel holds no thread at all while it waits. Past `max_waiting` jobs in one channel, new
ones are refused: the caller drops them with a log line and a metric, rather than answering minutes late."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

RATE = 1.0  # posts a second in one channel, once the burst is spent
BURST = 3  # posts a channel may get at once
MAX_WAITING = 10  # jobs waiting in one channel; the last waits about 10 s


class Job(Protocol):
    def run(self) -> None:
        """Do the work (it handles its own errors)."""

    def drop(self) -> None:
        """It will never run: release what it holds."""


class ChannelQueues:
    def __init__(
        self,
        start: Callable[[Callable[[], None]], bool],
        rate: float = RATE,
        burst: int = BURST,
        max_waiting: int = MAX_WAITING,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`start` hands a callable to the pool, False when the pool takes no more work."""
        self._start = start
        self._rate, self._burst, self._max = rate, float(burst), max_waiting
        self._clock = clock
        self._lock = threading.Condition()
        self._waiting: dict[str, deque[Job]] = {}  # a channel is here while it has work running or waiting
        self._tokens: dict[str, tuple[float, float]] = {}  # channel -> (tokens, when counted); absent: full
        self._forget_at = 1000
        self._due: list[tuple[float, int, str]] = []  # channels whose next job waits for a token
        self._order = itertools.count()
        self._timer: threading.Thread | None = None
        self._closed = False

    def add(self, channel: str, job: Job) -> bool:
        """Queue `job` behind the channel's earlier work; False (not queued) when that queue is full."""
        with self._lock:
            if self._closed:
                return False
            queue = self._waiting.get(channel)
            if queue is not None:
                if len(queue) >= self._max:
                    return False
                queue.append(job)
                return True
            self._waiting[channel] = deque([job])
            self._advance(channel)
            return True

    def posting(self, channel: str) -> None:
        """A post goes out in `channel` now: it spends a token (even one not counted ahead, which only makes
        the channel's next job wait longer)."""
        with self._lock:
            tokens = self._refilled(channel) - 1.0
            if len(self._tokens) > self._forget_at:  # channels quiet for a few seconds are full again
                self._tokens = {c: t for c, t in self._tokens.items() if self._refilled(c) < self._burst}
                self._forget_at = max(1000, 2 * len(self._tokens))
            self._tokens[channel] = (tokens, self._clock())

    def idle(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for every channel's work to have started and finished."""
        deadline = self._clock() + max(0.0, timeout)
        with self._lock:
            while self._waiting:
                left = deadline - self._clock()
                if left <= 0:
                    return False
                self._lock.wait(min(left, 0.1))
            return True

    def close(self) -> list[Job]:
        """Take no more work; the jobs that never started, for the caller to drop."""
        with self._lock:
            self._closed = True
            never = [job for queue in self._waiting.values() for job in queue]
            self._waiting.clear()  # what runs now is the pool's to wait for
            self._due.clear()
            self._lock.notify_all()
            return never

    # ----------------------------------------------------------------------------------------- inside

    def _refilled(self, channel: str) -> float:
        tokens, when = self._tokens.get(channel, (self._burst, 0.0))
        return min(self._burst, tokens + (self._clock() - when) * self._rate)

    def _advance(self, channel: str) -> None:
        """With the lock held, and nothing of the channel's running: start its next job now, or when the
        channel has a token again; forget the channel when it has no more work."""
        queue = self._waiting.get(channel)
        if not queue:
            self._waiting.pop(channel, None)
            self._lock.notify_all()  # idle() may be waiting for this
            return
        missing = 1.0 - self._refilled(channel)
        if missing > 0:
            heapq.heappush(self._due, (self._clock() + missing / self._rate, next(self._order), channel))
            self._wake_timer()
            return
        job = queue.popleft()
        if not self._start(lambda: self._run(channel, job)):  # the pool is shutting down
            job.drop()
            for rest in queue:
                rest.drop()
            queue.clear()
            self._waiting.pop(channel, None)
            self._lock.notify_all()

    def _run(self, channel: str, job: Job) -> None:
        try:
            job.run()
        finally:
            with self._lock:
                if not self._closed:
                    self._advance(channel)

    def _wake_timer(self) -> None:
        if self._timer is None:
            self._timer = threading.Thread(target=self._tick, daemon=True, name="post-pacing")
            self._timer.start()
        self._lock.notify_all()

    def _tick(self) -> None:
        """The timer: starts each waiting channel's job when its token is due."""
        with self._lock:
            while not self._closed:
                if not self._due:
                    self._lock.wait()
                    continue
                when, _, channel = self._due[0]
                left = when - self._clock()
                if left > 0:
                    self._lock.wait(left)
                    continue
                heapq.heappop(self._due)
                self._advance(channel)
