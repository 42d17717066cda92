"""Logging: readable text or one JSON object per line, and no token or secret in any line, ever."""

from __future__ import annotations

import json
import logging
import re
import sys
import time

_SECRETS = re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")
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
)


class RedactingFilter(logging.Filter):
    """Masks Slack tokens and the configured secrets wherever they would appear in a record."""

    def __init__(self, secrets: tuple[str, ...] = ()):
        super().__init__()
        self.secrets = tuple(s for s in secrets if s and len(s) >= 8)

    def redact(self, text: str) -> str:
        text = _SECRETS.sub(lambda m: m.group(0)[:5] + "…[redacted]", text)
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info:
            clean_exc = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
            record.exc_text = clean_exc
        record.msg, record.args = clean, ()
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


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = " ".join(
            f"{n}={getattr(record, n)}" for n in _FIELDS if hasattr(record, n) and n != "question"
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
