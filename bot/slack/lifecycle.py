"""Start-up errors that end `serve` with one line, and the end of a run: replies in flight given until the
shutdown deadline, then what was given up logged."""

from __future__ import annotations

import errno
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

from ..settings import Settings
from .executor import ReplyExecutor

log = logging.getLogger("container_bot.server")


class StartupError(Exception):
    """Serve cannot start; the message is the one line to print."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


class EarlyHangup:
    """SIGHUP from the very start of serve: one that arrives while the knowledge loads and the model trains
    (before there is anything to reload) is kept, and run once the reloader exists."""

    def __init__(self) -> None:
        self._reload: Callable[[str], None] | None = None
        self._asked = False
        self._lock = threading.Lock()

    def install(self) -> EarlyHangup:
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, self._on_hangup)
        return self

    def _on_hangup(self, signum, frame) -> None:
        with self._lock:
            reload, self._asked = self._reload, self._reload is None
        if reload is not None:
            reload("sighup")

    def hand_to(self, reload: Callable[[str], None]) -> None:
        """From now on SIGHUP calls `reload`; one asked for during start-up runs now."""
        with self._lock:
            self._reload, asked, self._asked = reload, self._asked, False
        if asked:
            log.info("reloading the knowledge, as a SIGHUP during start-up asked")
            reload("sighup")


def unusable_port(variable: str, port: int, exc: OSError) -> StartupError:
    reason = "already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or type(exc).__name__)
    return StartupError(f"{variable} {port} cannot be used: {reason}", 2)


def finish(app, executor: ReplyExecutor, settings: Settings, stop_requested: float) -> int:
    """Give replies in flight until SHUTDOWN_TIMEOUT after the signal, then log what is given up and end.
    The listeners finish first (they may still hand replies to the outbox), then the outbox's lanes."""
    deadline = stop_requested + settings.shutdown_timeout
    running, cancelled = executor.drain(deadline - time.monotonic())
    late_running, late_cancelled = app.container_bot.outbox.drain(deadline - time.monotonic())
    running, cancelled = running + late_running, cancelled + late_cancelled
    if not running and not cancelled:
        log.info("stopped")
        return 0
    dropped = running + cancelled
    log.warning(
        "stopped after %gs with %d %s undelivered (%d still waiting on Slack, %d never started)",
        settings.shutdown_timeout,
        dropped,
        "reply" if dropped == 1 else "replies",
        running,
        cancelled,
        extra={"outcome": "replies_dropped", "dropped": dropped},
    )
    # The stuck threads cannot be interrupted, and the interpreter would join them at exit: end without them.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
