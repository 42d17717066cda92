"""👍/👎 under every answer, and `container-bot review`, the maintainer's to-do list the votes feed."""

import json
import logging
import subprocess

import pytest

from tests.fakes.process import installed_command
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

EXE = installed_command()


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


# ------------------------------------------------------------------------------------------ review


@pytest.mark.skipif(EXE is None, reason="container-bot is not installed (pip install .)")
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_review_lists_what_to_teach_from_a_serve_log(fake, tmp_path, log_format):
    """A real `serve` writes the log: unanswered questions, votes on answers; `review` groups them, most
    frequent first, each with the examples.yaml edit to make."""
    from tests.fakes.process import Served, env_for

    served = Served(env_for(fake, PORT="0", LOG_FORMAT=log_format), "--http")
    try:
        port = served.wait_line(r"listening on http://[\d.]+:(\d+)").group(1)
        url = f"http://127.0.0.1:{port}/slack/events"
        bot = type("Bot", (), {"events": url})
        unanswered = ["how do i push an image to ecr", "how do I push images to ECR?", "how to push to ecr"]
        for text in [*unanswered, "where is the offsite this year"]:
            ok(send_event(url, event_envelope(message_event(text, channel=BOT_DM, channel_type="im"))))
        ok(send_event(url, event_envelope(mention_event("what about ecs cost"))))
        answers = fake.wait_for("chat.postMessage", count=5)
        # read as a definition: a wrong answer, which two people mark 👎
        (answer,) = [c for c in answers if c.params["text"].startswith("Amazon ECS (")]
        element = feedback_element(answer.params["blocks"])
        vote(bot, fake, element, "negative", user="U0000ANNA")
        vote(bot, fake, element, "negative", user="U0000BORIS")
        vote(bot, fake, element, "positive", user="U0000CARL")
        fake.wait_for("response_url", count=3)
        for _ in range(3):
            served.wait_line("answer feedback")
    finally:
        served.stop()
    log = tmp_path / "bot.log"
    log.write_text("".join(served.log))
    assert "U0000ANNA" not in log.read_text()  # votes are anonymous
    result = subprocess.run([EXE, "review", str(log)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    assert lines[0] == ("4 unanswered questions in 2 groups; 2 down-voted answers in 1 group; 1 up-vote"), out
    groups = [line.split("  ") for line in lines if line[:7].strip().isdigit()]
    counts = [(line.split()[0], line.split()[1]) for line in lines if line[:7].strip().isdigit()]
    assert counts == [("3", "unanswered"), ("2", "down-voted"), ("1", "unanswered")], out
    assert len(groups) == 3
    first = out.split("\n\n")[1]
    assert "how do i push an image to ecr" in first and "(+2 similar)" in first
    assert "about ecr" in first and "- kind: " in first and "topics: [ecr]" in first
    assert '- "how do i push an image to ecr"' in first
    down = out.split("\n\n")[2]
    assert "what about ecs cost" in down and "answered as a definition" in down
    assert "probably asking for an attribute about ecs" in down and "- kind: attribute" in down
    # the old name still works
    alias = subprocess.run([EXE, "unanswered", str(log)], capture_output=True, text=True, timeout=60)
    assert alias.returncode == 0 and alias.stdout == out
