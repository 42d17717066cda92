"""A mention is answered in its thread (a new one under it, or the thread it was made in), once, even when
Slack sends it twice (as app_mention and as a message) or with a file."""

import pytest

from tests.fakes.slack import BOT_USER, event_envelope, mention_event, message_event, next_ts, send_event
from tests.helpers import SCREENSHOT, ok


def test_mention_answers_in_thread(bot, fake):
    event = mention_event("what is ecr again")
    ok(send_event(bot.events, event_envelope(event)))
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["channel"] == event["channel"] and call.params["thread_ts"] == event["ts"]
    assert "Amazon ECR" in call.params["text"]
    assert call.params["blocks"][0]["type"] == "header"


def test_mention_inside_a_thread_answers_in_that_thread(bot, fake):
    parent = next_ts()
    ok(send_event(bot.events, event_envelope(mention_event("ecs vs eks", thread_ts=parent))))
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == parent


@pytest.mark.parametrize("mention_first", [True, False])
def test_mention_arriving_as_two_events_is_answered_once(bot, fake, mention_first):
    ts = next_ts()
    mention = event_envelope(mention_event("ecs vs eks?", ts=ts))
    message = event_envelope(message_event(f"<@{BOT_USER}> ecs vs eks?", ts=ts))
    for envelope in [mention, message] if mention_first else [message, mention]:
        ok(send_event(bot.events, envelope))
    fake.wait_for("chat.postMessage")
    fake.settle()
    assert len(fake.called("chat.postMessage")) == 1


def test_mention_with_a_screenshot_is_answered_once_in_its_thread(bot, fake):
    """A mention with a file arrives as app_mention and as a file_share message: one answer."""
    ts = next_ts()
    mention = mention_event("is eks harder to learn than ecs? see screenshot", ts=ts)
    mention["files"] = SCREENSHOT
    shared = message_event(
        f"<@{BOT_USER}> is eks harder to learn than ecs? see screenshot",
        ts=ts,
        subtype="file_share",
        files=SCREENSHOT,
        upload=False,
    )
    ok(send_event(bot.events, event_envelope(shared)))
    ok(send_event(bot.events, event_envelope(mention)))
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == ts and "learning curve" in call.params["text"]
    fake.settle()
    assert len(fake.called("chat.postMessage")) == 1
