"""Outgoing Web API work on its own bounded pools, so that no ack ever waits behind a reply.

Bolt runs every listener on its listener pool, and a listener's ack() waits for a free thread there. So
listeners only parse, ack, build the answer and hand each Web API call to this outbox:

- the reply lane (chat.postMessage, response_url, views.publish, views.update) may sit out a 429's
  Retry-After or a slow Slack without holding any thread an ack needs;
- the view lane opens modals: a trigger_id lives 3 seconds, so views.open never queues behind replies.

Work that posts in a channel (`post`) is also paced there: one job at a time in each channel, about one post a
second after a short burst, each channel with a short queue of its own (bot/slack/pacing.py); replies to other
channels are not slowed, and no worker waits for it.

Each lane is bounded on its own (2,000 waiting replies, 100 waiting modals): past its limit, new calls are
dropped with a log line and a metric rather than growing memory while Slack is unreachable, and replies
piling up behind a 429 never take the places a modal needs."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .executor import ReplyExecutor
from .metrics import Metrics
from .pacing import ChannelQueues

log = logging.getLogger("container_bot.outbox")
REPLY_WORKERS = 16
VIEW_WORKERS = 4
MAX_PENDING = 2000  # replies
MAX_VIEWS = 100  # modals: each waits on one views.open, and a trigger_id is dead after 3 s anyway


class _Job:
    """One call on a lane: it holds one of the lane's places until it has run, or been dropped unrun."""

    __slots__ = ("_fn", "_args", "_kwargs", "_release")

    def __init__(self, fn, args, kwargs, release: Callable[[], None]):
        self._fn, self._args, self._kwargs, self._release = fn, args, kwargs, release

    def run(self) -> None:
        try:
            self._fn(*self._args, **self._kwargs)
        except Exception:  # the work logs its own Slack errors; anything else must not kill the worker
            log.exception("outgoing call failed")
        finally:
            self._release()

    def drop(self) -> None:
        self._release()


class Outbox:
    def __init__(
        self,
        metrics: Metrics,
        reply_workers: int = REPLY_WORKERS,
        view_workers: int = VIEW_WORKERS,
        max_pending: int = MAX_PENDING,
        max_views: int = MAX_VIEWS,
    ):
        self._metrics = metrics
        self._lanes = {
            "reply": ReplyExecutor(reply_workers, thread_name_prefix="reply"),
            "view": ReplyExecutor(view_workers, thread_name_prefix="view"),
        }
        self._slots = {
            "reply": threading.BoundedSemaphore(max_pending),
            "view": threading.BoundedSemaphore(max_views),
        }
        self._channels = ChannelQueues(lambda run: self._start("reply", run))

    def reply(self, fn: Callable[..., object], *args, **kwargs) -> bool:
        """Run a reply (anything that may wait on the Web API) later; False if it was dropped."""
        job = self._job("reply", fn, args, kwargs)
        return job is not None and self._start_job("reply", job)

    def post(self, channel: str | None, fn: Callable[..., object], *args, **kwargs) -> bool:
        """Run work that posts in `channel` later, after that channel's earlier work and paced there (about
        a post a second); False if it was dropped (too many waiting, in all or in that channel)."""
        if not channel:
            return self.reply(fn, *args, **kwargs)
        job = self._job("reply", fn, args, kwargs)
        if job is None:
            return False
        if self._channels.add(channel, job):
            return True
        job.drop()
        self._metrics.outbox_dropped.labels("channel").inc()
        log.warning(
            "outgoing call dropped: too many waiting in one channel", extra={"outcome": "channel_dropped"}
        )
        return False

    def posting(self, channel: str) -> None:
        """A post goes out in `channel` now (counted for its pace)."""
        self._channels.posting(channel)

    def view(self, fn: Callable[..., object], *args, **kwargs) -> bool:
        """Open a modal now-ish: its own lane, never behind replies; False if it was dropped."""
        job = self._job("view", fn, args, kwargs)
        return job is not None and self._start_job("view", job)

    def _job(self, lane: str, fn, args, kwargs) -> _Job | None:
        """The call, holding a place on its lane; None (dropped, logged, counted) when the lane is full."""
        slots = self._slots[lane]
        if not slots.acquire(blocking=False):
            self._metrics.outbox_dropped.labels(lane).inc()
            log.warning("outgoing call dropped: too many waiting", extra={"outcome": f"{lane}_dropped"})
            return None
        pending = self._metrics.outbox_pending.labels(lane)
        pending.inc()

        def release() -> None:
            pending.dec()
            slots.release()

        return _Job(fn, args, kwargs, release)

    def _start_job(self, lane: str, job: _Job) -> bool:
        if self._start(lane, job.run):
            return True
        job.drop()  # shutting down: nothing new starts
        self._metrics.outbox_dropped.labels(lane).inc()
        return False

    def _start(self, lane: str, run: Callable[[], None]) -> bool:
        try:
            self._lanes[lane].submit(run)
        except RuntimeError:
            return False
        return True

    def drain(self, timeout: float) -> tuple[int, int]:
        """Take no new work; give what is queued or running up to `timeout` seconds in all (paced work
        included). Returns (still running, never started): the calls given up."""
        deadline = time.monotonic() + max(0.0, timeout)
        self._channels.idle(deadline - time.monotonic())
        never = self._channels.close()
        for job in never:
            job.drop()
        running, cancelled = 0, len(never)
        for pool in self._lanes.values():
            r, c = pool.drain(deadline - time.monotonic())
            running, cancelled = running + r, cancelled + c
        return running, cancelled

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work; with `wait`, let what is queued go out first (paced work: for up to a minute)."""
        if wait:
            self._channels.idle(60)
        for job in self._channels.close():
            job.drop()
        for pool in self._lanes.values():
            pool.shutdown(wait=wait, cancel_futures=not wait)
