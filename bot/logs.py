"""Logging: readable text or one JSON object per line, and no token or secret in any line, ever."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from typing import Any

# Slack tokens (bot xoxb-, user xoxp-, app-level xapp-, refresh xoxe-, rotated xoxe.xoxb-, ...) and anything
# shaped like a signing or client secret (32 hex characters), wherever they appear.
_TOKENS = re.compile(r"\b(?:xox[a-z](?:\.xox[a-z])?|xapp)-[A-Za-z0-9-]+")
_HEX_SECRET = re.compile(r"\b[0-9a-f]{32}\b")
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_FIELDS = (
    "event_type",
    "kind",
    "confidence",
    "latency_ms",
    "outcome",
    "question",
    "method",
    "error",
    "status",
    "dropped",
    "feedback",
    "topics",
    "version",
    "checksum",
)


def secrets_from_env(env=None) -> tuple[str, ...]:
    """The configured secrets, for commands that read logs rather than write them."""
    env = os.environ if env is None else env
    names = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")
    return tuple(env.get(name, "").strip() for name in names)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Text with every Slack token, every secret-shaped word and each of `secrets` masked."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, "[redacted]")
    text = _TOKENS.sub(lambda m: m.group(0)[:5] + "…[redacted]", text)
    return _HEX_SECRET.sub("[redacted]", text)


def _redact_value(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, (list, tuple)):
        return type(value)(_redact_value(v, secrets) for v in value)
    if isinstance(value, dict):
        return {k: _redact_value(v, secrets) for k, v in value.items()}
    return value


class RedactingFilter(logging.Filter):
    """Masks Slack tokens and the configured secrets in every field of a record: its message and arguments,
    its exception, and every `extra` field (an unanswered question is one)."""

    def __init__(self, secrets: tuple[str, ...] = ()):
        super().__init__()
        self.secrets = tuple(s for s in secrets if s and len(s) >= 8)

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info:
            clean_exc = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
            record.exc_text = clean_exc
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        record.msg, record.args = clean, ()
        for name, value in list(vars(record).items()):
            if name not in _STANDARD:
                setattr(record, name, _redact_value(value, self.secrets))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            if hasattr(record, name):
                out[name] = getattr(record, name)
        if record.exc_text:
            out["exception"] = record.exc_text
        return json.dumps(out, ensure_ascii=False)


def _plain(value: Any) -> str:
    """A field as one word of a text line: a list as its items joined by commas ("ecs,eks")."""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value) or "-"
    return str(value)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = " ".join(
            f"{n}={_plain(getattr(record, n))}" for n in _FIELDS if hasattr(record, n) and n != "question"
        )
        if hasattr(record, "question"):
            extras += f" question={json.dumps(record.question, ensure_ascii=False)}"
        return f"{line} {extras}".rstrip()


def setup_logging(level: str = "INFO", fmt: str = "text", secrets: tuple[str, ...] = (), stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Slack's libraries log request bodies at DEBUG; keep them at WARNING unless we are debugging ourselves.
    for noisy in ("slack_bolt", "slack_sdk", "waitress", "urllib3"):
        logging.getLogger(noisy).setLevel(level if level == "DEBUG" else "WARNING")
