"""Thread follow-ups end to end: every answer carries its context as message metadata, the fake Slack stores
it and returns it from conversations.replies, and a reply in the bot's thread is read in its light, over HTTP
and over Socket Mode. No state on the server beyond which threads the bot answered in."""

import json

import pytest

from tests.fakes.slack import (
    BOT_DM,
    next_ts,
    send_event,
    socket_envelope,
)
from tests.helpers import Chat, bot_answer_with, payload_of, start_bot, start_socket_bot


@pytest.fixture(params=["http", "socket"])
def chat(request, fake, knowledge):
    if request.param == "http":
        running = start_bot(fake, knowledge)

        def deliver(envelope):
            status, _, seconds = send_event(running.events, envelope)
            assert status == 200 and seconds < 3

        yield Chat(fake, deliver)
        running.server.close()
        running.app.container_bot.outbox.shutdown(wait=True)
    else:
        ws, app, handler = start_socket_bot(fake, knowledge)

        def deliver(envelope):
            socket = socket_envelope("events_api", envelope)
            ws.send(socket)
            ws.ack_for(socket["envelope_id"])

        yield Chat(fake, deliver)
        ws.close()  # first: the client then closes in a second instead of three
        handler.close()
        app.container_bot.outbox.shutdown(wait=True)


@pytest.fixture
def http_chat(fake, knowledge):
    running = start_bot(fake, knowledge)
    yield Chat(fake, lambda envelope: send_event(running.events, envelope)), running
    running.server.close()
    running.app.container_bot.outbox.shutdown(wait=True)


def buttons(reply: dict) -> dict[str, str]:
    return {
        e["action_id"]: e.get("value")
        for b in reply["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }


# ---------------------------------------------------------------------------- the scripted conversation

# One thread, nine messages: a mention starts it, every reply after needs no mention, and each is read in the
# light of the bot's latest answer there. (message, title of the answer, or None for silence)
CONVERSATION = [
    ("ecs or eks?", "ECS or EKS? It depends on your situation"),
    ("small team, all in on aws", "Recommendation: Amazon ECS"),
    ("why?", "Why Amazon ECS"),
    ("what about cost?", "Amazon ECS vs Amazon EKS: cost"),
    ("and the learning curve?", "Amazon ECS vs Amazon EKS: learning curve"),
    ("we also need windows containers", "Recommendation: Amazon ECS"),
    ("what is fargate?", "AWS Fargate"),
    ("and ecr?", "Amazon ECR (Amazon Elastic Container Registry)"),
    ("lunch at noon, anyone?", None),  # people talking in the bot's thread: not for the bot
]


def test_scripted_conversation_in_one_thread(chat, fake):
    replies = []
    root = None
    for i, (text, title) in enumerate(CONVERSATION):
        reply = chat.say(text, thread_ts=root, mention=i == 0, silence=title is None)
        root = root or chat.last_event["ts"]
        if title is None:
            assert reply is None, (text, reply and reply["text"])
            continue
        assert reply is not None, text
        assert reply["text"].splitlines()[0] == title, (text, reply["text"])
        assert reply["thread_ts"] == root
        replies.append((text, reply))
    first, decided, why, cost, curve, windows, fargate, ecr = (r for _, r in replies)
    # 1: an open choice offers the one or two questions that would settle it
    assert "decide_kubernetes_yes" in buttons(first) and payload_of(first) == {
        "kind": "recommendation",
        "topics": ["ecs", "eks"],
        "choice": True,
    }
    # 2: the situation read from the reply decides it, and the guided choice would open with it
    assert payload_of(decided)["situation"] == {"aws_invested": "yes", "simplicity": "yes"}
    assert payload_of(decided)["recommendation"] == "ecs"
    assert buttons(decided)["start_guided_choice"] == "aws_invested=yes simplicity=yes"
    # 3: "why?" explains that recommendation with its reasons
    assert "Why" in why["text"] and "AWS" in why["text"]
    # 4, 5: an attribute alone asks it of the previous topics; the choice under way travels along
    assert payload_of(cost)["attribute"] == "cost" and payload_of(cost)["situation"] == {
        "aws_invested": "yes",
        "simplicity": "yes",
    }
    assert payload_of(curve)["attribute"] == "learning_curve"
    # 6: more of the situation decides again, though two comparisons came since
    assert payload_of(windows)["situation"] == {"aws_invested": "yes", "simplicity": "yes", "windows": "yes"}
    assert "Windows" in windows["text"]
    # 7, 8: a question of its own, then "and ecr?" asks the same kind of question about ECR
    assert payload_of(fargate)["topics"] == ["fargate"] and payload_of(ecr)["topics"] == ["ecr"]
    # every reply leaned on the context the store remembers: nothing was read back from Slack
    assert fake.called("conversations.replies") == []


def test_a_thread_known_only_from_slack_is_read_back_once(http_chat, fake):
    """A thread whose context only Slack has (answered by an earlier version, or forgotten by the store): the
    reply reads it back, once, with the metadata, from the bot's latest answer on; the answer to that reply is
    remembered, so the next one reads nothing."""
    chat, running = http_chat
    root = bot_answer_with(fake, {"kind": "comparison", "topics": ["ecs", "eks"]})
    answer_ts = fake.messages[-1]["ts"]
    running.app.container_bot.memory.answered("C0000CHAN", root, answer_ts)
    reply = chat.say("what about cost?", thread_ts=root)
    assert reply["text"].startswith("Amazon ECS vs Amazon EKS: cost")
    (read,) = fake.called("conversations.replies")
    assert read.params["include_all_metadata"] in (True, "true", "1")
    assert (
        read.params["ts"] == root and int(read.params["limit"]) <= 10 and read.params["oldest"] == answer_ts
    )
    reply = chat.say("and the learning curve?", thread_ts=root)
    assert reply["text"].startswith("Amazon ECS vs Amazon EKS: learning curve")
    assert len(fake.called("conversations.replies")) == 1


def test_the_thread_is_read_only_where_the_bot_answered(http_chat, fake):
    chat, _ = http_chat
    root = next_ts()
    assert chat.say("what about cost?", thread_ts=root, silence=True) is None  # someone else's thread
    assert chat.say("why?", thread_ts=root, silence=True) is None
    assert fake.called("conversations.replies") == []
    reply = chat.say("what about cost?", silence=True)  # a top-level message: the existing rules, no read
    assert reply is None and fake.called("conversations.replies") == []


def test_a_reply_naming_a_colleague_is_left_to_them(http_chat, fake):
    chat, _ = http_chat
    chat.say("ecs vs eks", mention=True)
    root = chat.last_event["ts"]
    assert chat.say("<@U0000ALICE> what about cost?", thread_ts=root, silence=True) is None
    reply = chat.say("what about cost?", thread_ts=root)
    assert reply["text"].startswith("Amazon ECS vs Amazon EKS: cost")


def test_a_mention_in_the_thread_uses_its_context_too(http_chat, fake):
    chat, _ = http_chat
    chat.say("ecs vs eks", mention=True)
    root = chat.last_event["ts"]
    reply = chat.say("what about the learning curve?", thread_ts=root, mention=True)
    assert reply["text"].startswith("Amazon ECS vs Amazon EKS: learning curve")


def test_with_channel_listening_off_a_follow_up_needs_a_mention(fake, knowledge):
    running = start_bot(fake, knowledge, channel_listening=False)
    chat = Chat(fake, lambda envelope: send_event(running.events, envelope))
    try:
        chat.say("ecs or eks?", mention=True)
        root = chat.last_event["ts"]
        assert chat.say("we already run kubernetes on prem", thread_ts=root, silence=True) is None
        reply = chat.say("we already run kubernetes on prem", thread_ts=root, mention=True)
        assert reply["text"].startswith("Recommendation: Amazon EKS")
    finally:
        running.server.close()
        running.app.container_bot.outbox.shutdown(wait=True)


def test_dm_is_one_conversation(http_chat, fake):
    chat, _ = http_chat
    first = chat.say("ecs or eks?", channel=BOT_DM, channel_type="im")
    assert "thread_ts" not in first or first["thread_ts"] is None
    reply = chat.say("we already run kubernetes on prem", channel=BOT_DM, channel_type="im")
    assert reply["text"].startswith("Recommendation: Amazon EKS")
    assert fake.called("conversations.history") == []  # remembered


def test_a_dm_known_only_from_slack_is_read_with_history(http_chat, fake):
    chat, running = http_chat
    bot_answer_with(
        fake, {"kind": "recommendation", "topics": ["ecs", "eks"], "choice": True}, BOT_DM, top=True
    )
    answer_ts = fake.messages[-1]["ts"]
    running.app.container_bot.memory.answered(BOT_DM, None, answer_ts)
    reply = chat.say("we already run kubernetes on prem", channel=BOT_DM, channel_type="im")
    assert reply["text"].startswith("Recommendation: Amazon EKS")
    (read,) = fake.called("conversations.history")
    assert read.params["channel"] == BOT_DM and read.params["oldest"] == answer_ts


# ---------------------------------------------------------------------------- untrusted metadata


@pytest.mark.parametrize(
    "payload, who",
    [
        (
            {"kind": "comparison", "topics": ["ecs", "eks"], "attribute": "cost"},
            {"user": "U0000MALLORY", "bot_id": None},
        ),
        (
            {"kind": "comparison", "topics": ["ecs", "eks"], "attribute": "cost"},
            {"bot_id": "BOTHER0001", "user": "UOTHER"},
        ),
        ({"kind": "comparison", "topics": "ecs"}, {}),
        ({"kind": "delete_everything", "topics": ["ecs"]}, {}),
        ({"kind": "comparison", "topics": ["<!channel>", "nope"]}, {}),
        ("not an object", {}),
        (
            {
                "kind": "recommendation",
                "situation": {"windows": "yes<script>", "nope": "yes"},
                "choice": True,
            },
            {},
        ),
    ],
    ids=[
        "a person's message",
        "another bot's",
        "topics not a list",
        "unknown kind",
        "unknown topics",
        "not an object",
        "answers no criterion has",
    ],
)
def test_metadata_read_back_is_untrusted(http_chat, fake, payload, who):
    """Only the bot's own messages speak for it, and only with what the knowledge has: anything else is
    ignored, and the reply is read on its own (an attribute alone names no topic: silence)."""
    chat, running = http_chat
    root = bot_answer_with(fake, payload, **who)
    running.app.container_bot.memory.answered("C0000CHAN", root, fake.messages[-1]["ts"])
    explains = isinstance(payload, dict) and payload.get("kind") == "recommendation"
    reply = chat.say("why?", thread_ts=root, silence=not explains)
    assert len(fake.called("conversations.replies")) == 1
    assert (reply is not None) == explains
    if reply is not None:  # a recommendation with nothing valid in it still explains the trade-off
        assert "<script>" not in json.dumps(reply) and "nope" not in json.dumps(reply.get("metadata"))
        assert payload_of(reply).get("situation") is None


def test_a_thread_that_cannot_be_read_is_answered_on_its_own(http_chat, fake):
    chat, running = http_chat
    root = bot_answer_with(fake, {"kind": "comparison", "topics": ["ecs", "eks"]})  # known only from Slack
    running.app.container_bot.memory.answered("C0000CHAN", root, fake.messages[-1]["ts"])
    fake.fail("conversations.replies", times=5, body={"ok": False, "error": "ratelimited"})
    reply = chat.say("what is ecr?", thread_ts=root)  # a question of its own still gets its answer
    assert reply["text"].startswith("Amazon ECR")
    from tests.helpers import scrape

    metrics = scrape(running)
    assert metrics['container_bot_thread_reads_total{outcome="error"}'] >= 1
    assert metrics['container_bot_slack_api_errors_total{method="conversations.replies"}'] >= 1


# ---------------------------------------------------------------------------- any replica answers


def test_any_replica_answers_the_follow_up_through_redis(fake, knowledge, redis_url):
    """Replica A answers in the thread; the follow-up lands on replica B, which knows the thread from Redis
    and its context from Slack."""
    from bot.slack.store import RedisStore

    replicas = [start_bot(fake, knowledge, store=RedisStore(redis_url)) for _ in range(2)]
    try:
        chats = [Chat(fake, lambda envelope, r=r: send_event(r.events, envelope)) for r in replicas]
        chats[0].say("ecs or eks?", mention=True)
        root = chats[0].last_event["ts"]
        reply = chats[1].say("we already run kubernetes on prem", thread_ts=root)
        assert reply["text"].startswith("Recommendation: Amazon EKS")
        assert payload_of(reply)["situation"]["kubernetes"] == "yes"
        reply = chats[0].say("why?", thread_ts=root)
        assert reply["text"].startswith("Why Amazon EKS")
    finally:
        for running in replicas:
            running.server.close()
            running.app.container_bot.outbox.shutdown(wait=True)


def test_talk_the_bot_overhears_is_never_logged(http_chat, fake, caplog):
    """Colleagues talking in a channel or in the bot's thread are not unanswered questions: their words stay
    out of the log (a mention or a DM the bot cannot answer is logged, for `container-bot review`)."""
    import logging

    caplog.set_level(logging.INFO, logger="container_bot")
    chat, _ = http_chat
    chat.say("ecs vs eks", mention=True)
    root = chat.last_event["ts"]
    assert chat.say("lunch at noon, anyone?", thread_ts=root, silence=True) is None
    assert chat.say("the deploy is done, nice work team", silence=True) is None
    chat.say("where is the offsite this year", channel=BOT_DM, channel_type="im")
    logged = [r.question for r in caplog.records if hasattr(r, "question")]
    assert logged == ["where is the offsite this year"]


def test_a_reply_in_a_dm_thread_under_the_bots_answer_keeps_the_dms_context(http_chat, fake):
    """In a DM the bot answers at the top; someone replies in a thread under that answer: the DM's context
    carries into the thread (and the thread then goes on with its own)."""
    chat, _ = http_chat
    first = chat.say("we run kubernetes on prem, ecs or eks?", channel=BOT_DM, channel_type="im")
    assert first["text"].startswith("Recommendation: Amazon EKS")
    answer_ts = fake.posted(BOT_DM)[-1]["ts"]
    why = chat.say("why?", channel=BOT_DM, channel_type="im", thread_ts=answer_ts)
    assert why["text"].startswith("Why Amazon EKS") and why["thread_ts"] == answer_ts
    more = chat.say("we also need windows containers", channel=BOT_DM, channel_type="im", thread_ts=answer_ts)
    assert {"kubernetes": "yes", "windows": "yes"}.items() <= payload_of(more)["situation"].items()
