"""Outgoing Web API work on its own bounded pools, so that no ack ever waits behind a reply.

Bolt runs every listener on its listener pool, and a listener's ack() waits for a free thread there. So
listeners only parse, ack, build the answer and hand each Web API call to this outbox:

- the reply lane (chat.postMessage, response_url, views.publish, views.update) may sit out a 429's
  Retry-After or a slow Slack without holding any thread an ack needs;
- the view lane opens modals: a trigger_id lives 3 seconds, so views.open never queues behind replies.

Each lane is bounded on its own (2,000 waiting replies, 100 waiting modals): past its limit, new calls are
dropped with a log line and a metric rather than growing memory while Slack is unreachable, and replies
piling up behind a 429 never take the places a modal needs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .executor import ReplyExecutor
from .metrics import Metrics

log = logging.getLogger("container_bot.outbox")
REPLY_WORKERS = 16
VIEW_WORKERS = 4
MAX_PENDING = 2000  # replies
MAX_VIEWS = 100  # modals: each waits on one views.open, and a trigger_id is dead after 3 s anyway


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

    def reply(self, fn: Callable[..., object], *args, **kwargs) -> bool:
        """Run a reply (anything that may wait on the Web API) later; False if it was dropped."""
        return self._submit("reply", fn, args, kwargs)

    def view(self, fn: Callable[..., object], *args, **kwargs) -> bool:
        """Open a modal now-ish: its own lane, never behind replies; False if it was dropped."""
        return self._submit("view", fn, args, kwargs)

    def _submit(self, lane: str, fn, args, kwargs) -> bool:
        slots = self._slots[lane]
        if not slots.acquire(blocking=False):
            self._metrics.outbox_dropped.labels(lane).inc()
            log.warning("outgoing call dropped: too many waiting", extra={"outcome": f"{lane}_dropped"})
            return False
        pending = self._metrics.outbox_pending.labels(lane)
        pending.inc()

        def run() -> None:
            try:
                fn(*args, **kwargs)
            except Exception:  # the work logs its own Slack errors; anything else must not kill the worker
                log.exception("outgoing call failed")
            finally:
                pending.dec()
                slots.release()

        try:
            self._lanes[lane].submit(run)
        except RuntimeError:  # shutting down: nothing new starts
            pending.dec()
            slots.release()
            self._metrics.outbox_dropped.labels(lane).inc()
            return False
        return True

    def drain(self, timeout: float) -> tuple[int, int]:
        """Take no new work; give what is queued or running up to `timeout` seconds in all. Returns (still
        running, never started): the calls given up."""
        import time

        deadline = time.monotonic() + max(0.0, timeout)
        running = cancelled = 0
        for pool in self._lanes.values():
            r, c = pool.drain(deadline - time.monotonic())
            running, cancelled = running + r, cancelled + c
        return running, cancelled

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work; with `wait`, let what is queued go out first."""
        for pool in self._lanes.values():
            pool.shutdown(wait=wait, cancel_futures=not wait)
