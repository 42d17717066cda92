"""The message shortcut answers in the message's thread, or privately where the bot cannot post."""

from tests.fakes.slack import message_action, send_payload
from tests.helpers import ok


def test_message_shortcut_answers_in_the_messages_thread(bot, fake):
    ok(
        send_payload(
            bot.events,
            message_action(
                "hmm is eks harder to learn than ecs?", fake.response_url(), thread_ts="1710000000.000500"
            ),
        )
    )
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == "1710000000.000500" and "learning curve" in call.params["text"]


def test_message_shortcut_outside_the_bots_channels_answers_privately(bot, fake):
    fake.fail("chat.postMessage", body={"ok": False, "error": "not_in_channel"})
    ok(send_payload(bot.events, message_action("what is ecr", fake.response_url("short"))))
    (call,) = fake.wait_for("response_url")
    assert call.params["response_type"] == "ephemeral" and "Amazon ECR" in call.params["text"]


def test_message_shortcut_private_answer_says_nothing_of_the_original(bot, fake):
    """Unlike a click's private answer (replace_original false), the shortcut's names no original message."""
    fake.fail("chat.postMessage", body={"ok": False, "error": "not_in_channel"})
    ok(send_payload(bot.events, message_action("what is ecr", fake.response_url("short"))))
    (call,) = fake.wait_for("response_url")
    assert "replace_original" not in call.params and call.params["response_type"] == "ephemeral"


def test_message_shortcut_says_who_asked(bot, fake):
    """Posted in someone else's thread, the answer names the person who used the shortcut."""
    ok(
        send_payload(
            bot.events, message_action("what is ecr", fake.response_url(), thread_ts="1710000000.000700")
        )
    )
    (call,) = fake.wait_for("chat.postMessage")
    context = [b for b in call.params["blocks"] if b["type"] == "context"][0]
    (element,) = context["elements"]
    assert element["text"].endswith("> asked about this message:") and element["text"].startswith("<@U")
