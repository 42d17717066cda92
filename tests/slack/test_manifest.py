"""manifest.yml creates the app in one paste: valid against Slack's schema and in step with what the
app registers."""

import json

import jsonschema
import pytest
import yaml

from bot.slack import ids
from tests.helpers import ROOT

MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
SCHEMA_COPY = ROOT / "tests/data/slack-manifest.schema.json"  # MIT, from slackapi/manifest-schema
SHARED_SCHEMA = ROOT.parent / "shared/slack-manifest.schema.json"


def test_manifest_is_valid_against_slacks_schema():
    jsonschema.validate(MANIFEST, json.loads(SCHEMA_COPY.read_text()))


@pytest.mark.skipif(not SHARED_SCHEMA.exists(), reason="no ../shared beside this checkout")
def test_schema_copy_is_the_published_one():
    assert json.loads(SCHEMA_COPY.read_text()) == json.loads(SHARED_SCHEMA.read_text())


def test_command_shortcut_and_events_match_the_app(knowledge, fake):
    """Everything the manifest subscribes to reaches a listener (Bolt answers 404 for what none handles)."""
    from urllib.parse import urlencode

    from slack_bolt.request import BoltRequest

    from bot.settings import Settings
    from bot.slack.app import create_app
    from tests.fakes.slack import (
        APP_TOKEN,
        BOT_TOKEN,
        assistant_thread_started,
        command_form,
        event_envelope,
        message_action,
        message_event,
    )

    # Socket Mode settings: Bolt skips signature checks, so requests can be dispatched to the app directly.
    app = create_app(Settings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url=fake.api_url), knowledge)

    def dispatch(body: str, content_type: str) -> int:
        return app.dispatch(BoltRequest(body=body, headers={"content-type": [content_type]})).status

    (command,) = MANIFEST["features"]["slash_commands"]
    assert command["description"] and command["usage_hint"]
    assert (
        dispatch(
            urlencode(command_form("help", fake.response_url(), command=command["command"])),
            "application/x-www-form-urlencoded",
        )
        == 200
    )
    (shortcut,) = MANIFEST["features"]["shortcuts"]
    payload = message_action("what is ecs", fake.response_url())
    payload["callback_id"] = shortcut["callback_id"]
    assert shortcut["type"] == "message"
    assert dispatch(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded") == 200
    channel_types = {"message.channels": "channel", "message.groups": "group", "message.im": "im"}
    for name in MANIFEST["settings"]["event_subscriptions"]["bot_events"]:
        if name in channel_types:
            event = message_event("ecs or eks?", channel_type=channel_types[name])
        elif name.startswith("assistant_thread_"):
            event = assistant_thread_started(kind=name.removeprefix("assistant_thread_"))
        else:
            event = {
                "type": name,
                "user": "U0000USER",
                "channel": "C0000CHAN",
                "text": "<@UBOT000001> hi",
                "ts": "1710000000.000001",
                "event_ts": "1710000000.000001",
                "tab": "home",
            }
        assert dispatch(json.dumps(event_envelope(event)), "application/json") == 200, name
    unknown = command_form("help", fake.response_url(), command="/not-ours")
    assert dispatch(urlencode(unknown), "application/x-www-form-urlencoded") == 404


def test_only_the_scopes_the_app_needs():
    assert tuple(MANIFEST["oauth_config"]["scopes"]["bot"]) == ids.BOT_SCOPES
    assert "user" not in MANIFEST["oauth_config"]["scopes"]


def test_dms_home_and_socket_mode_are_on():
    home = MANIFEST["features"]["app_home"]
    assert (
        home["home_tab_enabled"]
        and home["messages_tab_enabled"]
        and not home["messages_tab_read_only_enabled"]
    )
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] and MANIFEST["settings"]["socket_mode_enabled"]


def test_the_assistant_view_and_what_threads_need():
    """The assistant view's prompts are the ones the app sets in each new thread; the scopes are those the
    thread context and the assistant calls need."""
    view = MANIFEST["features"]["assistant_view"]
    assert view["assistant_description"] and view["suggested_prompts"] == [
        dict(p) for p in ids.SUGGESTED_PROMPTS
    ]
    scopes = MANIFEST["oauth_config"]["scopes"]["bot"]
    assert {"assistant:write", "metadata.message:read", "channels:history", "im:history"} <= set(scopes)
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert tuple(events) == ids.BOT_EVENTS
    assert {"assistant_thread_started", "assistant_thread_context_changed", "message.im"} <= set(events)
