""" "Share in channel" on a guided-choice result posts it for everyone; from a DM, or once its response_url is
used up, a channel picker opens instead, and every way that can fail reaches the user."""

import json

import pytest

from tests.fakes.slack import BOT_USER, block_actions, send_payload, share_submission
from tests.helpers import KUBERNETES_TEAM, SMALL_AWS_TEAM, code_of, ok


def test_share_in_channel_posts_for_everyone(bot, fake):
    code = " ".join(f"{k}={v}" for k, v in KUBERNETES_TEAM.items())
    ok(send_payload(bot.events, block_actions("share_choice", code, fake.response_url("share"))))
    (call,) = fake.wait_for("response_url")
    assert (
        call.params["response_type"] == "in_channel" and "Recommendation: Amazon EKS" in call.params["text"]
    )
    assert "<@U0000USER>" in json.dumps(call.params["blocks"])  # who shared it


def test_share_in_channel_whose_response_url_is_used_up_offers_the_picker(bot, fake):
    fake.fail("response_url", body={"ok": False, "error": "used_url"})  # HTTP 200, but not taken
    payload = block_actions("share_choice", code_of(SMALL_AWS_TEAM), fake.response_url("old"), ephemeral=True)
    ok(send_payload(bot.events, payload))
    (call,) = fake.wait_for("views.open")
    assert call.params["view"]["callback_id"] == "share_choice_to"


def test_share_from_a_dm_opens_a_channel_picker(bot, fake):
    """In the DM (App Home, or a response_url fallback) "share in channel" would post into the DM itself."""
    payload = block_actions(
        "share_choice", code_of(KUBERNETES_TEAM), fake.response_url("dm"), channel="D0000DM01"
    )
    ok(send_payload(bot.events, payload))
    (call,) = fake.wait_for("views.open")
    view = call.params["view"]
    assert view["callback_id"] == "share_choice_to" and call.params["trigger_id"] == "1337.42.fake-trigger"
    (block,) = view["blocks"]
    assert block["element"]["type"] == "conversations_select"
    assert json.loads(view["private_metadata"])["code"] == code_of(KUBERNETES_TEAM)
    fake.settle()
    assert fake.called("chat.postMessage") == [] and fake.called("response_url") == []


def test_share_picker_posts_the_result_in_the_chosen_channel(bot, fake):
    submission = share_submission("C0000TEAM", {"code": code_of(KUBERNETES_TEAM)})
    status, body, _ = send_payload(bot.events, submission)
    ack = json.loads(body)
    assert (
        status == 200 and ack["response_action"] == "update" and "Sharing in <#C0000TEAM>" in json.dumps(ack)
    )
    (post,) = fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0000TEAM" and "Recommendation: Amazon EKS" in post.params["text"]
    assert "<@U0000USER>" in json.dumps(post.params["blocks"])  # who shared it
    (update,) = fake.wait_for("views.update")
    assert update.params["view_id"] == "VMODAL001" and "Shared in <#C0000TEAM>." in json.dumps(update.params)


def test_share_picker_without_a_channel_asks_for_one(bot, fake):
    status, body, _ = send_payload(bot.events, share_submission(None, {"code": code_of(SMALL_AWS_TEAM)}))
    assert status == 200 and json.loads(body) == {
        "response_action": "errors",
        "errors": {"share_channel": "Pick a channel to share in."},
    }


@pytest.mark.parametrize("channel", ["C0000GONE", "G0000PRIV"])  # public: not_in_channel; private: not found
def test_share_picker_in_a_channel_without_the_bot_says_how_to_invite_it(bot, fake, channel):
    fake.outside.add(channel)
    assert send_payload(bot.events, share_submission(channel, {"code": code_of(SMALL_AWS_TEAM)}))[0] == 200
    (update,) = fake.wait_for("views.update")
    text = json.dumps(update.params["view"])
    assert f"I'm not a member of <#{channel}>" in text and "`/invite`" in text and f"<@{BOT_USER}>" in text


def test_share_picker_slack_refuses_to_open_tells_the_user(bot, fake):
    fake.fail("views.open", body={"ok": False, "error": "expired_trigger_id"})
    payload = block_actions(
        "share_choice", code_of(KUBERNETES_TEAM), fake.response_url("dm"), channel="D0000DM01"
    )
    ok(send_payload(bot.events, payload))
    (told,) = fake.wait_for("response_url")
    assert "couldn't open the channel picker" in told.params["text"]
    assert "expired_trigger_id" in told.params["text"]


def test_share_whose_modal_is_gone_tells_the_user_in_the_dm(bot, fake, channel="C0000GONE"):
    """The post failed and the modal was closed meanwhile: what happened still reaches the user."""
    fake.outside.add(channel)
    fake.fail("views.update", body={"ok": False, "error": "not_found"})
    assert send_payload(bot.events, share_submission(channel, {"code": code_of(SMALL_AWS_TEAM)}))[0] == 200
    posts = fake.wait_for("chat.postMessage", count=2)  # the refused post, then the DM
    (dm,) = [post for post in posts if post.params["channel"] == "U0000USER"]
    assert f"I'm not a member of <#{channel}>" in dm.params["text"]
