"""The Slack app end to end: signed requests shaped like Slack's, a real server, a fake Slack Web API."""

import json
import logging
import time

import pytest

from tests.fakes.slack import (
    BOT_ID,
    BOT_USER,
    TEAM,
    block_actions,
    command_form,
    event_envelope,
    home_opened,
    mention_event,
    message_action,
    message_event,
    next_ts,
    send_event,
    send_form,
    send_payload,
    share_submission,
    socket_envelope,
    view_submission,
)
from tests.helpers import KUBERNETES_TEAM, SCREENSHOT, SMALL_AWS_TEAM, code_of, ok, scrape, start_bot

# ------------------------------------------------------------------------------------- where it answers


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


def test_clear_channel_question_answered_in_thread(bot, fake):
    event = message_event("ecs or eks?")
    ok(send_event(bot.events, event_envelope(event)))
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == event["ts"] and "/container-choice" in call.params["text"]


@pytest.mark.parametrize(
    "text", ["lunch?", "hi all", "who is on call for ecs this week", "deploy is done :tada:", "ecs?"]
)
def test_channel_chatter_gets_silence(bot, fake, text):
    ok(send_event(bot.events, event_envelope(message_event(text))))
    fake.settle()
    assert fake.called("chat.postMessage") == []


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


@pytest.mark.parametrize(
    "extra",
    [
        {"user": BOT_USER},
        {"bot_id": BOT_ID},
        {"bot_id": "BOTHER0001", "subtype": "bot_message"},
        {"subtype": "message_changed"},
        {"subtype": "message_deleted"},
        {"subtype": "channel_join"},
        {"subtype": "channel_topic"},
        {"subtype": "file_share", "bot_id": "BOTHER0001"},  # a bot sharing a file
    ],
)
def test_never_answers_itself_bots_edits_or_joins(bot, fake, extra):
    event = message_event("what is ecs", channel="D0000DM01", channel_type="im")
    event.update(extra)
    ok(send_event(bot.events, event_envelope(event)))
    fake.settle()
    assert fake.called("chat.postMessage") == []


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


def test_socket_mode_dm_with_a_screenshot_is_answered(socket_bot, fake):
    event = message_event(
        "what is ecr again", channel="D0000DM01", channel_type="im", subtype="file_share", files=SCREENSHOT
    )
    envelope = socket_envelope("events_api", event_envelope(event))
    socket_bot.send(envelope)
    socket_bot.ack_for(envelope["envelope_id"])
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "D0000DM01" and "Amazon ECR" in call.params["text"]


def test_channel_question_with_a_screenshot_is_answered_in_thread(bot, fake):
    event = message_event("ecs or eks?", subtype="file_share", files=SCREENSHOT, upload=False)
    ok(send_event(bot.events, event_envelope(event)))
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == event["ts"]


def test_unhandled_event_types_are_acknowledged(bot, fake):
    result = ok(
        send_event(
            bot.events,
            event_envelope(
                {
                    "type": "reaction_added",
                    "user": "U1",
                    "reaction": "eyes",
                    "item": {"type": "message", "channel": "C1", "ts": "1.1"},
                    "event_ts": "1.2",
                }
            ),
        )
    )
    assert result[0] == 200


def test_url_verification_echoes_the_challenge(bot):
    status, body, _ = send_event(
        bot.events, {"token": "x", "challenge": "abc123", "type": "url_verification"}
    )
    assert status == 200 and "abc123" in body


# ----------------------------------------------------------------------------------------- the answer


def test_answer_is_block_kit_with_buttons_and_a_plain_fallback(bot, fake):
    ok(send_event(bot.events, event_envelope(mention_event("ecs vs eks learning curve"))))
    (call,) = fake.wait_for("chat.postMessage")
    blocks = call.params["blocks"]
    kinds = [b["type"] for b in blocks]
    assert kinds[0] == "header" and "actions" in kinds and "context" in kinds
    fields = [f["text"] for b in blocks if b.get("fields") for f in b["fields"]]
    assert any("lower learning curve" in f for f in fields) and any("steeper" in f for f in fields)
    buttons = [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert {"Compare ECS and EKS", "Start guided choice", "Why this answer?"} <= set(buttons)
    context = " ".join(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])
    assert "docs.aws.amazon.com" in context and "confidence" in context
    assert call.params["text"].startswith("Amazon ECS vs Amazon EKS: learning curve")


def test_why_this_answer_is_shown_only_to_the_clicker(bot, fake):
    url = fake.response_url("why")
    ok(send_payload(bot.events, block_actions("why_this_answer", "ecs vs eks lerning curve", url)))
    (call,) = fake.wait_for("response_url")
    assert call.params["response_type"] == "ephemeral" and call.params["replace_original"] is False
    assert "learning curve" in call.params["text"] and "threshold" in call.params["text"]
    assert "lerning curve" in call.params["text"]  # the words it matched, with their score


def test_did_you_mean_button_answers_the_suggestion_in_thread(bot, fake):
    ok(
        send_payload(
            bot.events,
            block_actions(
                "suggestion_0", "What is Amazon EKS?", fake.response_url(), thread_ts="1710000000.000100"
            ),
        )
    )
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == "1710000000.000100" and "Amazon EKS" in call.params["text"]


def test_unsure_answer_offers_clickable_suggestions(bot, fake):
    ok(send_event(bot.events, event_envelope(mention_event("who owns the eks cluster in staging?"))))
    (call,) = fake.wait_for("chat.postMessage")
    actions = [e for b in call.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions[0]["action_id"] == "suggestion_0" and actions[0]["value"] == "What is Amazon EKS?"


def test_compare_button_posts_the_comparison(bot, fake):
    ok(send_payload(bot.events, block_actions("compare_services", "ecs vs eks", fake.response_url())))
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["text"].startswith("Amazon ECS vs Amazon EKS")


# ------------------------------------------------------------------------------ private answers stay private


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


# ------------------------------------------------------------------------------------ the guided choice


def test_container_choice_opens_the_guided_choice(bot, fake):
    status, body, seconds = send_form(bot.events, command_form("", fake.response_url("cmd")))
    assert status == 200 and seconds < 3
    (call,) = fake.wait_for("views.open")
    view = call.params["view"]
    assert call.params["trigger_id"] == "1337.42.fake-trigger" and view["callback_id"] == "guided_choice"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == list(KUBERNETES_TEAM)
    assert json.loads(view["private_metadata"])["response_url"].endswith("/response/cmd")


def test_start_button_opens_the_guided_choice(bot, fake):
    ok(send_payload(bot.events, block_actions("start_guided_choice", "start", fake.response_url())))
    assert fake.wait_for("views.open")


def choose(bot, fake, answers):
    metadata = {"response_url": fake.response_url("result"), "channel": "C0000CHAN"}
    status, body, seconds = send_payload(bot.events, view_submission(answers, metadata))
    assert status == 200 and seconds < 3
    (private,) = fake.wait_for("response_url")
    return json.loads(body), private.params


def test_guided_choice_kubernetes_team_ends_at_eks(bot, fake):
    ack, private = choose(bot, fake, KUBERNETES_TEAM)
    assert ack["response_action"] == "update"
    assert ack["view"]["blocks"][0]["text"]["text"] == "Recommendation: Amazon EKS"
    assert private["response_type"] == "ephemeral" and "Recommendation: Amazon EKS" in private["text"]
    assert "already run Kubernetes" in private["text"] and "ECS would fit better if" in private["text"]
    assert "Amazon ECR" in private["text"]
    share = [e for b in private["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert share[0]["action_id"] == "share_choice" and share[0]["value"].startswith("kubernetes=yes")


def test_guided_choice_small_aws_team_ends_at_ecs(bot, fake):
    ack, private = choose(bot, fake, SMALL_AWS_TEAM)
    assert "Recommendation: Amazon ECS" in private["text"]
    assert "lower learning curve" in private["text"] and "EKS would fit better if" in private["text"]


def test_guided_choice_from_app_home_lands_in_the_dm(bot, fake):
    status, body, _ = send_payload(bot.events, view_submission(SMALL_AWS_TEAM, {"user": "U0000USER"}))
    assert status == 200
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "U0000USER" and "Recommendation: Amazon ECS" in call.params["text"]


def test_guided_choice_asks_again_for_a_missing_answer(bot, fake):
    partial = dict(SMALL_AWS_TEAM)
    del partial["cost"]
    status, body, _ = send_payload(bot.events, view_submission(partial, {}))
    assert status == 200 and json.loads(body) == {
        "response_action": "errors",
        "errors": {"cost": "Please pick an answer."},
    }


def test_share_in_channel_posts_for_everyone(bot, fake):
    code = " ".join(f"{k}={v}" for k, v in KUBERNETES_TEAM.items())
    ok(send_payload(bot.events, block_actions("share_choice", code, fake.response_url("share"))))
    (call,) = fake.wait_for("response_url")
    assert (
        call.params["response_type"] == "in_channel" and "Recommendation: Amazon EKS" in call.params["text"]
    )
    assert "<@U0000USER>" in json.dumps(call.params["blocks"])  # who shared it


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


def test_share_picker_without_a_channel_asks_for_one(bot, fake):
    status, body, _ = send_payload(bot.events, share_submission(None, {"code": code_of(SMALL_AWS_TEAM)}))
    assert status == 200 and json.loads(body) == {
        "response_action": "errors",
        "errors": {"share_channel": "Pick a channel to share in."},
    }


def test_share_in_channel_whose_response_url_is_used_up_offers_the_picker(bot, fake):
    fake.fail("response_url", body={"ok": False, "error": "used_url"})  # HTTP 200, but not taken
    payload = block_actions("share_choice", code_of(SMALL_AWS_TEAM), fake.response_url("old"), ephemeral=True)
    ok(send_payload(bot.events, payload))
    (call,) = fake.wait_for("views.open")
    assert call.params["view"]["callback_id"] == "share_choice_to"


def test_guided_choice_result_whose_response_url_answers_not_ok_lands_in_the_dm(bot, fake):
    fake.fail("response_url", body={"ok": False, "error": "expired_url"})  # HTTP 200, but not taken
    metadata = {"response_url": fake.response_url("result"), "channel": "C0000CHAN"}
    assert send_payload(bot.events, view_submission(SMALL_AWS_TEAM, metadata))[0] == 200
    (dm,) = fake.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U0000USER" and "Recommendation: Amazon ECS" in dm.params["text"]


def test_container_choice_help(bot, fake):
    status, body, _ = send_form(bot.events, command_form("help", fake.response_url()))
    assert status == 200 and "answer code" in body and "guided choice" in body


def test_container_choice_with_a_question_answers_it(bot, fake):
    status, body, _ = send_form(bot.events, command_form("ecs vs eks", fake.response_url()))
    answer = json.loads(body)
    assert status == 200 and answer["text"].startswith("Amazon ECS vs Amazon EKS")


def test_container_choice_replays_an_answer_code(bot, fake):
    code = " ".join(f"{k}={v}" for k, v in SMALL_AWS_TEAM.items())
    status, body, _ = send_form(bot.events, command_form(code, fake.response_url()))
    assert status == 200 and "Recommendation: Amazon ECS" in json.loads(body)["text"]


def test_container_choice_explains_a_bad_code(bot, fake):
    status, body, _ = send_form(bot.events, command_form("kubernetes=maybe", fake.response_url()))
    assert status == 200 and "kubernetes takes yes/no" in body


# ------------------------------------------------------------------------------- App Home and shortcut


def test_app_home_shows_what_the_bot_does(bot, fake):
    ok(send_event(bot.events, event_envelope(home_opened("home"))))
    (call,) = fake.wait_for("views.publish")
    view = call.params["view"]
    assert call.params["user_id"] == "U0000USER" and view["type"] == "home"
    assert any(
        e.get("action_id") == "start_guided_choice"
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )


def test_app_home_is_built_once_per_knowledge_and_anew_after_a_reload(bot, fake, knowledge, tmp_path):
    from bot.knowledge import load_knowledge
    from bot.slack.runtime import Loaded
    from tests.helpers import KNOWLEDGE, write_knowledge

    deps = bot.app.container_bot
    for expected in (1, 2):
        ok(send_event(bot.events, event_envelope(home_opened("home"))))
        fake.wait_for("views.publish", expected)
    first, second = (c.params["view"] for c in fake.called("views.publish"))
    assert first == second and deps.loaded.home_view is deps.loaded.home_view
    renamed = KNOWLEDGE.read_text(encoding="utf-8").replace(
        "name: Amazon ECR\n", "name: Amazon ECR Registry\n"
    )
    path = write_knowledge(tmp_path / "knowledge.yaml", renamed)
    deps.loaded = Loaded(load_knowledge(path), deps.engine, deps.loaded.version + 1)  # as a reload swaps it
    ok(send_event(bot.events, event_envelope(home_opened("home"))))
    third = fake.wait_for("views.publish", 3)[2].params["view"]
    assert "Amazon ECR Registry" in json.dumps(third) and "Amazon ECR Registry" not in json.dumps(first)


def test_messages_tab_does_not_publish_home(bot, fake):
    ok(send_event(bot.events, event_envelope(home_opened("messages"))))
    fake.settle()
    assert fake.called("views.publish") == []


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


# ---------------------------------------------------------------------------------- event rate limits


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


# -------------------------------------------------------------------------------------- HTTP basics


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


def test_message_shortcut_private_answer_says_nothing_of_the_original(bot, fake):
    """Unlike a click's private answer (replace_original false), the shortcut's names no original message."""
    fake.fail("chat.postMessage", body={"ok": False, "error": "not_in_channel"})
    ok(send_payload(bot.events, message_action("what is ecr", fake.response_url("short"))))
    (call,) = fake.wait_for("response_url")
    assert "replace_original" not in call.params and call.params["response_type"] == "ephemeral"
