"""Replies in flight at shutdown: waited for until a deadline, then counted and given up."""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait


class ReplyExecutor(ThreadPoolExecutor):
    """The listeners' pool (and the outbox's lanes). It knows which of its tasks are unfinished, so shutdown
    can wait for them with a deadline instead of forever (ThreadPoolExecutor.shutdown has no timeout)."""

    def __init__(self, max_workers: int, thread_name_prefix: str = "listener"):
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._unfinished: set[Future] = set()
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        # in a copy of the submitter's context: work handed on still knows the request's installation
        future = super().submit(contextvars.copy_context().run, fn, *args, **kwargs)
        with self._lock:
            self._unfinished.add(future)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: Future) -> None:
        with self._lock:
            self._unfinished.discard(future)

    def drain(self, timeout: float) -> tuple[int, int]:
        """Take no new work; wait up to `timeout` seconds for what was submitted (running or queued).
        Returns (still running, never started): the replies given up. Queued ones are cancelled; running ones
        cannot be stopped, so a caller with any left must end the process without joining these threads."""
        super().shutdown(wait=False, cancel_futures=False)
        with self._lock:
            pending = list(self._unfinished)
        wait(pending, timeout=max(0.0, timeout))
        cancelled = sum(1 for future in pending if future.cancel())
        running = sum(1 for future in pending if not future.done())
        return running, cancelled
