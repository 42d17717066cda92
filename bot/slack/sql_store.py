"""OAuth mode's shared store when there is no Redis: the installation database keeps the exactly-once claims,
the threads the bot answered in and their context, so every replica (or Lambda execution environment) that
reaches the same PostgreSQL shares them. One table of keys with an expiry; a claim is an INSERT that only one
writer can win (the key is the primary key)."""

from __future__ import annotations

import logging
import threading
import time

from .store import DEFAULT_TTL, MemoryStore

log = logging.getLogger("container_bot.dedupe")
TABLE = "container_bot_keys"
MAX_KEY = 300
SWEEP_EVERY = 1000  # calls between two deletions of expired rows


class SqlStore:
    def __init__(self, engine):
        import sqlalchemy as sa

        self._sa = sa
        self.engine = engine
        metadata = sa.MetaData()
        self.table = sa.Table(
            TABLE,
            metadata,
            sa.Column("key", sa.String(MAX_KEY), primary_key=True),
            sa.Column("value", sa.Text, nullable=False),
            sa.Column("expires_at", sa.Float, nullable=False, index=True),
        )
        metadata.create_all(engine)
        self._fallback = MemoryStore()
        self._calls = 0
        self._lock = threading.Lock()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(self._sa.text("SELECT 1"))

    def claim(self, key: str, ttl: int = DEFAULT_TTL) -> bool:
        try:
            return self._insert(key[:MAX_KEY], "1", ttl)
        except self._sa.exc.SQLAlchemyError as exc:
            log.warning(
                "database unavailable for duplicate suppression (%s); using memory", type(exc).__name__
            )
            return self._fallback.claim(key, ttl)

    def put(self, key: str, value: str, ttl: int) -> None:
        key = key[:MAX_KEY]
        try:
            with self.engine.begin() as connection:
                connection.execute(self.table.delete().where(self.table.c.key == key))
            self._insert(key, value, ttl)
        except self._sa.exc.SQLAlchemyError as exc:
            log.warning("database unavailable for thread memory (%s); using memory", type(exc).__name__)
            self._fallback.put(key, value, ttl)

    def get(self, key: str) -> str | None:
        table = self.table
        try:
            with self.engine.connect() as connection:
                row = connection.execute(
                    self._sa.select(table.c.value).where(
                        table.c.key == key[:MAX_KEY], table.c.expires_at > time.time()
                    )
                ).first()
        except self._sa.exc.SQLAlchemyError:
            return self._fallback.get(key)
        return row[0] if row is not None else self._fallback.get(key)

    def _insert(self, key: str, value: str, ttl: int) -> bool:
        """True when this call wrote the key (any expired row for it is removed first)."""
        now, table = time.time(), self.table
        self._sweep(now)
        try:
            with self.engine.begin() as connection:
                connection.execute(table.delete().where(table.c.key == key, table.c.expires_at <= now))
                connection.execute(table.insert().values(key=key, value=value, expires_at=now + ttl))
        except self._sa.exc.IntegrityError:
            return False  # another writer holds it
        return True

    def _sweep(self, now: float) -> None:
        with self._lock:
            self._calls += 1
            due = self._calls % SWEEP_EVERY == 0
        if due:
            with self.engine.begin() as connection:
                connection.execute(self.table.delete().where(self.table.c.expires_at <= now))
