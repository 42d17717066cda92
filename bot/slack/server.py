"""`container-bot serve`: HTTP (waitress, a production WSGI server) or Socket Mode, with start-up checks."""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import logging
import os
import signal
import sys
import threading
import time
from urllib.parse import parse_qs

from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.web import SlackResponse

from ..knowledge import KnowledgeError, load_knowledge
from ..logs import setup_logging
from ..settings import Settings, SettingsError, settings_from_env
from .app import create_app, granted_scopes
from .dedupe import make_deduper
from .drain import ReplyExecutor
from .ids import BOT_SCOPES
from .metrics import Metrics
from .payloads import event_problem, parse_json, payload_problem
from .reload import Reloader, describe

log = logging.getLogger("container_bot.server")
http_log = logging.getLogger("container_bot.requests")
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; anything larger is refused from its headers
MAX_HEADER_BYTES = 32 * 1024
MAX_FORM_FIELDS = 100  # a slash command has about 15
SIGNATURE_WINDOW = 5 * 60  # seconds either side of now, as Slack documents
CONNECTION_LIMIT = 500  # open connections; idle ones are closed by the two timeouts below
REQUEST_TIMEOUT = 10.0  # seconds from a request's first byte (or from connecting) until it must be whole
KEEPALIVE_TIMEOUT = 75  # an idle kept-alive connection: above an ALB's 60 s, so the ALB closes it first
HTTP_THREADS = 16
STARTUP_TIMEOUT = 5


class StartupError(Exception):
    """Serve cannot start; the message is the one line to print."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


# ------------------------------------------------------------------------------------------ HTTP face


class SlackWsgi:
    """POST /slack/events (signature first, then shape, then Bolt), GET /healthz, GET /metrics."""

    def __init__(self, app, settings: Settings, metrics: Metrics):
        self.app = app
        self.metrics = metrics
        self.secret = settings.signing_secret.encode("utf-8")

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        if path == "/healthz":
            return self._reply(start_response, 200, *health(self.app, True))
        if path == "/metrics" and method == "GET":
            return self._reply(start_response, 200, self.metrics.render(), self.metrics.content_type)
        if path != "/slack/events":
            return self._reply(start_response, 404, b"not found\n")
        if method != "POST":
            return self._reply(start_response, 405, b"POST only\n")
        status, headers, body = self.handle(environ)
        return self._reply(
            start_response, status, body, headers.get("content-type", "text/plain; charset=utf-8")
        )

    def handle(self, environ) -> tuple[int, dict, bytes]:
        started = time.perf_counter()
        status, headers, body, kind = self._handle(environ)
        http_log.info(
            "request",
            extra={
                "event_type": kind,
                "status": status,
                "latency_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        return status, headers, body

    def _handle(self, environ) -> tuple[int, dict, bytes, str]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.metrics.requests.labels("unknown", "too_large").inc()
            return 413, {}, b"payload too large\n", "unknown"
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = _headers(environ)
        # 1. Nothing happens before the signature is checked: not even parsing.
        if not self._signed(raw, headers):
            self.metrics.requests.labels("unknown", "unsigned").inc()
            return 401, {}, b"invalid signature\n", "unsigned"
        # 2. A signed request must be well-formed: 400, never a 500 or a traceback.
        kind, problem = _shape(raw, headers.get("content-type", ""))
        if problem:
            self.metrics.requests.labels(kind, "malformed").inc()
            http_log.info("malformed request", extra={"event_type": kind, "outcome": problem})
            return 400, {}, f"bad request: {problem}\n".encode(), kind
        try:
            response = self.app.dispatch(
                BoltRequest(
                    body=raw.decode("utf-8"),
                    query=environ.get("QUERY_STRING", ""),
                    headers={k: [v] for k, v in headers.items()},
                )
            )
        except Exception:
            log.exception("dispatch failed")
            self.metrics.requests.labels(kind, "error").inc()
            return 200, {}, b"", kind  # acknowledged: a retry would fail the same way
        status = response.status
        if status == 404:
            status = 200  # an event or action we choose to ignore: acknowledge it, or Slack retries
        if status >= 500:
            # a listener failed on a request that passed every check: our fault, and a retry would fail the
            # same way, so it is acknowledged and logged rather than answered with a 500
            log.error("Bolt answered %s for a %s request", status, kind, extra={"event_type": kind})
            self.metrics.requests.labels(kind, "error").inc()
            return 200, {}, b"", kind
        self.metrics.requests.labels(kind, "ok" if status < 300 else f"http_{status}").inc()
        body = response.body.encode() if isinstance(response.body, str) else (response.body or b"")
        content_type = (response.headers.get("content-type") or ["text/plain; charset=utf-8"])[0]
        return status, {"content-type": content_type}, body, kind

    def _signed(self, raw: bytes, headers: dict[str, str]) -> bool:
        """Slack's v0 signature over the raw bytes of the body, whatever they are (so a signed body that is
        not UTF-8 is recognised as signed, and then refused as malformed)."""
        timestamp, signature = (
            headers.get("x-slack-request-timestamp", ""),
            headers.get("x-slack-signature", ""),
        )
        if not self.secret or not signature or not (timestamp.isascii() and timestamp.isdigit()):
            return False
        if len(timestamp) > 12:  # int() refuses thousands of digits, and no timestamp has them
            return False
        if abs(time.time() - int(timestamp)) > SIGNATURE_WINDOW:
            return False
        digest = hmac.new(self.secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
        # WSGI hands headers over as latin-1 text: compare bytes, which works for any header value
        return hmac.compare_digest(f"v0={digest}".encode(), signature.encode("latin-1", "replace"))

    @staticmethod
    def _reply(start_response, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8"):
        reasons = {
            200: "OK",
            400: "Bad Request",
            401: "Unauthorized",
            404: "Not Found",
            405: "Method Not Allowed",
            413: "Payload Too Large",
        }
        start_response(
            f"{status} {reasons.get(status, 'OK')}",
            [("Content-Type", content_type), ("Content-Length", str(len(body)))],
        )
        return [body]


def health(app, up: bool) -> tuple[bytes, str]:
    """/healthz: up or not, and the knowledge being served (its version and checksum), as JSON."""
    body = {"status": "ok" if up else "disconnected", "knowledge": describe(app.container_bot.loaded)}
    return (json.dumps(body) + "\n").encode(), "application/json"


def _headers(environ) -> dict[str, str]:
    out = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            out[key[5:].lower().replace("_", "-")] = value
    if environ.get("CONTENT_TYPE"):
        out["content-type"] = environ["CONTENT_TYPE"]
    return out


def _shape(raw: bytes, content_type: str) -> tuple[str, str | None]:
    """(request kind, problem or None): the body must be what Slack sends."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "unknown", "body is not UTF-8"
    if "application/json" in content_type:
        data, problem = parse_json(text)
        if problem:
            return "event", problem
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            return "event", "missing 'type'"
        if data["type"] == "event_callback" and not isinstance(data.get("event"), dict):
            return "event", "missing 'event'"
        if data["type"] == "event_callback" and not isinstance(data["event"].get("type"), str):
            return "event", "missing event type"
        return data["type"], event_problem(data)
    try:
        form = parse_qs(
            text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=MAX_FORM_FIELDS
        )
    except ValueError:
        return "form", "invalid form encoding"
    if "payload" in form:
        payload, problem = parse_json(form["payload"][0])
        if problem:
            return "interactivity", f"'payload': {problem}"
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
            return "interactivity", "'payload' has no type"
        return payload["type"], payload_problem(payload)
    if "command" in form:
        return "command", None
    if "ssl_check" in form:
        return "ssl_check", None
    return "form", "neither a command nor a payload"


def make_http_server(
    wsgi, host: str, port: int, request_timeout: float = REQUEST_TIMEOUT, threads: int = HTTP_THREADS
):
    """waitress with limits chosen for a Slack endpoint (README, Hardening):

    - a body over MAX_BODY is refused from its Content-Length, and a chunked one as soon as it passes the
      limit, before it is read; accepted bodies stay in memory (inbuf_overflow is above the limit), so no
      request ever reaches the disk (a read-only root, a 16 Mi /tmp);
    - up to CONNECTION_LIMIT connections; a request must arrive whole within `request_timeout` of its first
      byte (or of connecting), so connections that never finish their headers are closed within seconds,
      and an idle kept-alive one after KEEPALIVE_TIMEOUT; with poll(), not select(), so descriptors past
      1024 are fine.
    """
    from waitress.channel import HTTPChannel
    from waitress.server import TcpWSGIServer

    class Channel(HTTPChannel):
        waiting_since: float | None = None  # when the request being received began; None between requests

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.waiting_since = self.creation_time

        def received(self, data):
            if data and self.waiting_since is None:
                self.waiting_since = time.time()
            result = super().received(data)
            if self.request is None:  # nothing half-received: between requests, the keep-alive timeout rules
                self.waiting_since = None
            return result

    class Server(TcpWSGIServer):
        channel_class = Channel

        def maintenance(self, now):
            idle_cutoff, request_cutoff = now - self.adj.channel_timeout, now - request_timeout
            for channel in list(self.active_channels.values()):
                if channel.requests:
                    continue  # being answered
                waiting = getattr(channel, "waiting_since", None)
                if (waiting is not None and waiting < request_cutoff) or channel.last_activity < idle_cutoff:
                    channel.will_close = True

    return Server(
        wsgi,
        host=host,
        port=port,
        threads=threads,
        ident="container-bot",
        clear_untrusted_proxy_headers=True,
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=KEEPALIVE_TIMEOUT,
        cleanup_interval=1,
        asyncore_use_poll=True,
        max_request_header_size=MAX_HEADER_BYTES,
        max_request_body_size=MAX_BODY + 1,  # waitress refuses at >= this
        inbuf_overflow=2 * MAX_BODY,
    )


def run_http(app, settings: Settings, metrics: Metrics, executor: ReplyExecutor) -> int:
    try:
        server = make_http_server(SlackWsgi(app, settings, metrics), host="0.0.0.0", port=settings.port)
    except OSError as exc:
        raise _unusable_port("PORT", settings.port, exc) from None
    stop_requested: list[float] = []

    def on_term(signum, frame):
        if not stop_requested:
            stop_requested.append(time.monotonic())
            _stop_listening(server)  # new connections are refused from now on
            raise SystemExit(0)  # waitress catches it and lets its request threads finish (up to 5 s)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    log.info(
        "listening on http://%s:%s (POST /slack/events, GET /healthz, GET /metrics)",
        server.effective_host,
        server.effective_port,
    )
    try:
        server.run()
    finally:
        for channel in list(server.active_channels.values()):
            channel.handle_close()  # kept-alive connections too: nothing will answer them now
        server.close()
    return finish(app, executor, settings, stop_requested[0] if stop_requested else time.monotonic())


def _stop_listening(server) -> None:
    from waitress import wasyncore

    try:
        wasyncore.dispatcher.close(server)  # the listening socket only; the server's wake-up pipe stays
    except OSError:
        pass


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


# ------------------------------------------------------------------------------------- Socket Mode face


class HealthWsgi:
    """Socket Mode's side door: GET /healthz (503 while the WebSocket is down) and GET /metrics."""

    def __init__(self, app, metrics: Metrics, connected):
        self.app, self.metrics, self.connected = app, metrics, connected

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/")
        if path == "/healthz":
            up = self.connected()
            return SlackWsgi._reply(start_response, 200 if up else 503, *health(self.app, up))
        if path == "/metrics":
            return SlackWsgi._reply(start_response, 200, self.metrics.render(), self.metrics.content_type)
        return SlackWsgi._reply(start_response, 404, b"not found\n")


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
            raise _unusable_port("METRICS_PORT", settings.metrics_port, exc) from None
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


# ---------------------------------------------------------------------------------------- start-up


def _unusable_port(variable: str, port: int, exc: OSError) -> StartupError:
    reason = "already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or type(exc).__name__)
    return StartupError(f"{variable} {port} cannot be used: {reason}", 2)


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


def check_token(settings: Settings) -> SlackResponse:
    """auth.test within a bounded time: a revoked token or an unreachable Slack is a clear error, not a hang.
    Warns by name about any scope manifest.yml asks for that the token does not have. The response is who
    the bot is; the app authorizes every request with it instead of calling auth.test again."""
    client = WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=STARTUP_TIMEOUT,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        raise StartupError(f"SLACK_BOT_TOKEN was rejected by Slack ({error})", 2) from None
    except Exception as exc:
        raise StartupError(f"cannot reach Slack at SLACK_API_URL ({type(exc).__name__}); giving up") from None
    granted = granted_scopes(response)
    if granted:
        have = {s.strip() for s in granted.split(",") if s.strip()}
        for scope in BOT_SCOPES:
            if scope not in have:
                log.warning(
                    "the bot token lacks the scope %s that manifest.yml asks for; reinstall the app", scope
                )
    log.info("authenticated as %s in team %s", response.get("user_id"), response.get("team_id"))
    return response


def watch_knowledge(app, settings: Settings) -> Reloader:
    """SIGHUP reloads KNOWLEDGE_FILE; with KNOWLEDGE_RELOAD_SECONDS, so does a change to it."""
    reloader = Reloader(app.container_bot, settings.knowledge_file)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, lambda signum, frame: reloader.reload_in_background("sighup"))
    if settings.reload_seconds > 0:
        reloader.watch(settings.reload_seconds)
        log.info("checking %s for changes every %gs", reloader.path, settings.reload_seconds)
    return reloader


def serve(force_http: bool = False, port: int | None = None) -> int:
    try:
        settings = settings_from_env(serve=True, force_http=force_http, port=port)
    except SettingsError as exc:
        print(f"container-bot: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.log_format, secrets=settings.secrets)
    try:
        knowledge = load_knowledge(settings.knowledge_file)
    except KnowledgeError as exc:
        first = exc.problems[0]
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        name = "KNOWLEDGE_FILE is malformed: " if settings.knowledge_file else "the packaged knowledge file: "
        print(f"container-bot: {name}{first}{more}", file=sys.stderr)
        return 2 if settings.knowledge_file else 1
    try:
        auth_test = check_token(settings)
        try:
            dedupe = make_deduper(settings.redis_url)
        except ImportError:
            raise StartupError(
                "REDIS_URL is set but the Redis client is not installed: pip install 'container-bot[redis]'",
                2,
            ) from None
        if settings.redis_url:
            try:
                dedupe.ping()  # type: ignore[attr-defined]
            except Exception as exc:
                raise StartupError(f"REDIS_URL is unreachable ({type(exc).__name__})", 2) from None
    except StartupError as exc:
        print(f"container-bot: {exc}", file=sys.stderr)
        return exc.code
    if not settings.channel_listening:
        log.info("CHANNEL_LISTENING=off: in channels only mentions are answered")
    metrics = Metrics()
    executor = ReplyExecutor(max_workers=16)
    app = create_app(
        settings, knowledge, dedupe=dedupe, metrics=metrics, executor=executor, auth_test=auth_test
    )
    watch_knowledge(app, settings)
    try:
        if settings.socket_mode:
            return run_socket_mode(app, settings, metrics, executor)
        return run_http(app, settings, metrics, executor)
    except StartupError as exc:
        print(f"container-bot: {exc}", file=sys.stderr)
        return exc.code
