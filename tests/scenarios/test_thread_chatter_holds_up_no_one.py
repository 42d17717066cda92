"""Chatter in one of the bot's threads holds up no one: with Slack's read budget for conversations.replies
exhausted (429, Retry-After: 10), 40 "lol" replies in that thread, then an unrelated DM, answered within 5 s,
and a question in the unreadable thread, answered on its own. Reading a thread back never waits out a 429:
the read is given up at once and not tried again until the Retry-After has passed. (It used to be retried on
the shared reply lane: the DM was answered after 61 s.)"""

import time

import pytest

from tests.fakes.slack import BOT_DM, event_envelope, message_event, send_event
from tests.helpers import Chat, bot_answer_with, ok, scrape, start_bot

CHATTER = 40
BOUND = 5.0  # seconds: the bound for the unrelated DM


@pytest.fixture
def running(fake, knowledge):
    bot = start_bot(fake, knowledge)
    yield bot
    bot.server.close()
    bot.app.container_bot.outbox.shutdown(wait=True)


def exhaust_the_read_budget(fake) -> None:
    fake.fail(
        "conversations.replies",
        times=1000,
        status=429,
        body={"ok": False, "error": "ratelimited"},
        headers={"Retry-After": "10"},
    )


def chatter(running, fake, root: str) -> None:
    for _ in range(CHATTER):
        event = message_event("lol", thread_ts=root)
        fake.said(event)
        ok(send_event(running.events, event_envelope(event)))


def answered_within(chat: Chat, bound: float, text: str, **where) -> dict:
    started = time.monotonic()
    reply = chat.say(text, **where)
    took = time.monotonic() - started
    assert reply is not None and took < bound, (text, took)
    return reply


def holds_up_no_one(running, fake, root: str, read: bool) -> None:
    chat = Chat(fake, lambda envelope: ok(send_event(running.events, envelope)))
    chatter(running, fake, root)
    reply = answered_within(chat, BOUND, "what is ecs?", channel=BOT_DM, channel_type="im")
    assert reply["text"].startswith("Amazon ECS")
    reply = answered_within(chat, BOUND, "what is ecr?", thread_ts=root)  # on its own, though unreadable
    assert reply["text"].startswith("Amazon ECR") and reply["thread_ts"] == root
    if not read:  # the store remembers the thread's context: nothing to read
        assert fake.called("conversations.replies") == []
        return
    # the first 429 pauses the reads: not one read per message of the chatter
    assert len(fake.called("conversations.replies")) < CHATTER // 4
    assert scrape(running)['container_bot_thread_reads_total{outcome="rate_limited"}'] >= CHATTER // 2


def test_chatter_in_a_thread_holds_up_no_one(running, fake):
    chat = Chat(fake, lambda envelope: ok(send_event(running.events, envelope)))
    chat.say("ecs vs eks", mention=True)
    exhaust_the_read_budget(fake)
    holds_up_no_one(running, fake, chat.last_event["ts"], read=False)


def test_chatter_in_a_thread_known_only_from_slack_holds_up_no_one(running, fake):
    """A thread the bot answered in, whose context only Slack has (an answer posted by an earlier version): it
    must be read back, and the read budget is exhausted."""
    root = bot_answer_with(fake, {"kind": "comparison", "topics": ["ecs", "eks"]})
    running.app.container_bot.memory.answered("C0000CHAN", root, fake.messages[-1]["ts"])
    exhaust_the_read_budget(fake)
    holds_up_no_one(running, fake, root, read=True)
