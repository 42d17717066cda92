"""Slack failing. A Web API call that is rate limited (429 Retry-After), fails (5xx), is dropped, refused or
slow is retried a bounded number of times, and only where a retry cannot post twice; Slack rate limiting
the app's events is logged and counted."""

import logging
import time

import pytest

from bot.slack.client import RETRY_AFTER_DEFAULT
from tests.fakes.slack import (
    TEAM,
    FakeSlack,
    command_form,
    event_envelope,
    home_opened,
    mention_event,
    send_event,
    send_form,
)
from tests.helpers import ok, scrape, start_bot

# ------------------------------------------------------------------------------------------ rate limits


def test_rate_limited_post_is_retried_after_the_wait_and_delivered_once(bot, fake):
    fake.fail(
        "chat.postMessage",
        status=429,
        body={"ok": False, "error": "ratelimited"},
        headers={"Retry-After": "1"},
    )
    assert send_event(bot.events, event_envelope(mention_event("what is ecr")))[0] == 200
    calls = fake.wait_for("chat.postMessage", count=2, timeout=10)
    assert len(calls) == 2 and calls[1].at - calls[0].at >= 1.0
    fake.settle()
    assert len(fake.called("chat.postMessage")) == 2  # one refused, one delivered


@pytest.mark.parametrize("retry_after", ["soon", "-5"])
def test_a_malformed_retry_after_does_not_drop_the_reply(bot, fake, retry_after):
    fake.fail(
        "chat.postMessage",
        status=429,
        body={"ok": False, "error": "ratelimited"},
        headers={"Retry-After": retry_after},
    )
    assert send_event(bot.events, event_envelope(mention_event("what is ecr")))[0] == 200
    calls = fake.wait_for("chat.postMessage", count=2, timeout=RETRY_AFTER_DEFAULT + 5)
    assert len(calls) == 2 and calls[1].at - calls[0].at >= RETRY_AFTER_DEFAULT - 0.05


def test_app_rate_limited_notice_is_logged_and_counted(bot, fake, caplog):
    caplog.set_level(logging.WARNING, logger="container_bot.requests")
    notice = {
        "token": "fake-verification-token",
        "type": "app_rate_limited",
        "team_id": TEAM,
        "minute_rate_limited": 1518467820,
        "api_app_id": "AFAKE0001",
    }
    ok(send_event(bot.events, notice))
    assert scrape(bot)["container_bot_events_rate_limited_total"] == 1
    assert "rate limiting this app's events" in caplog.text and "1518467820" in caplog.text
    fake.settle(0.1)
    assert fake.calls == []


# ------------------------------------------------------- server errors, dropped and refused connections


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_a_bounded_number_of_times_then_logged(bot, fake, status, caplog):
    caplog.set_level(logging.WARNING, logger="container_bot.requests")
    fake.fail("chat.postMessage", times=3, status=status, body={"ok": False, "error": "internal_error"})
    assert send_event(bot.events, event_envelope(mention_event("what is ecr")))[0] == 200
    fake.wait_for("chat.postMessage", count=3, timeout=15)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "chat.postMessage failed" not in caplog.text:
        time.sleep(0.05)
    assert len(fake.called("chat.postMessage")) == 3 and "chat.postMessage failed" in caplog.text
    # the process is up and answers the next event
    assert send_event(bot.events, event_envelope(mention_event("what is eks")))[0] == 200
    assert len(fake.wait_for("chat.postMessage", count=4)) == 4


def test_a_dropped_connection_is_retried_and_the_reply_delivered_once(bot, fake):
    fake.fail("chat.postMessage", drop=True)  # closed without an answer: nothing was posted
    assert send_event(bot.events, event_envelope(mention_event("what is ecr")))[0] == 200
    assert len(fake.wait_for("chat.postMessage", count=2, timeout=5)) == 2
    fake.settle()
    assert len(fake.called("chat.postMessage")) == 2


def test_a_call_that_never_reached_slack_is_retried_even_for_chat_post_message(knowledge):
    first = FakeSlack().start()
    running = start_bot(first, knowledge)
    second = None
    try:
        assert send_event(running.events, event_envelope(mention_event("what is ecs")))[0] == 200
        assert first.wait_for("chat.postMessage")  # warmed up: auth.test is behind us
        first.stop()  # Slack is unreachable: connections are refused
        assert send_event(running.events, event_envelope(mention_event("what is ecr")))[0] == 200
        retries = running.metrics.slack_retries.labels("connection_error")
        deadline = time.monotonic() + 5
        while retries._value.get() < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert retries._value.get() == 1  # refused once; the retry waits 0.5 s or more
        second = FakeSlack(port=first.port).start()
        (call,) = second.wait_for("chat.postMessage", timeout=5)
        assert "Amazon ECR" in call.params["text"]
    finally:
        running.server.close()
        if second is not None:
            second.stop()


# -------------------------------------------------------- timeouts: retried only where a repeat is safe


def test_timeouts_are_retried_then_given_up(fake, knowledge):
    from tests.fakes.slack import home_opened

    running = start_bot(fake, knowledge, api_timeout=0.3)
    try:
        # views.publish replaces the Home tab, so a timed-out one is safe to send again (chat.postMessage is
        # not: test_a_slow_successful_post_is_not_posted_twice)
        fake.fail("views.publish", times=3, delay=0.8)
        assert send_event(running.events, event_envelope(home_opened()))[0] == 200
        assert len(fake.wait_for("views.publish", count=3, timeout=15)) == 3
        assert send_event(running.events, event_envelope(mention_event("what is eks")))[0] == 200
        assert len(fake.wait_for("chat.postMessage", count=1, timeout=10)) == 1
    finally:
        running.server.close()


def test_timeouts_of_calls_safe_to_repeat_are_still_retried(fake, knowledge):
    running = start_bot(fake, knowledge, api_timeout=0.3)
    try:
        fake.fail("views.publish", times=2, delay=0.8)
        assert send_event(running.events, event_envelope(home_opened()))[0] == 200
        assert len(fake.wait_for("views.publish", count=3, timeout=10)) == 3  # two timeouts, then delivered
    finally:
        running.server.close()


def test_a_slow_successful_post_is_not_posted_twice(fake, knowledge):
    running = start_bot(fake, knowledge, api_timeout=0.5)
    try:
        fake.fail("chat.postMessage", delay=1.2)  # Slack posts it, but answers after our timeout
        assert send_event(running.events, event_envelope(mention_event("what is ecr")))[0] == 200
        assert fake.wait_for("chat.postMessage")
        fake.settle(2.5)  # past any retry's back-off
        assert len(fake.called("chat.postMessage")) == 1
        assert running.metrics.slack_errors.labels("chat.postMessage")._value.get() == 1
    finally:
        running.server.close()


def test_a_slow_views_open_is_not_retried(fake, knowledge):
    running = start_bot(fake, knowledge, api_timeout=0.5)
    try:
        fake.fail("views.open", delay=1.2)
        assert send_form(running.events, command_form("", fake.response_url()))[0] == 200
        assert fake.wait_for("views.open")
        fake.settle(2.5)
        assert len(fake.called("views.open")) == 1
    finally:
        running.server.close()
