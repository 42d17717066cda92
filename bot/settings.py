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
    client_id: str = ""  # OAuth mode (with client_secret): installed into many workspaces and Grid orgs
    client_secret: str = ""
    installation_store_url: str = ""  # OAuth mode: SQLAlchemy URL of the installations and OAuth states
    socket_connections: int = 2  # Socket Mode: WebSockets kept open; Slack spreads events across them
    socket_ping_seconds: float = 1.0  # Socket Mode: a link without a pong for twice this long is replaced

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @property
    def oauth(self) -> bool:
        """Installed through OAuth: each request is answered with its workspace's (or org's) token."""
        return bool(self.client_id)

    @cached_property
    def secrets(self) -> tuple[str, ...]:
        """What no log line may show: the tokens, the signing secret, the client secret and the password in
        INSTALLATION_STORE_URL (masked by bot.logs.redact)."""
        password = urlparse(self.installation_store_url).password or "" if self.installation_store_url else ""
        extra = tuple(s for s in (self.client_secret, password) if s)
        return (self.bot_token, self.signing_secret, self.app_token, *extra)

    def __repr__(self) -> str:  # never show secrets, even in a debugger or a crash report
        return (
            f"Settings(api_url={self.api_url!r}, socket_mode={self.socket_mode}, oauth={self.oauth}, "
            f"port={self.port}, redis={'set' if self.redis_url else 'unset'}, log_level={self.log_level!r})"
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


# What each kind of Slack token starts with, to say which one a variable holds when it holds the wrong one.
TOKEN_KINDS = (
    ("xoxb-", "a bot token (xoxb-…)"),
    ("xapp-", "an app-level token (xapp-…)"),
    ("xoxp-", "a user token (xoxp-…)"),
    ("xoxe.", "a token rotation refresh token (xoxe.…)"),
    ("xoxe-", "a rotating token (xoxe-…)"),
    ("xoxa-", "a workspace app token (xoxa-…)"),
    ("xoxc-", "a browser session token (xoxc-…)"),
    ("xoxd-", "a browser cookie (xoxd-…)"),
)
WHERE = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-…) from OAuth & Permissions",
    "SLACK_APP_TOKEN": "an app-level token (xapp-…) with connections:write from Basic Information",
}


def _token(name: str, value: str, prefix: str) -> str:
    """The token, or a SettingsError that says which kind of token the variable holds instead."""
    if not value or value.startswith(prefix):
        return value
    held = next((kind for start, kind in TOKEN_KINDS if value.startswith(start)), None)
    if held is None:
        raise SettingsError(f"{name} is malformed: expected {WHERE[name]}")
    raise SettingsError(f"{name} holds {held}; it needs {WHERE[name]}")


def data_directory(env=None) -> str:
    """Where the bot keeps its own files (the default SQLite installation store): CONTAINER_BOT_DATA, else
    $XDG_DATA_HOME/container-bot, else ~/.local/share/container-bot."""
    env = os.environ if env is None else env
    configured = _get(env, "CONTAINER_BOT_DATA")
    if configured:
        return configured
    base = _get(env, "XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "container-bot")


STORE_SCHEMES = ("sqlite", "postgresql", "postgres")


def _installation_store_url(env) -> str:
    url = _get(env, "INSTALLATION_STORE_URL")
    if not url:
        return "sqlite:///" + os.path.join(data_directory(env), "installations.db")
    if urlparse(url).scheme.split("+")[0] not in STORE_SCHEMES:
        raise SettingsError(
            "INSTALLATION_STORE_URL is malformed: expected sqlite:///PATH or postgresql://USER@HOST/DB"
        )
    return url


def _oauth(env, bot_token: str, app_token: str, signing_secret: str) -> tuple[str, str]:
    """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, checked together: OAuth mode is HTTP, with no fixed token."""
    client_id, client_secret = _get(env, "SLACK_CLIENT_ID"), _get(env, "SLACK_CLIENT_SECRET")
    if not client_id and not client_secret:
        return "", ""
    if not client_id:
        raise SettingsError("SLACK_CLIENT_ID is not set (OAuth mode needs it with SLACK_CLIENT_SECRET)")
    if not client_secret:
        raise SettingsError("SLACK_CLIENT_SECRET is not set (OAuth mode needs it with SLACK_CLIENT_ID)")
    if bot_token:
        raise SettingsError(
            "SLACK_BOT_TOKEN is set in OAuth mode: each workspace's token comes from its installation; "
            "unset SLACK_BOT_TOKEN or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"
        )
    if app_token:
        raise SettingsError("SLACK_APP_TOKEN is set in OAuth mode, which runs over HTTP: unset it")
    if not signing_secret:
        raise SettingsError("SLACK_SIGNING_SECRET is not set (required in OAuth mode, which runs over HTTP)")
    return client_id, client_secret


def _required_tokens(bot_token: str, app_token: str, signing_secret: str) -> None:
    """What `serve` needs in single-workspace mode: the bot token, and Socket Mode's or HTTP's secret."""
    if not bot_token:
        raise SettingsError(
            "SLACK_BOT_TOKEN is not set (a bot token, xoxb-...; or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "for OAuth mode)"
        )
    if not app_token and not signing_secret:
        raise SettingsError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode needs it (Basic Information → Signing Secret); "
            "for Socket Mode set SLACK_APP_TOKEN (xapp-…) instead"
        )


def settings_from_env(
    env=None, *, serve: bool = False, force_http: bool = False, port: int | None = None
) -> Settings:
    """Read and validate the environment. With ``serve``, the tokens the chosen mode needs are required."""
    env = os.environ if env is None else env
    bot_token = _get(env, "SLACK_BOT_TOKEN")
    app_token = "" if force_http else _get(env, "SLACK_APP_TOKEN")
    signing_secret = _get(env, "SLACK_SIGNING_SECRET")
    client_id = client_secret = ""
    if serve:
        bot_token = _token("SLACK_BOT_TOKEN", bot_token, "xoxb-")
        app_token = _token("SLACK_APP_TOKEN", app_token, "xapp-")
        client_id, client_secret = _oauth(env, bot_token, app_token, signing_secret)
        if not client_id:
            _required_tokens(bot_token, app_token, signing_secret)
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
    connections = _number(env, "SOCKET_MODE_CONNECTIONS", int, 1, 10, 2, "a whole number 1-10")
    ping = _number(env, "SOCKET_MODE_PING_SECONDS", float, 0.2, 60, 1.0, "seconds, 0.2-60")
    return Settings(
        client_id=client_id,
        client_secret=client_secret,
        installation_store_url=_installation_store_url(env) if client_id else "",
        socket_connections=connections,
        socket_ping_seconds=ping,
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
