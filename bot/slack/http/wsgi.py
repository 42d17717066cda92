"""The WSGI apps: POST /slack/events (signature first, then shape, then Bolt), GET /healthz and GET /metrics;
and Socket Mode's side door with only /healthz and /metrics."""

from __future__ import annotations

import json
import logging
import time

from slack_bolt.request import BoltRequest

from ...settings import Settings
from ..metrics import Metrics
from ..oauth import route
from ..reload import describe
from .payloads import shape
from .signature import signed

log = logging.getLogger("container_bot.server")
http_log = logging.getLogger("container_bot.requests")
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; anything larger is refused from its headers
REASONS = {
    200: "OK",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    503: "Service Unavailable",
}


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
            up = self.app.container_bot.health.up  # a revoked token fails it: a new token is needed
            return self._reply(start_response, 200 if up else 503, *health(self.app, up))
        if path == "/metrics" and method == "GET":
            return self._reply(start_response, 200, self.metrics.render(), self.metrics.content_type)
        if method == "GET" and path.startswith("/slack/"):
            found = route(self.app, path, environ.get("QUERY_STRING", ""), _headers(environ))
            if found is not None:  # OAuth mode's install page and redirect
                status, headers, body = found
                start_response(
                    f"{status} {REASONS.get(status, 'OK')}", [*headers, ("Content-Length", str(len(body)))]
                )
                return [body]
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
        kind, problem = shape(raw, headers.get("content-type", ""))
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
        timestamp = headers.get("x-slack-request-timestamp", "")
        return signed(self.secret, raw, timestamp, headers.get("x-slack-signature", ""))

    @staticmethod
    def _reply(start_response, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8"):
        start_response(
            f"{status} {REASONS.get(status, 'OK')}",
            [("Content-Type", content_type), ("Content-Length", str(len(body)))],
        )
        return [body]


def health(app, up: bool) -> tuple[bytes, str]:
    """/healthz: up or not, and the knowledge being served (its version and checksum), as JSON."""
    runtime = app.container_bot
    status = "ok" if up else runtime.health.status if runtime.health.status != "ok" else "disconnected"
    body = {"status": status, "knowledge": describe(runtime.loaded)}
    return (json.dumps(body) + "\n").encode(), "application/json"


def _headers(environ) -> dict[str, str]:
    out = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            out[key[5:].lower().replace("_", "-")] = value
    if environ.get("CONTENT_TYPE"):
        out["content-type"] = environ["CONTENT_TYPE"]
    return out


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
