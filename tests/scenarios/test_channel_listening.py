"""In a channel it was invited to, the bot answers a clear question nobody addressed to it, in its thread, and
stays silent on chatter; with CHANNEL_LISTENING off it answers mentions and DMs only."""

import pytest

from tests.fakes.slack import event_envelope, mention_event, message_event, send_event
from tests.helpers import SCREENSHOT, ok, start_bot


def test_clear_channel_question_answered_in_thread(bot, fake):
    event = message_event("ecs or eks?")
    ok(send_event(bot.events, event_envelope(event)))
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == event["ts"] and "/container-choice" in call.params["text"]


def test_channel_question_with_a_screenshot_is_answered_in_thread(bot, fake):
    event = message_event("ecs or eks?", subtype="file_share", files=SCREENSHOT, upload=False)
    ok(send_event(bot.events, event_envelope(event)))
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == event["ts"]


@pytest.mark.parametrize(
    "text", ["lunch?", "hi all", "who is on call for ecs this week", "deploy is done :tada:", "ecs?"]
)
def test_channel_chatter_gets_silence(bot, fake, text):
    ok(send_event(bot.events, event_envelope(message_event(text))))
    fake.settle()
    assert fake.called("chat.postMessage") == []


def test_channel_listening_off_answers_mentions_and_dms_only(fake, knowledge):
    running = start_bot(fake, knowledge, channel_listening=False)
    try:
        ok(send_event(running.events, event_envelope(message_event("ecs or eks?"))))
        mention = mention_event("ecs or eks?")
        ok(send_event(running.events, event_envelope(mention)))
        dm = message_event("what is ecr", channel="D0000DM01", channel_type="im")
        ok(send_event(running.events, event_envelope(dm)))
        fake.wait_for("chat.postMessage", count=2)
        fake.settle()
        calls = fake.called("chat.postMessage")
        assert sorted((c.params["channel"], c.params.get("thread_ts")) for c in calls) == [
            ("C0000CHAN", mention["ts"]),
            ("D0000DM01", None),
        ]
    finally:
        running.server.close()
