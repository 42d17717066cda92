"""AWS Lambda: `handler(event, context)` for a Function URL or an API Gateway HTTP API event (payload 2.0),
built on Bolt's SlackRequestHandler.

Lambda freezes a function as soon as it returns, so nothing may be left on a background thread: Bolt runs
each listener before the response (`process_before_response`), and the outbox runs every Web API call at once,
in the handler's own thread. Answers take milliseconds, so the reply is posted before Slack's 3 seconds are
up. The app is built once per execution environment, on the first event: settings from the environment, the
knowledge and the model that ships in the package (no training, nothing written), the bot token checked
with auth.test (or, in OAuth mode, the installation store opened). Duplicate suppression and thread memory
are per execution environment unless REDIS_URL is set.

Needs `pip install 'container-bot[lambda]'` (Bolt's Lambda adapter imports boto3, which the Lambda runtime
already has); deploy/lambda/ holds the template."""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable

from ..answering.engine import AnswerEngine
from ..knowledge import KnowledgeError
from ..logs import setup_logging
from ..settings import SettingsError, settings_from_env
from ..understanding import snapshot
from .app import create_app
from .client import check_token
from .http.payloads import shape
from .http.signature import signed
from .installations import open_stores, shared_store
from .lifecycle import StartupError
from .metrics import Metrics
from .outbox import Outbox
from .store import make_store

log = logging.getLogger("container_bot.server")
_built: dict[str, object] = {}
_lock = threading.Lock()


class InlineOutbox(Outbox):
    """Every Web API call runs now, in the caller's thread: on Lambda a thread left behind is frozen with
    the function and its reply never sent."""

    def reply(self, fn: Callable[..., object], *args, **kwargs) -> bool:
        return self._now(fn, args, kwargs)

    def view(self, fn: Callable[..., object], *args, **kwargs) -> bool:
        return self._now(fn, args, kwargs)

    def post(self, channel: str | None, fn: Callable[..., object], *args, **kwargs) -> bool:
        return self._now(fn, args, kwargs)  # one request, one answer: nothing to pace

    @staticmethod
    def _now(fn, args, kwargs) -> bool:
        try:
            fn(*args, **kwargs)
        except Exception:  # the work logs its own Slack errors; anything else must not fail the request
            log.exception("outgoing call failed")
        return True


def build():
    """The Bolt app and its Lambda handler, from the environment (once per execution environment)."""
    from slack_bolt.adapter.aws_lambda import SlackRequestHandler

    settings = settings_from_env(serve=True, force_http=True)
    setup_logging(settings.log_level, settings.log_format, secrets=settings.secrets)
    knowledge = snapshot.load(settings.knowledge_file)
    metrics = Metrics()
    stores = open_stores(settings) if settings.oauth else None
    app = create_app(
        settings,
        knowledge,
        store=shared_store(stores, make_store(settings.redis_url), bool(settings.redis_url)),
        metrics=metrics,
        outbox=InlineOutbox(metrics),
        auth_test=None if settings.oauth else check_token(settings),
        engine=AnswerEngine(knowledge, settings.threshold),
        stores=stores,
        process_before_response=True,
    )
    return app, SlackRequestHandler(app), settings.signing_secret.encode("utf-8")


def app():
    """The app this execution environment serves (built on first use)."""
    return _ready()[0]


def _ready() -> tuple:
    with _lock:
        if "app" not in _built:
            _built["app"], _built["handler"], _built["secret"] = build()
        return _built["app"], _built["handler"], _built["secret"]


def handler(event: dict, context) -> dict:
    """The Lambda entry point: Slack's request in (payload 2.0), the response Slack gets out."""
    try:
        _, slack, secret = _ready()
    except (SettingsError, KnowledgeError, StartupError) as exc:
        log.error("container-bot cannot start: %s", exc)
        return {"statusCode": 500, "headers": {}, "body": "container-bot cannot start; see its log"}
    method = ((event.get("requestContext") or {}).get("http") or {}).get("method")
    if method == "POST":
        refused = _refused(event, secret)
        if refused is not None:
            return refused
    return slack.handle(event, context)


def _refused(event: dict, secret: bytes) -> dict | None:
    """As in HTTP mode: nothing is parsed before the signature is checked (401), and a signed request that is
    not what Slack sends is a 400, never a 500."""
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8")
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    timestamp, signature = headers.get("x-slack-request-timestamp", ""), headers.get("x-slack-signature", "")
    if not signed(secret, raw, timestamp, signature):
        return {"statusCode": 401, "headers": {}, "body": "invalid signature"}
    kind, problem = shape(raw, headers.get("content-type", ""))
    if problem:
        log.info("malformed request", extra={"event_type": kind, "outcome": problem})
        return {"statusCode": 400, "headers": {}, "body": f"bad request: {problem}"}
    return None


def forget() -> None:
    """Build the app again on the next event (a test that changes the environment)."""
    with _lock:
        _built.clear()
