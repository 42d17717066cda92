"""A Web API call that may fail without taking the reply down: a failure is counted and logged, not raised."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from .metrics import Metrics


def call_slack(
    metrics: Metrics,
    logger: logging.Logger,
    method: str,
    call: Callable[[], Any],
    *,
    message: str = "%s failed",
    level: int = logging.WARNING,
    unknown: str | None = "unknown_error",
    catch: type[Exception] | tuple[type[Exception], ...] = Exception,
) -> tuple[Any, str | None]:
    """(what `call` returned, None) when it worked; else (None, the error): Slack's error code, or the
    exception's name for a connection error or a timeout (after the client's own bounded retries), counted in
    slack_errors under `method` and logged (`message` % method, with the method and error as fields).

    `unknown`: the code when Slack's refusal names none (None: Slack's field as it is, absent or not).
    `catch`: the exceptions besides SlackApiError that count as a failure; any other one propagates."""
    try:
        return call(), None
    except SlackApiError as exc:
        error = exc.response.get("error", unknown)
        if unknown is not None:
            error = str(error)
    except catch as exc:
        error = type(exc).__name__
    metrics.slack_errors.labels(method).inc()
    logger.log(level, message, method, extra={"method": method, "error": error})
    return None, error
