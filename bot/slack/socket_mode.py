"""The Socket Mode face: one WebSocket to Slack, with /healthz and /metrics on METRICS_PORT."""

from __future__ import annotations

import logging
import signal
import threading
import time

from slack_sdk.errors import SlackApiError

from ..settings import Settings
from .executor import ReplyExecutor
from .http.server import make_http_server
from .http.wsgi import HealthWsgi
from .lifecycle import StartupError, finish, unusable_port
from .metrics import Metrics

log = logging.getLogger("container_bot.server")


def run_socket_mode(app, settings: Settings, metrics: Metrics, executor: ReplyExecutor) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, settings.app_token)
    stop = threading.Event()
    stop_requested: list[float] = []

    def on_term(signum, frame):
        if not stop_requested:
            stop_requested.append(time.monotonic())
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    side = None
    if settings.metrics_port is not None:
        try:
            side = make_http_server(
                HealthWsgi(app, metrics, lambda: handler.client.is_connected()),
                host="0.0.0.0",
                port=settings.metrics_port,
                threads=2,
            )
        except OSError as exc:
            raise unusable_port("METRICS_PORT", settings.metrics_port, exc) from None
        threading.Thread(target=side.run, daemon=True, name="metrics").start()
        log.info(
            "health and metrics on http://%s:%s (GET /healthz, GET /metrics)",
            side.effective_host,
            side.effective_port,
        )
    try:
        _connect(handler)
    except StartupError:
        if side is not None:
            side.close()
        raise
    log.info("connected in Socket Mode")
    while not stop.wait(1):
        pass
    handler.close()
    if side is not None:
        side.close()
    return finish(app, executor, settings, stop_requested[0] if stop_requested else time.monotonic())


class _Quiet(logging.Filter):
    """Drops the Socket Mode client's own report of a failed connection, which serve turns into one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to retrieve WSS URL")


def _connect(handler) -> None:
    """Open the Socket Mode connection: a rejected app token or an unreachable Slack is one line."""
    quiet, logger = _Quiet(), handler.client.logger
    logger.addFilter(quiet)
    try:
        handler.connect()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        raise StartupError(f"SLACK_APP_TOKEN was rejected by Slack ({error})", 2) from None
    except Exception as exc:
        raise StartupError(
            f"cannot open a Socket Mode connection through SLACK_API_URL ({type(exc).__name__}); giving up"
        ) from None
    finally:
        logger.removeFilter(quiet)
