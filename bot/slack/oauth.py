"""OAuth mode's install flow: GET /slack/install (an "Add to Slack" page carrying a state) and GET
/slack/oauth_redirect (the code exchanged with oauth.v2.access at SLACK_API_URL, the installation stored),
with Bolt's OAuthFlow over the installation store."""

from __future__ import annotations

from urllib.parse import urljoin

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest

from ..settings import Settings
from .ids import BOT_SCOPES
from .installations import ROTATE_MINUTES, Stores

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def authorize_url(api_url: str) -> str:
    """Slack's authorize page beside its Web API: https://slack.com/oauth/v2/authorize for
    https://slack.com/api/ (and slack-gov.com for GovSlack)."""
    return urljoin(api_url, "../oauth/v2/authorize")


def oauth_settings(settings: Settings, stores: Stores) -> OAuthSettings:
    return OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=stores.installations,  # type: ignore[arg-type]
        state_store=stores.states,  # type: ignore[arg-type]
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorize_url(settings.api_url),
        token_rotation_expiration_minutes=ROTATE_MINUTES,
    )


Answer = tuple[int, list[tuple[str, str]], bytes]


def route(app, path: str, query: str, headers: dict[str, str]) -> Answer | None:
    """The install page or the redirect's answer (status, headers, body), or None when `path` is neither or
    the app is not in OAuth mode."""
    flow = getattr(app, "oauth_flow", None)
    if flow is None or path not in (INSTALL_PATH, REDIRECT_PATH):
        return None
    request = BoltRequest(body="", query=query, headers={k: [v] for k, v in headers.items()})
    response = flow.handle_installation(request) if path == INSTALL_PATH else flow.handle_callback(request)
    body = response.body.encode() if isinstance(response.body, str) else (response.body or b"")
    out = [(name, value) for name, values in response.headers.items() for value in values]
    if not any(name.lower() == "content-type" for name, _ in out):
        out.append(("Content-Type", "text/html; charset=utf-8"))
    return response.status, out, body
