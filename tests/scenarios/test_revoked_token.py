"""Single-workspace mode: once Slack stops accepting the bot token (revoked, the app uninstalled), /healthz
fails and one clear line says so, so the orchestrator shows it instead of a healthy bot that never replies."""

import json
import time
import urllib.error
import urllib.request

from tests.fakes.slack import BOT_TOKEN, event_envelope, mention_event, send_event


def health(bot) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def until_unhealthy(bot, timeout: float = 5.0) -> tuple[int, dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = health(bot)
        if status != 200:
            return status, body
        time.sleep(0.05)
    return health(bot)


def test_a_revoked_token_fails_healthz_with_one_line(bot, fake, caplog):
    assert health(bot)[0] == 200
    fake.revoked = True  # revoked in Slack while the bot runs
    assert send_event(bot.events, event_envelope(mention_event("what is ecr")))[0] == 200
    status, body = until_unhealthy(bot)
    assert status == 503 and body["status"] == "token_revoked"
    fake.settle(0.2)  # the line is written just after /healthz turns
    lines = [r.getMessage() for r in caplog.records if "SLACK_BOT_TOKEN no longer works" in r.getMessage()]
    assert len(lines) == 1 and "token_revoked" in lines[0] and BOT_TOKEN not in lines[0]
    send_event(bot.events, event_envelope(mention_event("what is ecs")))
    fake.settle(0.3)
    assert len([r for r in caplog.records if "no longer works" in r.getMessage()]) == 1  # said once


def test_app_uninstalled_fails_healthz(bot, fake):
    uninstalled = event_envelope({"type": "app_uninstalled", "event_ts": "1710000000.1"})
    assert send_event(bot.events, uninstalled)[0] == 200
    status, body = until_unhealthy(bot)
    assert status == 503 and body["status"] == "token_revoked"


def test_a_one_off_error_of_another_kind_keeps_it_healthy(bot, fake):
    fake.fail("chat.postMessage", body={"ok": False, "error": "not_in_channel"})
    assert send_event(bot.events, event_envelope(mention_event("what is ecr")))[0] == 200
    fake.wait_for("chat.postMessage")
    fake.settle(0.3)
    assert health(bot)[0] == 200
