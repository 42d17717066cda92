"""create_app: build the Bolt App and register its listeners. No App exists at import time."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from ..answering.engine import AnswerEngine
from ..knowledge.model import Knowledge
from ..settings import Settings
from .client import granted_scopes, make_client
from .executor import ReplyExecutor
from .health import REVOKED, Health
from .installations import InstallationAuthorize, ScopedStore, Stores, register_uninstall, scope_middleware
from .listeners import register
from .metrics import Metrics
from .oauth import oauth_settings
from .outbox import Outbox
from .reload import publish
from .runtime import Loaded, Runtime
from .store import MemoryStore, Store
from .thread_store import ThreadContexts


class StartupIdentity(Authorize):
    """Who the bot is, from the auth.test `serve` made at start: Bolt authorizes every request with it and
    never calls auth.test again, so no ack waits on the Web API (one workspace, one bot token)."""

    def __init__(self, settings: Settings, auth_test: SlackResponse):
        granted = granted_scopes(auth_test)
        self.result = AuthorizeResult.from_auth_test_response(
            auth_test_response=auth_test, bot_token=settings.bot_token, bot_scopes=granted or None
        )

    def __call__(self, **kwargs) -> AuthorizeResult:
        return self.result


def create_app(
    settings: Settings,
    knowledge: Knowledge,
    client: WebClient | None = None,
    *,
    store: Store | None = None,
    metrics: Metrics | None = None,
    executor: ReplyExecutor | None = None,
    outbox: Outbox | None = None,
    auth_test: SlackResponse | None = None,
    engine: AnswerEngine | None = None,
    stores: Stores | None = None,
    health: Health | None = None,
    process_before_response: bool = False,
) -> App:
    """The Bolt App with every listener registered. Listeners run on `executor` (Bolt's listener pool) and
    only ack and build answers there; their Web API calls go through `outbox`, so acks never wait on Slack.

    With `auth_test` (the start-up auth.test response), requests are authorized from it; without it, Bolt
    calls auth.test itself on the first request. In OAuth mode (`settings.oauth`, with the installation
    `stores`), each request is authorized from its workspace's installation instead, every stored key is
    kept apart per installation, and a thread's context comes from the store rather than from Slack.
    `process_before_response` (AWS Lambda): listeners finish before the response is returned."""
    metrics = metrics or Metrics()
    health = health or Health()
    oauth = settings.oauth
    if oauth and stores is None:
        raise ValueError("OAuth mode needs the installation stores")
    # With an identity, the token reaches each request's client through it (Bolt warns when given both).
    client = client or make_client(
        settings,
        metrics,
        with_token=auth_test is None and not oauth,
        on_revoked=None if oauth else health.token_revoked,  # one workspace's revoked token is not ours
        revoked_errors=REVOKED,
    )
    authorize: Authorize | None = StartupIdentity(settings, auth_test) if auth_test is not None else None
    if oauth:
        authorize = InstallationAuthorize(stores.installations, settings, client)  # type: ignore[union-attr]
    app = App(
        client=client,
        authorize=authorize,  # type: ignore[arg-type]  # an Authorize instance is a callable Bolt accepts
        oauth_settings=oauth_settings(settings, stores) if oauth and stores else None,
        signing_secret=settings.signing_secret or None,
        request_verification_enabled=not settings.socket_mode,
        token_verification_enabled=False,  # serve checks the token itself: bounded wait, clear error
        listener_executor=executor or ReplyExecutor(max_workers=16),
        raise_error_for_unhandled_request=False,
        process_before_response=process_before_response,
    )
    shared: Store = ScopedStore(store or MemoryStore()) if oauth else (store or MemoryStore())
    runtime = Runtime(
        Loaded(knowledge, engine or AnswerEngine(knowledge, settings.threshold)),
        settings,
        shared,
        metrics,
        outbox or Outbox(metrics),
        health=health,
        contexts=ThreadContexts(shared) if oauth else None,
    )
    if oauth:
        app.use(scope_middleware)  # first: every listener and middleware after it stores per installation
        register_uninstall(app)
    else:
        health.watch_revocation(app)
    register(app, runtime)
    publish(runtime)
    app.container_bot = runtime  # type: ignore[attr-defined]  # the server reads metrics and settings from here
    return app
