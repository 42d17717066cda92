"""The Web API client every call goes through: bounded retries on rate limits, server errors and connection
errors, and no second try of a call Slack may already have acted on."""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable
from http.client import RemoteDisconnected
from urllib.error import HTTPError, URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.web import SlackResponse

from ..settings import Settings
from .ids import BOT_SCOPES
from .lifecycle import StartupError
from .metrics import Metrics

log = logging.getLogger("container_bot.server")
STARTUP_TIMEOUT = 5
_quiet = logging.getLogger("container_bot.quiet")  # slack_sdk's own error lines at start: serve says it once
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False

# Methods that may be sent twice with the same effect as once: reads, and writes that replace state. Only
# these are retried after a timeout, when Slack has most likely acted on the first try: a second
# chat.postMessage would be a second reply, a second views.open a second modal.
SAFE_TO_REPEAT = frozenset(
    {
        "apps.connections.open",
        "auth.test",
        "bots.info",
        "chat.update",
        "conversations.history",
        "conversations.info",
        "conversations.replies",
        "team.info",
        "users.info",
        "views.publish",
        "views.update",
    }
)
RETRY_AFTER_DEFAULT = 2.0  # seconds, when a 429's Retry-After is missing or unreadable
RETRY_AFTER_MAX = 30.0  # a listener thread never sleeps longer than this on Slack's say-so


def api_method(url: str) -> str:
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def retry_after_seconds(headers: dict) -> float:
    """Retry-After as seconds: a whole number of seconds is honoured up to RETRY_AFTER_MAX; a missing,
    non-integer or negative one gets RETRY_AFTER_DEFAULT rather than failing the call."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            raw = (value[0] if isinstance(value, (list, tuple)) and value else value) or ""
            raw = str(raw).strip()
            if raw.isascii() and raw.isdigit():
                return min(float(raw), RETRY_AFTER_MAX)
            break
    return RETRY_AFTER_DEFAULT


class _Counted:
    """Counts each retry a handler decides to make, by reason."""

    def __init__(self, metrics: Metrics | None, reason: str):
        self._metrics, self._reason = metrics, reason

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        if self._metrics:
            self._metrics.slack_retries.labels(self._reason).inc()
        super().prepare_for_next_attempt(  # type: ignore[misc]  # the handler this is mixed into
            state=state, request=request, response=response, error=error
        )


class _RateLimit(_Counted, RateLimitErrorRetryHandler):
    """429: Slack did not act on the call, so every method is retried, after a bounded Retry-After."""

    def __init__(self, metrics):
        _Counted.__init__(self, metrics, "rate_limited")
        RateLimitErrorRetryHandler.__init__(self, max_retry_count=3)

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        if self._metrics:
            self._metrics.slack_retries.labels(self._reason).inc()
        if response is None:
            raise error
        state.next_attempt_requested = True
        # the builtin one raises on a Retry-After that is not an integer, and the reply is lost
        time.sleep(retry_after_seconds(response.headers) + random.random() * 0.5)
        state.increment_current_attempt()


class _ServerError(_Counted, ServerErrorRetryHandler):
    def __init__(self, metrics):
        _Counted.__init__(self, metrics, "server_error")
        ServerErrorRetryHandler.__init__(self, max_retry_count=2)

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return (
            response is not None and 500 <= response.status_code < 600
        )  # the builtin one retries 500/503 only


class _ConnectionError(_Counted, ConnectionErrorRetryHandler):
    """Connection failures are retried for every method (as Slack's own handler does), except a timeout
    while waiting for the answer: Slack is slow, not gone, and has most likely acted on the call, so that is
    retried only for SAFE_TO_REPEAT methods. A connect timeout never reached Slack (urllib wraps it in
    URLError) and is retried like any other."""

    def __init__(self, metrics):
        _Counted.__init__(self, metrics, "connection_error")
        ConnectionErrorRetryHandler.__init__(
            self, max_retry_count=2, error_types=[URLError, ConnectionResetError, RemoteDisconnected]
        )

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if error is None or response is not None or isinstance(error, HTTPError):
            return False
        if isinstance(error, TimeoutError):
            return api_method(request.url) in SAFE_TO_REPEAT
        return isinstance(error, tuple(self.error_types_to_do_retries))


class _Revoked(RetryHandler):
    """Never retries: it sees every answer (slack_sdk shows each to its retry handlers, and Bolt copies them
    into every request's client) and reports a token Slack no longer accepts."""

    def __init__(self, on_revoked: Callable[[str], None], errors: frozenset[str]):
        super().__init__(max_retry_count=0)
        self._on_revoked, self._errors = on_revoked, errors

    def can_retry(self, *, state, request, response=None, error=None) -> bool:
        body = response.body if response is not None else None
        if isinstance(body, dict) and body.get("ok") is False and body.get("error") in self._errors:
            self._on_revoked(str(body["error"]))
        return False


def make_client(
    settings: Settings,
    metrics: Metrics | None = None,
    with_token: bool = True,
    on_revoked: Callable[[str], None] | None = None,
    revoked_errors: frozenset[str] = frozenset(),
) -> WebClient:
    """The client every call goes through; `on_revoked` is told when Slack answers one of `revoked_errors`."""
    handlers: list[RetryHandler] = [_RateLimit(metrics), _ServerError(metrics), _ConnectionError(metrics)]
    if on_revoked is not None:
        handlers.insert(0, _Revoked(on_revoked, revoked_errors))
    return WebClient(
        token=(settings.bot_token or None) if with_token else None,
        base_url=settings.api_url,
        timeout=settings.api_timeout,  # type: ignore[arg-type]  # slack_sdk says int; urllib takes float seconds
        retry_handlers=handlers,
    )


def granted_scopes(auth_test: SlackResponse) -> str:
    """The scopes the token has, as auth.test's x-oauth-scopes header lists them ("chat:write,commands"), or
    "" when the header is missing."""
    granted = ""
    for name, value in (auth_test.headers or {}).items():
        if name.lower() == "x-oauth-scopes":
            granted = value if isinstance(value, str) else ",".join(value)
    return granted


def check_token(settings: Settings) -> SlackResponse:
    """auth.test within a bounded time: a revoked token or an unreachable Slack is a clear error, not a hang.
    Warns by name about any scope manifest.yml asks for that the token does not have. The response is who
    the bot is; the app authorizes every request with it instead of calling auth.test again."""
    client = WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=STARTUP_TIMEOUT,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
        logger=_quiet,
    )
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        raise StartupError(f"SLACK_BOT_TOKEN was rejected by Slack ({error})", 2) from None
    except Exception as exc:
        raise unreachable(settings, exc) from None
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


def unreachable(settings: Settings, exc: Exception) -> StartupError:
    """Slack out of reach at start: one line with the URL actually used, and whether it was configured."""
    named = (
        "SLACK_API_URL" if os.environ.get("SLACK_API_URL", "").strip() else "the default; SLACK_API_URL unset"
    )
    return StartupError(
        f"cannot reach Slack at {settings.api_url} ({named}): {type(exc).__name__}; check the network", 2
    )
