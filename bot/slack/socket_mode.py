"""The Socket Mode face: SOCKET_MODE_CONNECTIONS WebSockets to Slack in one process, each replaced within
seconds when it dies, with /healthz and /metrics on METRICS_PORT.

Slack spreads envelopes across an app's open connections (up to 10), so with two a dead link costs nothing
but the envelopes already sent into it, which Slack retries. Each link pings every SOCKET_MODE_PING_SECONDS;
a link is alive while it had a pong within twice that. The watchdog checks every tenth of a second and
replaces a closed, reset or silent link at once (slack_sdk's own client waits four ping intervals, then
up to three seconds more for its reader to let go). Each envelope is handled once, whichever link brought
it: by envelope id, and for events by event id."""

from __future__ import annotations

import logging
import signal
import threading
import time

from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.builtin.connection import Connection, ConnectionState
from slack_sdk.socket_mode.request import SocketModeRequest

from ..settings import Settings
from .executor import ReplyExecutor
from .http.server import make_http_server
from .http.wsgi import HealthWsgi
from .lifecycle import StartupError, finish, unusable_port
from .metrics import Metrics
from .store import MemoryStore

log = logging.getLogger("container_bot.server")
WATCH_SECONDS = 0.1  # how often the watchdog looks at every link
RECEIVE_TIMEOUT = 0.25  # a reader lets go of a replaced link within this (slack_sdk's default: 3 s)


class Link(SocketModeClient):
    """slack_sdk's builtin client, with a reader that lets go quickly and a replacement that takes over before
    the old link is closed (closing a silent one can wait on its reader)."""

    def connect(self) -> None:
        old, old_state = self.current_session, self.current_session_state
        if self.wss_uri is None:
            self.wss_uri = self.issue_new_wss_url()
        session = Connection(
            url=self.wss_uri,
            logger=self.logger,
            ping_interval=self.ping_interval,
            receive_timeout=RECEIVE_TIMEOUT,
            trace_enabled=self.trace_enabled,
            all_message_trace_enabled=self.all_message_trace_enabled,
            ping_pong_trace_enabled=self.ping_pong_trace_enabled,
            receive_buffer_size=self.receive_buffer_size,
            proxy=self.proxy,
            proxy_headers=self.proxy_headers,
            on_message_listener=self._on_message,
            on_error_listener=self._on_error,
            on_close_listener=self._on_close,
            ssl_context=self.web_client.ssl,
        )
        session.connect()
        if not session.is_active():
            raise ConnectionError("the Socket Mode link could not be opened")
        session.sock.settimeout(RECEIVE_TIMEOUT)  # type: ignore[union-attr]  # its reader lets go in time
        old_state.terminated = True
        self.current_session, self.current_session_state = session, ConnectionState()
        self.connected_at = time.time()
        self.auto_reconnect_enabled = self.default_auto_reconnect_enabled
        if old is not None:
            threading.Thread(target=old.close, daemon=True, name="socket-close").start()
        if not self.current_app_monitor_started:
            self.current_app_monitor_started = True
            self.current_app_monitor.start()

    def last_heard(self) -> float:
        """When this link last proved alive: the ping its latest pong answered, else when it connected."""
        session = self.current_session
        pong = session.last_ping_pong_time if session is not None else None
        return max(pong or 0.0, getattr(self, "connected_at", 0.0))


class Links:
    """The process's Socket Mode links, their watchdog, and the one handler every envelope goes through."""

    def __init__(self, app, settings: Settings, count: int | None = None, ping: float | None = None):
        self.app = app
        self.ping = ping or settings.socket_ping_seconds
        web = WebClient(base_url=settings.api_url, timeout=5)  # apps.connections.open with the app token
        self.links = [
            Link(
                app_token=settings.app_token,
                logger=logging.getLogger("container_bot.socket_mode"),
                web_client=web,
                ping_interval=self.ping,
                concurrency=8,
            )
            for _ in range(count or settings.socket_connections)
        ]
        for link in self.links:
            link.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]
        self.seen = MemoryStore(max_keys=20_000)
        self._stop = threading.Event()
        self._replacing: set[int] = set()
        self._lock = threading.Lock()

    def handle(self, client: SocketModeClient, request: SocketModeRequest) -> None:
        """Acknowledge and dispatch an envelope once, whichever link brought it; a repeat is only acked."""
        started = time.time()
        event_id = (request.payload or {}).get("event_id") if request.type == "events_api" else None
        first = self.seen.claim(f"envelope:{request.envelope_id}")
        if first and event_id:
            first = self.seen.claim(f"event:{event_id}")
        if not first:
            client.send_socket_mode_response({"envelope_id": request.envelope_id})
            self.app.container_bot.metrics.duplicates.inc()
            return
        send_response(client, request, run_bolt_app(self.app, request), started)

    def connect(self) -> None:
        for link in self.links:
            link.connect()
        threading.Thread(target=self._watch, daemon=True, name="socket-watchdog").start()

    def alive(self) -> bool:
        """At least one link had a pong within twice the ping interval."""
        now = time.time()
        return any(self._healthy(link, now) for link in self.links)

    def _healthy(self, link: Link, now: float) -> bool:
        return link.is_connected() and now - link.last_heard() <= 2 * self.ping

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            now = time.time()
            for index, link in enumerate(self.links):
                if not self._healthy(link, now):
                    self._replace(index, link)

    def _replace(self, index: int, link: Link) -> None:
        with self._lock:
            if index in self._replacing or self._stop.is_set():
                return
            self._replacing.add(index)

        def run() -> None:
            try:
                log.info(
                    "Socket Mode link %d is closed or silent (last heard %.1fs ago): opening a new one",
                    index + 1,
                    time.time() - link.last_heard(),
                )
                link.connect_to_new_endpoint(force=True)
            except Exception as exc:  # Slack out of reach: the watchdog tries again
                log.warning("Socket Mode link %d could not be reopened (%s)", index + 1, type(exc).__name__)
                time.sleep(min(self.ping, 1.0))
            finally:
                with self._lock:
                    self._replacing.discard(index)

        threading.Thread(target=run, daemon=True, name=f"socket-reconnect-{index + 1}").start()

    def close(self) -> None:
        self._stop.set()
        for link in self.links:
            link.close()


def run_socket_mode(app, settings: Settings, metrics: Metrics, executor: ReplyExecutor) -> int:
    links = Links(app, settings)
    app.container_bot.health.links = links.alive
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
                HealthWsgi(app, metrics, lambda: app.container_bot.health.up),
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
        _connect(links, settings)
    except StartupError:
        if side is not None:
            side.close()
        raise
    log.info(
        "connected in Socket Mode: %d links, ping every %gs", len(links.links), settings.socket_ping_seconds
    )
    while not stop.wait(1):
        pass
    links.close()
    if side is not None:
        side.close()
    return finish(app, executor, settings, stop_requested[0] if stop_requested else time.monotonic())


class _Quiet(logging.Filter):
    """Drops the Socket Mode client's own report of a failed connection, which serve turns into one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(("Failed to retrieve WSS URL", "Failed to establish"))


def _connect(links: Links, settings: Settings) -> None:
    """Open the Socket Mode links: a rejected app token or an unreachable Slack is one line."""
    quiet, logger = _Quiet(), logging.getLogger("container_bot.socket_mode")
    logger.addFilter(quiet)
    try:
        links.connect()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        raise StartupError(f"SLACK_APP_TOKEN was rejected by Slack ({error})", 2) from None
    except Exception as exc:
        raise StartupError(
            f"cannot open a Socket Mode connection through {settings.api_url} ({type(exc).__name__})",
            2,
        ) from None
    finally:
        logger.removeFilter(quiet)
