"""Environment -> one frozen Settings, validated once at start."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlparse


class SettingsError(Exception):
    """A variable is missing or malformed; the message names it in one line."""


@dataclass(frozen=True)
class Settings:
    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""
    api_url: str = "https://slack.com/api/"
    knowledge_file: str | None = None
    port: int = 3000
    redis_url: str | None = None
    log_level: str = "INFO"
    log_format: str = "text"
    threshold: float | None = None
    metrics_port: int | None = None  # Socket Mode: serve /healthz and /metrics on this port
    channel_listening: bool = True  # answer un-mentioned channel questions; off for very busy workspaces
    api_timeout: float = (
        10.0  # seconds per Web API attempt; with bounded retries a call gives up within a minute
    )
    shutdown_timeout: float = 20.0  # after SIGTERM, replies in flight get this long; fits a 30 s grace period
    reload_seconds: float = 0.0  # check KNOWLEDGE_FILE for changes this often and reload it; 0: never

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @cached_property
    def secrets(self) -> tuple[str, ...]:
        """What no log line may show: the tokens and the signing secret (masked by bot.logs.redact)."""
        return (self.bot_token, self.signing_secret, self.app_token)

    def __repr__(self) -> str:  # never show secrets, even in a debugger or a crash report
        return (
            f"Settings(api_url={self.api_url!r}, socket_mode={self.socket_mode}, port={self.port}, "
            f"redis={'set' if self.redis_url else 'unset'}, log_level={self.log_level!r})"
        )


LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SWITCH = {
    "on": True,
    "off": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "yes": True,
    "no": False,
}


def _get(env, name: str) -> str:
    return (env.get(name) or "").strip()


def _number(env, name: str, kind, low, high, default, expected: str):
    """An optional numeric variable within bounds; a bad one is a SettingsError naming it."""
    raw = _get(env, name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} is malformed: expected {expected}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} is malformed: expected {expected}")
    return value


def settings_from_env(
    env=None, *, serve: bool = False, force_http: bool = False, port: int | None = None
) -> Settings:
    """Read and validate the environment. With ``serve``, the tokens the chosen mode needs are required."""
    env = os.environ if env is None else env
    bot_token = _get(env, "SLACK_BOT_TOKEN")
    app_token = "" if force_http else _get(env, "SLACK_APP_TOKEN")
    signing_secret = _get(env, "SLACK_SIGNING_SECRET")
    if serve:
        if not bot_token:
            raise SettingsError("SLACK_BOT_TOKEN is not set (a bot token, xoxb-...)")
        if not bot_token.startswith("xoxb-"):
            raise SettingsError("SLACK_BOT_TOKEN is malformed: a bot token starts with xoxb-")
        if app_token and not app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN is malformed: an app-level token starts with xapp-")
        if not app_token and not signing_secret:
            raise SettingsError("SLACK_SIGNING_SECRET is not set (required in HTTP mode)")
    api_url = _get(env, "SLACK_API_URL") or "https://slack.com/api/"
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError("SLACK_API_URL is malformed: expected a URL such as https://slack.com/api/")
    if not api_url.endswith("/"):
        api_url += "/"
    if port is None:
        port = _number(env, "PORT", int, 0, 65535, 3000, "a whole number 0-65535")
    elif not 0 <= port <= 65535:
        raise SettingsError("PORT is malformed: expected a whole number 0-65535")
    redis_url = _get(env, "REDIS_URL") or None
    if redis_url and urlparse(redis_url).scheme not in ("redis", "rediss", "unix"):
        raise SettingsError("REDIS_URL is malformed: expected redis://host:port/db")
    level = (_get(env, "LOG_LEVEL") or "INFO").upper()
    if level not in LEVELS:
        raise SettingsError(f"LOG_LEVEL is malformed: expected one of {', '.join(LEVELS)}")
    fmt = (_get(env, "LOG_FORMAT") or "text").lower()
    if fmt not in ("text", "json"):
        raise SettingsError("LOG_FORMAT is malformed: expected text or json")
    threshold_value = _number(env, "ANSWER_THRESHOLD", float, 0, 1, None, "a number between 0 and 1")
    api_timeout = _number(env, "SLACK_API_TIMEOUT", float, 0.001, 120, 10.0, "seconds, 0-120")
    metrics_port = _number(env, "METRICS_PORT", int, 0, 65535, None, "a whole number 0-65535")
    listening = (_get(env, "CHANNEL_LISTENING") or "on").lower()
    if listening not in SWITCH:
        raise SettingsError("CHANNEL_LISTENING is malformed: expected on or off")
    shutdown_timeout = _number(env, "SHUTDOWN_TIMEOUT", float, 0, 600, 20.0, "seconds, 0-600")
    reload_seconds = _number(
        env, "KNOWLEDGE_RELOAD_SECONDS", float, 0, 86400, 0.0, "seconds, 0-86400 (0 or unset: off)"
    )
    return Settings(
        reload_seconds=reload_seconds,
        channel_listening=SWITCH[listening],
        shutdown_timeout=shutdown_timeout,
        api_timeout=api_timeout,
        metrics_port=metrics_port,
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=api_url,
        knowledge_file=_get(env, "KNOWLEDGE_FILE") or None,
        port=port,
        redis_url=redis_url,
        log_level=level,
        log_format=fmt,
        threshold=threshold_value,
    )
