"""/healthz answers, and /metrics counts what happened: requests by outcome, answers by kind, duplicates
dropped, Slack API errors and retries."""

import time

from tests.fakes.slack import event_envelope, mention_event, message_event, send_event
from tests.helpers import ok, scrape


def test_health_and_metrics(bot):
    import urllib.request

    with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
        assert response.status == 200
    with urllib.request.urlopen(f"{bot.url}/metrics", timeout=5) as response:
        assert b"container_bot_requests" in response.read()


def test_metrics_count_real_requests(bot, fake):
    from tests.fakes.slack import post

    envelope = event_envelope(mention_event("what is ecr"))
    ok(send_event(bot.events, envelope))
    ok(
        send_event(
            bot.events,
            envelope,
            extra_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
        )
    )
    ok(
        send_event(
            bot.events, event_envelope(message_event("lunch?", channel="D0000DM01", channel_type="im"))
        )
    )
    assert post(bot.events, "{}", "application/json")[0] == 401
    fake.wait_for("chat.postMessage", count=2)
    fake.settle(0.2)
    m = scrape(bot)
    assert m['container_bot_requests_total{outcome="ok",type="event_callback"}'] == 3
    assert m['container_bot_requests_total{outcome="unsigned",type="unknown"}'] == 1
    assert m['container_bot_answers_total{kind="definition"}'] == 1
    assert m['container_bot_answers_total{kind="fallback"}'] == 1 and m["container_bot_fallbacks_total"] == 1
    assert m["container_bot_duplicates_dropped_total"] == 1
    assert m["container_bot_answer_seconds_count"] == 2


def test_metrics_count_slack_api_errors_and_retries(bot, fake):
    fake.fail("chat.postMessage", times=3, status=500, body={"ok": False, "error": "internal_error"})
    ok(send_event(bot.events, event_envelope(mention_event("what is ecr"))))
    fake.wait_for("chat.postMessage", count=3, timeout=15)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not scrape(bot).get(
        'container_bot_slack_api_errors_total{method="chat.postMessage"}'
    ):
        fake.settle(0.05)
    m = scrape(bot)
    assert m['container_bot_slack_api_errors_total{method="chat.postMessage"}'] == 1
    assert m['container_bot_slack_api_retries_total{reason="server_error"}'] == 2
