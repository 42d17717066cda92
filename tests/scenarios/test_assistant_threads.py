"""Slack's assistant threads (the "Agents & AI Apps" split view) through Bolt's Assistant middleware: greeting
and suggested prompts, a status while working, a title, answers with the thread's context; optional."""

import json

import pytest

from bot.slack.ids import SUGGESTED_PROMPTS
from tests.fakes.slack import (
    BOT_DM,
    assistant_thread_started,
    block_actions,
    event_envelope,
    message_event,
    send_event,
    send_payload,
    socket_envelope,
)
from tests.helpers import ok, scrape, start_bot, start_socket_bot


@pytest.fixture
def deliver(bot):
    return lambda envelope: ok(send_event(bot.events, envelope))


@pytest.fixture(params=["http", "socket"])
def either(request, fake, knowledge):
    """Delivery over HTTP or Socket Mode (the main flow runs over both; the rest over HTTP, to stay fast)."""
    if request.param == "http":
        running = start_bot(fake, knowledge)
        yield lambda envelope: ok(send_event(running.events, envelope))
        running.server.close()
        running.app.container_bot.outbox.shutdown(wait=True)
    else:
        ws, app, handler = start_socket_bot(fake, knowledge)

        def send(envelope):
            socket = socket_envelope("events_api", envelope)
            ws.send(socket)
            ws.ack_for(socket["envelope_id"])

        yield send
        ws.close()  # first: the client then closes in a second instead of three
        handler.close()
        app.container_bot.outbox.shutdown(wait=True)


def open_thread(deliver, fake) -> str:
    started = assistant_thread_started()
    deliver(event_envelope(started))
    fake.wait_for("assistant.threads.setSuggestedPrompts")
    return started["assistant_thread"]["thread_ts"]


def ask(deliver, fake, text: str, thread_ts: str) -> dict:
    before = len(fake.called("chat.postMessage"))
    event = message_event(text, channel=BOT_DM, channel_type="im", thread_ts=thread_ts)
    fake.said(event)
    deliver(event_envelope(event))
    return fake.wait_for("chat.postMessage", before + 1)[before].params


def test_a_new_assistant_thread_is_greeted_with_suggested_prompts(deliver, fake):
    thread_ts = open_thread(deliver, fake)
    (prompts,) = fake.called("assistant.threads.setSuggestedPrompts")
    assert prompts.params["channel_id"] == BOT_DM and prompts.params["thread_ts"] == thread_ts
    assert [p["title"] for p in prompts.params["prompts"]] == [
        "ECS or EKS for us?",
        "What is ECR?",
        "Start the guided choice",
    ]
    assert prompts.params["prompts"] == [dict(p) for p in SUGGESTED_PROMPTS]
    (welcome,) = fake.wait_for("chat.postMessage")
    assert welcome.params["channel"] == BOT_DM and welcome.params["thread_ts"] == thread_ts
    assert "ECS, EKS and ECR" in welcome.params["text"]


def test_messages_in_the_assistant_thread_get_a_status_a_title_and_answers_in_context(either, fake):
    deliver = either
    thread_ts = open_thread(deliver, fake)
    first = ask(deliver, fake, "ECS or EKS for us?", thread_ts)
    assert first["thread_ts"] == thread_ts and first["text"].startswith("ECS or EKS? It depends")
    (status,) = fake.called("assistant.threads.setStatus")
    assert {k: status.params.get(k) for k in ("channel_id", "thread_ts", "status")} == {
        "channel_id": BOT_DM,
        "thread_ts": thread_ts,
        "status": "is looking that up…",
    }
    assert status.at < fake.called("chat.postMessage")[-1].at  # the status shows while it works
    (title,) = fake.called("assistant.threads.setTitle")
    assert title.params["thread_ts"] == thread_ts and title.params["title"].startswith("ECS or EKS?")
    # the follow-up leans on the answer before it, as the store remembers it
    second = ask(deliver, fake, "we already run kubernetes on prem", thread_ts)
    assert second["text"].startswith("Recommendation: Amazon EKS")
    assert second["metadata"]["event_payload"]["situation"]["kubernetes"] == "yes"
    assert fake.called("conversations.replies") == []
    assert len(fake.called("assistant.threads.setStatus")) == 2
    assert len(fake.called("assistant.threads.setTitle")) == 1  # the title is set once


def test_context_changes_are_acknowledged_and_rewrite_nothing(deliver, fake):
    thread_ts = open_thread(deliver, fake)
    deliver(event_envelope(assistant_thread_started(thread_ts, kind="context_changed")))
    fake.settle(0.3)
    assert fake.called("chat.update") == [] and fake.called("conversations.replies") == []


def test_start_the_guided_choice_prompt_offers_the_modal_with_the_situation_so_far(bot, fake, deliver):
    thread_ts = open_thread(deliver, fake)
    ask(deliver, fake, "we are all in on aws and want it simple, ecs or eks?", thread_ts)
    reply = ask(deliver, fake, "Start the guided choice", thread_ts)
    (button,) = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == "start_guided_choice"
    assert button["value"] == "aws_invested=yes simplicity=yes"
    click = block_actions("start_guided_choice", button["value"], fake.response_url(), channel=BOT_DM)
    ok(send_payload(bot.events, click))
    (opened,) = fake.wait_for("views.open")
    # the modal takes what was read as given (asking only what it leaves open)
    selected = json.loads(opened.params["view"]["private_metadata"])["g"]["a"]
    assert selected == {"aws_invested": "yes", "simplicity": "yes"}


def test_without_the_assistant_view_everything_else_still_answers(fake, knowledge):
    """A workspace that has not enabled the assistant (no assistant:write): the status and prompts fail
    quietly (a log line and a metric), the greeting and every answer still arrive."""
    fake.scopes = fake.scopes.replace("assistant:write,", "")
    running = start_bot(fake, knowledge)
    try:
        deliver = lambda envelope: ok(send_event(running.events, envelope))  # noqa: E731
        thread_ts = open_thread(deliver, fake)
        answer = ask(deliver, fake, "What is ECR?", thread_ts)
        assert answer["text"].startswith("Amazon ECR") and answer["thread_ts"] == thread_ts
        metrics = scrape(running)
        assert metrics['container_bot_slack_api_errors_total{method="assistant.threads.setStatus"}'] == 1
        assert (
            metrics['container_bot_slack_api_errors_total{method="assistant.threads.setSuggestedPrompts"}']
            == 1
        )
    finally:
        running.server.close()
        running.app.container_bot.outbox.shutdown(wait=True)


def test_a_plain_dm_thread_is_answered_without_assistant_calls(fake, deliver):
    """Bolt routes every DM thread reply to the Assistant middleware; only real assistant threads (started
    with assistant_thread_started) get a status and a title."""
    answer = ask(deliver, fake, "what is ecr again", "1710000000.000042")
    assert answer["text"].startswith("Amazon ECR") and answer["thread_ts"] == "1710000000.000042"
    assert not [c for c in fake.calls if c.method.startswith("assistant.")]
    assert json.dumps(answer["metadata"])  # and it carries its context like any answer


def test_a_title_from_a_question_carries_no_mention(fake, deliver):
    thread_ts = open_thread(deliver, fake)
    ask(deliver, fake, "<!channel> <@U0000BOSS> @here lunch?", thread_ts)
    (title,) = fake.wait_for("assistant.threads.setTitle")
    assert title.params["title"] == "here lunch?"  # no <!channel>, no user, no @here: plain words
