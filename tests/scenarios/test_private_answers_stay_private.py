"""A click on a private (ephemeral) answer is answered privately, and so is a click where the bot cannot post
(a channel it is not in, a DM between other people): never a post the channel sees."""

import pytest

from tests.fakes.slack import block_actions, send_payload, socket_envelope
from tests.helpers import ok, scrape


def test_compare_click_on_a_private_answer_answers_privately(bot, fake):
    """A slash command's answer is ephemeral: a click on it must not turn into a post the channel sees."""
    url = fake.response_url("private")
    ok(send_payload(bot.events, block_actions("compare_services", "ecs vs eks", url, ephemeral=True)))
    (call,) = fake.wait_for("response_url")
    assert call.params["_url"].endswith("/private") and call.params["response_type"] == "ephemeral"
    assert call.params["replace_original"] is False and call.params["text"].startswith(
        "Amazon ECS vs Amazon EKS"
    )
    fake.settle()
    assert fake.called("chat.postMessage") == []


def test_did_you_mean_click_on_a_private_answer_replaces_it(bot, fake):
    payload = block_actions("suggestion_0", "What is Amazon EKS?", fake.response_url(), ephemeral=True)
    ok(send_payload(bot.events, payload))
    (call,) = fake.wait_for("response_url")
    assert call.params["response_type"] == "ephemeral" and call.params["replace_original"] is True
    assert "Amazon EKS" in call.params["text"]
    fake.settle()
    assert fake.called("chat.postMessage") == []


@pytest.mark.parametrize(
    "channel, error",
    [("C0000GONE", "not_in_channel"), ("D0000PEER", "channel_not_found")],  # not invited; a DM of two people
)
def test_click_where_the_bot_cannot_post_is_answered_privately(bot, fake, channel, error):
    fake.outside.add("C0000GONE")
    payload = block_actions("compare_services", "ecs vs eks", fake.response_url("fallback"), channel=channel)
    ok(send_payload(bot.events, payload))
    (call,) = fake.wait_for("response_url")
    (refused,) = fake.called("chat.postMessage")
    assert refused.params["channel"] == channel
    assert call.params["response_type"] == "ephemeral" and call.params["replace_original"] is False
    assert call.params["text"].startswith("Amazon ECS vs Amazon EKS")
    assert scrape(bot)['container_bot_slack_api_errors_total{method="chat.postMessage"}'] == 1


def test_socket_mode_click_on_a_private_answer_answers_privately(socket_bot, fake):
    envelope = socket_envelope(
        "interactive", block_actions("compare_services", "ecs vs eks", fake.response_url(), ephemeral=True)
    )
    socket_bot.send(envelope)
    socket_bot.ack_for(envelope["envelope_id"])
    (call,) = fake.wait_for("response_url")
    assert call.params["response_type"] == "ephemeral" and "Amazon ECS vs Amazon EKS" in call.params["text"]
    fake.settle()
    assert fake.called("chat.postMessage") == []
