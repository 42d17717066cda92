"""What the documentation claims matches the code: the Slack side, every setting serve reads, how to
re-check a fact."""

import re

from bot.settings import Settings
from bot.slack.app import create_app
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET
from tests.helpers import ROOT

OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")


def test_marketplace_distribution_is_claimed_only_for_oauth_mode_over_http(knowledge, tmp_path):
    """Slack Marketplace apps install into many workspaces through OAuth, over HTTP: OAuth mode has an install
    flow and an installation store; one bot token (HTTP or Socket Mode) has neither."""
    from bot.slack.installations import open_stores
    from tests.helpers import oauth_settings_for

    app = create_app(Settings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET), knowledge)
    assert app.oauth_flow is None and app.installation_store is None
    fake = type("Fake", (), {"api_url": "http://127.0.0.1:9/api/"})()
    settings = oauth_settings_for(fake, f"sqlite:///{tmp_path / 'installations.db'}")
    stores = open_stores(settings)
    try:
        app = create_app(settings, knowledge, stores=stores)
        assert app.oauth_flow is not None and app.installation_store is not None
    finally:
        stores.close()
    (row,) = [
        line for line in OPERATIONS.splitlines() if line.startswith("| Slack Marketplace distribution |")
    ]
    http, socket_mode = [cell.strip() for cell in row.strip("|").split("|")[1:3]]
    assert http.startswith("yes, in OAuth mode") and socket_mode.startswith("no")


def test_every_environment_variable_serve_reads_is_documented():
    source = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'_(?:get|number)\(env, "([A-Z_]+)"', source))
    assert {"CHANNEL_LISTENING", "SLACK_APP_TOKEN", "METRICS_PORT"} <= names
    assert [n for n in sorted(names) if f"`{n}`" not in OPERATIONS] == []


def test_the_docs_say_how_to_recheck_a_fact():
    guide = (ROOT / "docs" / "knowledge-file.md").read_text(encoding="utf-8")
    section = guide[guide.index("## Keeping facts current: re-checking a fact") :]
    assert "--max-age" in section and "as_of" in section and "source" in section
    assert "windows_serverless" in guide and "kubernetes_only_software" in guide
