"""What /healthz says besides the knowledge served: whether the bot token still works (single-workspace
mode) and whether a Socket Mode link is alive."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("container_bot.server")
REVOKED = frozenset({"token_revoked", "invalid_auth", "account_inactive", "not_authed"})


class Health:
    def __init__(self) -> None:
        self.revoked: str | None = None
        self.links: Callable[[], bool] | None = None  # Socket Mode: is any link alive?
        self._lock = threading.Lock()

    def token_revoked(self, error: str) -> None:
        """The one bot token no longer works: said once, and /healthz fails from now on."""
        with self._lock:
            first, self.revoked = self.revoked is None, self.revoked or error
        if first:
            log.error(
                "SLACK_BOT_TOKEN no longer works (%s): the token was revoked or the app uninstalled; "
                "/healthz now fails. Reinstall the app and set the new token",
                error,
                extra={"outcome": "token_revoked"},
            )

    @property
    def up(self) -> bool:
        return self.revoked is None and (self.links is None or self.links())

    @property
    def status(self) -> str:
        if self.revoked is not None:
            return "token_revoked"
        return "ok" if self.up else "disconnected"

    def on_uninstalled(self) -> None:
        self.token_revoked("app_uninstalled")

    def on_tokens_revoked(self, event) -> None:
        if (event.get("tokens") or {}).get("bot"):
            self.token_revoked("tokens_revoked")

    def watch_revocation(self, app) -> None:
        """Single-workspace mode: app_uninstalled, or tokens_revoked naming a bot token, ends the token."""
        app.event("app_uninstalled")(self.on_uninstalled)
        app.event("tokens_revoked")(self.on_tokens_revoked)
