"""OAuth mode's installations: Bolt's SQLAlchemy stores (SQLite or PostgreSQL), the authorize that answers
each request with the token of its workspace, or of its org for an org-wide install, and the installation
scope that keeps every stored key (dedupe, thread memory, thread context) apart per installation."""

from __future__ import annotations

import contextvars
import logging
import os
from dataclasses import dataclass
from urllib.parse import urlparse

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.token_rotation import TokenRotator

from ..settings import Settings
from .lifecycle import StartupError
from .store import DEFAULT_TTL, Store

log = logging.getLogger("container_bot.installations")
STATE_SECONDS = 600  # an install started must finish within 10 minutes
ROTATE_MINUTES = 120  # a rotating token is refreshed when it has less than this left (Bolt's default)

# The installation the request being handled came from ("" outside OAuth mode). Set by `scope_middleware`
# for each request; the listener pool and the outbox's lanes run their work in a copy of the context that
# submitted it (executor.py), so a reply posted later still knows whose it is.
SCOPE: contextvars.ContextVar[str] = contextvars.ContextVar("container_bot_installation", default="")


def engine_url(url: str) -> str:
    """An SQLAlchemy URL for the driver this package installs: postgresql:// means psycopg 3."""
    scheme, sep, rest = url.partition("://")
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg{sep}{rest}"
    return url


def where(url: str) -> str:
    """The store's URL as a log line may show it: the password masked."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@", 1)
    return url


@dataclass
class Stores:
    installations: object  # SQLAlchemyInstallationStore
    states: object  # SQLAlchemyOAuthStateStore
    engine: object

    def close(self) -> None:
        self.engine.dispose()  # type: ignore[attr-defined]


def open_stores(settings: Settings) -> Stores:
    """The installation and OAuth-state stores at INSTALLATION_STORE_URL, tables created if missing; a
    database out of reach or a driver not installed is a StartupError (one line, exit 2)."""
    import sqlalchemy
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    url = settings.installation_store_url
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
    try:
        engine = sqlalchemy.create_engine(engine_url(url), pool_pre_ping=True)
        installations = SQLAlchemyInstallationStore(client_id=settings.client_id, engine=engine, logger=log)
        states = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine, logger=log)
        installations.create_tables()
        states.create_tables()
    except ImportError as exc:
        raise StartupError(
            f"INSTALLATION_STORE_URL needs a database driver that is not installed ({exc.name}): "
            "pip install 'container-bot[postgres]'",
            2,
        ) from None
    except Exception as exc:
        raise StartupError(
            f"INSTALLATION_STORE_URL is unreachable ({type(exc).__name__} at {where(url)})", 2
        ) from None
    return Stores(installations, states, engine)


class InstallationAuthorize(Authorize):
    """Who the bot is for this request, from its installation: no auth.test per request (the installation
    keeps the bot's ids), an org-wide install answering every workspace of its org, a rotating token
    refreshed and saved when it is about to expire. No installation: None, and Bolt acks without answering."""

    def __init__(self, store, settings: Settings, client: WebClient):
        self.store = store
        self.token_rotation_expiration_minutes = ROTATE_MINUTES  # Bolt sets it from OAuthSettings too
        self.rotator = TokenRotator(
            client_id=settings.client_id, client_secret=settings.client_secret, client=client
        )

    def __call__(self, *, context, enterprise_id, team_id, user_id, **kwargs) -> AuthorizeResult | None:
        org = bool(context.is_enterprise_install)
        bot: Bot | None = self.store.find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=org
        )
        if bot is None and enterprise_id and not org:  # a workspace of an org the app was installed in
            bot = self.store.find_bot(enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True)
        if bot is None:
            log.warning(
                "no installation for this workspace: acknowledged, not answered",
                extra={"outcome": "not_installed", "team": team_id or "-", "org": enterprise_id or "-"},
            )
            return None
        if bot.bot_refresh_token:
            refreshed = self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=self.token_rotation_expiration_minutes
            )
            if refreshed is not None:
                self.store.save_bot(refreshed)
                bot = refreshed
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
        )


def scope_of(context) -> str:
    """The installation a request belongs to: its org for an org-wide install, else its workspace."""
    enterprise, team = context.enterprise_id or "-", context.team_id or "-"
    return f"{enterprise}:*" if context.is_enterprise_install else f"{enterprise}:{team}"


def scope_middleware(context, next):
    """Every key the request stores or reads is kept under its installation (Bolt middleware). Bolt calls
    its middleware one after the other and runs the listener after the last, in this same thread, so the
    scope is set for the rest of the request, not around `next()`; the next request sets its own."""
    SCOPE.set(scope_of(context))
    return next()


class ScopedStore:
    """A store whose keys are kept apart per installation (SCOPE): a thread, an event or a message of one
    workspace never answers for another's."""

    def __init__(self, store: Store):
        self.inner = store

    @staticmethod
    def _key(key: str) -> str:
        scope = SCOPE.get()
        return f"{scope}:{key}" if scope else key

    def claim(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        return self.inner.claim(self._key(key), ttl)

    def put(self, key: str, value: str, ttl: int) -> None:
        self.inner.put(self._key(key), value, ttl)

    def get(self, key: str) -> str | None:
        return self.inner.get(self._key(key))

    def ping(self) -> None:
        getattr(self.inner, "ping", lambda: None)()


def register_uninstall(app: App) -> None:
    """app_uninstalled and tokens_revoked remove the installation (Bolt's listeners); later events from that
    workspace find none and are not answered."""
    app.enable_token_revocation_listeners()


def shared_store(stores: Stores | None, store: Store, redis: bool) -> Store:
    """The store every replica shares: Redis when REDIS_URL is set, else in OAuth mode the installation
    database (sql_store.py), else this process's memory."""
    if stores is None or redis:
        return store
    from .sql_store import SqlStore

    return SqlStore(stores.engine)
