"""A direct message is answered in the DM, not in a thread: whatever its subtype when a person wrote it, over
HTTP or Socket Mode, and politely when it is not understood or very long."""

import pytest

from tests.fakes.slack import event_envelope, message_event, send_event, socket_envelope
from tests.helpers import SCREENSHOT, ok


def test_dm_answers_in_the_dm(bot, fake):
    event = message_event("what is fargate", channel="D0000DM01", channel_type="im")
    ok(send_event(bot.events, event_envelope(event)))
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "D0000DM01" and "thread_ts" not in call.params
    assert "AWS Fargate" in call.params["text"]


def test_dm_gets_a_polite_fallback_too(bot, fake):
    ok(
        send_event(
            bot.events, event_envelope(message_event("lunch?", channel="D0000DM01", channel_type="im"))
        )
    )
    (call,) = fake.wait_for("chat.postMessage")
    assert "not sure" in call.params["text"]


def test_a_40000_character_dm_gets_a_polite_reply(bot, fake):
    event = message_event("please help " * 3400, channel="D0000DM01", channel_type="im")
    status, _, seconds = send_event(bot.events, event_envelope(event))
    assert status == 200 and seconds < 3
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "D0000DM01" and call.params["text"]


@pytest.mark.parametrize(
    "extra",
    [
        {"subtype": "file_share", "files": SCREENSHOT, "upload": False, "display_as_bot": False},
        {
            "subtype": "thread_broadcast",
            "thread_ts": "1710000000.000300",
            "root": {"ts": "1710000000.000300"},
        },
        {"subtype": "me_message"},
    ],
    ids=["file_share", "thread_broadcast", "me_message"],
)
def test_dm_written_by_a_person_is_answered_whatever_its_subtype(bot, fake, extra):
    event = message_event("what is ecr again", channel="D0000DM01", channel_type="im", **extra)
    ok(send_event(bot.events, event_envelope(event)))
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "D0000DM01" and "Amazon ECR" in call.params["text"]
    assert call.params.get("thread_ts") == extra.get("thread_ts")


def test_socket_mode_dm_with_a_screenshot_is_answered(socket_bot, fake):
    event = message_event(
        "what is ecr again", channel="D0000DM01", channel_type="im", subtype="file_share", files=SCREENSHOT
    )
    envelope = socket_envelope("events_api", event_envelope(event))
    socket_bot.send(envelope)
    socket_bot.ack_for(envelope["envelope_id"])
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "D0000DM01" and "Amazon ECR" in call.params["text"]
