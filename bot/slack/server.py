"""`container-bot serve`: HTTP (waitress, a production WSGI server) or Socket Mode, with start-up checks."""

from __future__ import annotations

import errno
import json
import logging
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web import SlackResponse

from ..knowledge import KnowledgeError, load_knowledge
from ..logs import setup_logging
from ..settings import Settings, SettingsError, settings_from_env
from .app import create_app
from .dedupe import make_deduper
from .ids import BOT_SCOPES
from .metrics import Metrics

log = logging.getLogger("container_bot.server")
http_log = logging.getLogger("container_bot.requests")
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; anything larger is refused unread
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
        self.verifier = SignatureVerifier(settings.signing_secret)

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        if path == "/healthz":
            return self._reply(start_response, 200, b"ok\n")
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
        self.metrics.requests.labels(kind, "ok" if status < 300 else f"http_{status}").inc()
        body = response.body.encode() if isinstance(response.body, str) else (response.body or b"")
        content_type = (response.headers.get("content-type") or ["text/plain; charset=utf-8"])[0]
        return status, {"content-type": content_type}, body, kind

    def _signed(self, raw: bytes, headers: dict[str, str]) -> bool:
        timestamp, signature = (
            headers.get("x-slack-request-timestamp", ""),
            headers.get("x-slack-signature", ""),
        )
        if not timestamp.isdigit() or not signature:
            return False  # the verifier raises on a missing or non-numeric timestamp
        try:
            return self.verifier.is_valid(raw, timestamp, signature)
        except (ValueError, TypeError):
            return False

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
        try:
            data = json.loads(text)
        except ValueError:
            return "event", "invalid JSON"
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            return "event", "missing 'type'"
        if data["type"] == "event_callback" and not isinstance(data.get("event"), dict):
            return "event", "missing 'event'"
        if data["type"] == "event_callback" and not isinstance(data["event"].get("type"), str):
            return "event", "missing event type"
        return data["type"], None
    try:
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError:
        return "form", "invalid form encoding"
    if "payload" in form:
        try:
            payload = json.loads(form["payload"][0])
        except ValueError:
            return "interactivity", "'payload' is not JSON"
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
            return "interactivity", "'payload' has no type"
        return payload["type"], None
    if "command" in form:
        return "command", None
    if "ssl_check" in form:
        return "ssl_check", None
    return "form", "neither a command nor a payload"


def run_http(app, settings: Settings, metrics: Metrics, executor: ThreadPoolExecutor) -> int:
    from waitress import create_server

    # inbuf_overflow above MAX_BODY: an accepted body stays in memory and never spills to a temp file, which a
    # read-only root filesystem would refuse
    try:
        server = create_server(
            SlackWsgi(app, settings, metrics),
            host="0.0.0.0",
            port=settings.port,
            threads=16,
            ident="container-bot",
            clear_untrusted_proxy_headers=True,
            channel_timeout=30,
            inbuf_overflow=MAX_BODY + 65536,
        )
    except OSError as exc:
        raise _unusable_port("PORT", settings.port, exc) from None
    stopping = threading.Event()

    def on_term(signum, frame):
        if not stopping.is_set():
            stopping.set()
            raise SystemExit(0)  # waitress catches it, stops accepting, and lets its workers finish

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
        executor.shutdown(wait=True, cancel_futures=False)  # replies already being written still go out
        app.container_bot.outbox.shutdown(wait=True)
        log.info("stopped")
    return 0


# ------------------------------------------------------------------------------------- Socket Mode face


class HealthWsgi:
    """Socket Mode's side door: GET /healthz (503 while the WebSocket is down) and GET /metrics."""

    def __init__(self, metrics: Metrics, connected):
        self.metrics, self.connected = metrics, connected

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/")
        if path == "/healthz":
            up = self.connected()
            return SlackWsgi._reply(start_response, 200 if up else 503, b"ok\n" if up else b"disconnected\n")
        if path == "/metrics":
            return SlackWsgi._reply(start_response, 200, self.metrics.render(), self.metrics.content_type)
        return SlackWsgi._reply(start_response, 404, b"not found\n")


def run_socket_mode(app, settings: Settings, metrics: Metrics, executor: ThreadPoolExecutor) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, settings.app_token)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    side = None
    if settings.metrics_port is not None:
        from waitress import create_server

        try:
            side = create_server(
                HealthWsgi(metrics, lambda: handler.client.is_connected()),
                host="0.0.0.0",
                port=settings.metrics_port,
                threads=2,
                ident="container-bot",
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
    executor.shutdown(wait=True, cancel_futures=False)
    app.container_bot.outbox.shutdown(wait=True)
    log.info("stopped")
    return 0


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
    granted = ""
    for name, value in (response.headers or {}).items():
        if name.lower() == "x-oauth-scopes":
            granted = value if isinstance(value, str) else ",".join(value)
    if granted:
        have = {s.strip() for s in granted.split(",") if s.strip()}
        for scope in BOT_SCOPES:
            if scope not in have:
                log.warning(
                    "the bot token lacks the scope %s that manifest.yml asks for; reinstall the app", scope
                )
    log.info("authenticated as %s in team %s", response.get("user_id"), response.get("team_id"))
    return response


def serve(force_http: bool = False, port: int | None = None) -> int:
    try:
        settings = settings_from_env(serve=True, force_http=force_http, port=port)
    except SettingsError as exc:
        print(f"container-bot: {exc}", file=sys.stderr)
        return 2
    setup_logging(
        settings.log_level,
        settings.log_format,
        secrets=(settings.bot_token, settings.signing_secret, settings.app_token),
    )
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
    executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="listener")
    app = create_app(
        settings, knowledge, dedupe=dedupe, metrics=metrics, executor=executor, auth_test=auth_test
    )
    try:
        if settings.socket_mode:
            return run_socket_mode(app, settings, metrics, executor)
        return run_http(app, settings, metrics, executor)
    except StartupError as exc:
        print(f"container-bot: {exc}", file=sys.stderr)
        return exc.code
