"""👍/👎 under every answer: a vote is thanked privately, logged and counted without the voter; a malformed or
forged one logs only what it may. (What the votes feed: tests/test_review.py.)"""

import json
import logging

import pytest

from tests.fakes.slack import (
    BOT_DM,
    block_actions,
    command_form,
    event_envelope,
    mention_event,
    message_event,
    send_event,
    send_form,
    send_payload,
)
from tests.helpers import feedback_element, ok, scrape, vote


def test_every_answer_ends_with_feedback_buttons(bot, fake):
    ok(send_event(bot.events, event_envelope(mention_event("ecs vs eks <@U0000ALICE> learning curve"))))
    (call,) = fake.wait_for("chat.postMessage")
    element = feedback_element(call.params["blocks"])
    assert element["positive_button"]["text"]["text"] == "👍"
    assert element["negative_button"]["text"]["text"] == "👎"
    up = json.loads(element["positive_button"]["value"])
    down = json.loads(element["negative_button"]["value"])
    assert (up["v"], down["v"]) == ("up", "down")
    assert up["k"] == "comparison" and up["t"] == ["ecs", "eks"] and 0 < up["c"] <= 1
    assert up["q"] == "ecs vs eks learning curve"  # as the log keeps it: no mentions
    # a slash command's private answer too
    status, body, _ = send_form(bot.events, command_form("what is ecr", fake.response_url()))
    assert status == 200 and json.loads(
        feedback_element(json.loads(body)["blocks"])["positive_button"]["value"]
    )


def test_greetings_get_no_feedback_buttons(bot, fake):
    ok(send_event(bot.events, event_envelope(message_event("hi", channel=BOT_DM, channel_type="im"))))
    (call,) = fake.wait_for("chat.postMessage")
    assert not [b for b in call.params["blocks"] if b["type"] == "context_actions"]


def test_a_vote_is_thanked_privately_logged_and_counted(bot, fake, caplog):
    caplog.set_level(logging.INFO, logger="container_bot.feedback")
    ok(send_event(bot.events, event_envelope(mention_event("how much does ecs cost"))))
    (call,) = fake.wait_for("chat.postMessage")
    element = feedback_element(call.params["blocks"])
    vote(bot, fake, element, "negative")
    (thanks,) = fake.wait_for("response_url")
    assert thanks.params["response_type"] == "ephemeral" and thanks.params["replace_original"] is False
    assert thanks.params["text"].startswith("Thanks, noted")
    (record,) = [r for r in caplog.records if r.getMessage() == "answer feedback"]
    assert record.feedback == "down" and record.kind == "attribute" and record.topics == ["ecs"]
    assert record.question == "how much does ecs cost" and record.confidence > 0
    assert "U0000USER" not in json.dumps({k: str(v) for k, v in vars(record).items()})  # no user id
    vote(bot, fake, element, "negative")  # a double click is one opinion
    vote(bot, fake, element, "positive")
    fake.wait_for("response_url", count=2)
    fake.settle(0.2)
    metrics = scrape(bot)
    assert metrics['container_bot_feedback_total{kind="attribute",value="down"}'] == 1
    assert metrics['container_bot_feedback_total{kind="attribute",value="up"}'] == 1


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        json.dumps({"v": "sideways", "k": "definition", "q": "x"}),
        json.dumps([1, 2]),
    ],
)
def test_a_malformed_vote_is_ignored(bot, fake, caplog, value):
    caplog.set_level(logging.INFO, logger="container_bot.feedback")
    payload = block_actions("answer_feedback", value, fake.response_url(), action_type="feedback_buttons")
    ok(send_payload(bot.events, payload))
    fake.settle(0.2)
    assert fake.called("response_url") == [] and "answer feedback" not in caplog.text


def test_a_forged_vote_logs_only_what_it_may(bot, fake, caplog):
    """The value comes back from Slack, so anyone could have shaped it: an unknown kind is 'unknown' (the
    metric's labels stay bounded), unknown topics are dropped, tokens in the question are masked."""
    caplog.set_level(logging.INFO, logger="container_bot.feedback")
    forged = {
        "v": "down",
        "k": "x" * 300,
        "t": ["ecs", "<!channel>", 7],
        "c": 12,
        "q": "<@U0000BOSS> please xoxb-1111-2222-not-a-real-token " + "y" * 400,
    }
    payload = block_actions(
        "answer_feedback", json.dumps(forged), fake.response_url(), action_type="feedback_buttons"
    )
    ok(send_payload(bot.events, payload))
    fake.wait_for("response_url")
    (record,) = [r for r in caplog.records if r.getMessage() == "answer feedback"]
    assert record.kind == "unknown" and record.topics == ["ecs"] and record.confidence is None
    assert "xoxb-1111" not in record.question and "U0000BOSS" not in record.question
    assert len(record.question) <= 200
    assert scrape(bot)['container_bot_feedback_total{kind="unknown",value="down"}'] == 1
