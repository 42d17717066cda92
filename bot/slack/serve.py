"""`container-bot serve`: settings and knowledge checked, the token checked with Slack, then HTTP (waitress)
or Socket Mode."""

from __future__ import annotations

import logging
import os
import sys

from ..answering.engine import AnswerEngine
from ..knowledge import KnowledgeError
from ..logs import setup_logging
from ..settings import Settings, SettingsError, settings_from_env
from ..understanding import snapshot
from .app import create_app
from .client import check_token
from .executor import ReplyExecutor
from .http.server import run_http
from .installations import Stores, open_stores, shared_store, where
from .lifecycle import EarlyHangup, StartupError
from .metrics import Metrics
from .reload import Reloader
from .socket_mode import run_socket_mode
from .store import Store, make_store

log = logging.getLogger("container_bot.server")
# Read once into Settings, then taken out of the environment: no library reads them behind our back (Bolt
# takes SLACK_BOT_TOKEN as a token beside the client it is given, and SLACK_CLIENT_ID/SECRET as OAuth
# settings of its own), and no child process inherits them.
SECRET_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_SECRET")


def watch_knowledge(app, settings: Settings, hangup: EarlyHangup) -> Reloader:
    """SIGHUP reloads KNOWLEDGE_FILE (one asked for during start-up runs now); with KNOWLEDGE_RELOAD_SECONDS,
    so does a change to it."""
    reloader = Reloader(app.container_bot, settings.knowledge_file)
    hangup.hand_to(reloader.reload_in_background)
    if settings.reload_seconds > 0:
        reloader.watch(settings.reload_seconds)
        log.info("checking %s for changes every %gs", reloader.path, settings.reload_seconds)
    return reloader


def serve(force_http: bool = False, port: int | None = None) -> int:
    hangup = EarlyHangup().install()  # first: a SIGHUP while loading and training must not end serve
    try:
        settings = settings_from_env(serve=True, force_http=force_http, port=port)
    except SettingsError as exc:
        print(f"container-bot: {exc}", file=sys.stderr)
        return 2
    for name in SECRET_VARIABLES + (("SLACK_CLIENT_ID",) if settings.oauth else ()):
        os.environ.pop(name, None)
    setup_logging(settings.log_level, settings.log_format, secrets=settings.secrets)
    try:
        knowledge = snapshot.load(settings.knowledge_file)
        engine = AnswerEngine(knowledge, settings.threshold)  # trains, reading the examples file, if no cache
    except KnowledgeError as exc:
        first = exc.problems[0]
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        name = "KNOWLEDGE_FILE is malformed: " if settings.knowledge_file else "the packaged knowledge file: "
        print(f"container-bot: {name}{first}{more}", file=sys.stderr)
        return 2 if settings.knowledge_file else 1
    try:
        auth_test = None if settings.oauth else check_token(settings)
        stores = installation_stores(settings)
        store = shared_store(stores, open_store(settings), bool(settings.redis_url))
    except StartupError as exc:
        print(f"container-bot: {exc}", file=sys.stderr)
        return exc.code
    if not settings.channel_listening:
        log.info("CHANNEL_LISTENING=off: in channels only mentions are answered")
    metrics = Metrics()
    executor = ReplyExecutor(max_workers=16)
    app = create_app(
        settings,
        knowledge,
        store=store,
        metrics=metrics,
        executor=executor,
        auth_test=auth_test,
        engine=engine,
        stores=stores,
    )
    watch_knowledge(app, settings, hangup)
    try:
        if settings.socket_mode:
            return run_socket_mode(app, settings, metrics, executor)
        return run_http(app, settings, metrics, executor)
    except StartupError as exc:
        print(f"container-bot: {exc}", file=sys.stderr)
        return exc.code


def open_store(settings: Settings) -> Store:
    """The dedupe store: this process's memory, or Redis at REDIS_URL, reached now or a StartupError."""
    try:
        store = make_store(settings.redis_url)
    except ImportError:
        raise StartupError(
            "REDIS_URL is set but the Redis client is not installed: pip install 'container-bot[redis]'", 2
        ) from None
    if settings.redis_url:
        try:
            store.ping()  # type: ignore[attr-defined]
        except Exception as exc:
            raise StartupError(f"REDIS_URL is unreachable ({type(exc).__name__})", 2) from None
    return store


def installation_stores(settings: Settings) -> Stores | None:
    """OAuth mode's installation and state stores, reached now; None in single-workspace mode."""
    if not settings.oauth:
        return None
    stores = open_stores(settings)
    log.info(
        "OAuth mode: installations in %s; install at /slack/install", where(settings.installation_store_url)
    )
    return stores
