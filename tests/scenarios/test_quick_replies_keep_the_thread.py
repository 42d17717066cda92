"""Two quick replies in the bot's thread: the second is read in the light of the first. "we already run
kubernetes on prem", then 0.1 s later "we also need windows containers", while Slack takes 0.3 s to accept
each post: the second answer depends on both facts, on one replica and across two sharing Redis. (It used to
lean on the answer before the first, still the latest one posted: "Recommendation: Amazon ECS", and the
thread's situation became {windows} alone.)"""

import time

from tests.fakes.slack import event_envelope, message_event, send_event
from tests.helpers import Chat, ok, payload_of, start_bot

FIRST = "we already run kubernetes on prem"
SECOND = "we also need windows containers"
BOTH = {"kubernetes": "yes", "windows": "yes"}


def quick_replies(fake, root: str, first_to, second_to) -> list[dict]:
    """The two replies, 0.1 s apart, with Slack taking 0.3 s over each post; the two answers, in order."""
    before = len(fake.called("chat.postMessage"))
    fake.fail("chat.postMessage", times=2, delay=0.3)
    for text, bot in ((FIRST, first_to), (SECOND, second_to)):
        event = message_event(text, thread_ts=root)
        fake.said(event)
        ok(send_event(bot.events, event_envelope(event)))
        time.sleep(0.1)
    posted = fake.wait_for("chat.postMessage", count=before + 2, timeout=5)[before:]
    assert len(posted) == 2
    return sorted((c.params for c in posted), key=lambda p: p["text"].startswith("ECS or EKS?"))


def second_sees_the_first(answers: list[dict]) -> None:
    first, second = answers
    assert first["text"].startswith("Recommendation: Amazon EKS"), first["text"]
    assert second["text"].startswith("ECS or EKS? It depends on your situation"), second["text"]
    assert BOTH.items() <= payload_of(second)["situation"].items()
    (start,) = [
        e
        for b in second["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "start_guided_choice"
    ]
    assert "kubernetes=yes" in start["value"] and "windows=yes" in start["value"]  # its answer code


def test_a_quick_second_reply_sees_the_first(fake, knowledge):
    running = start_bot(fake, knowledge)
    try:
        chat = Chat(fake, lambda envelope: ok(send_event(running.events, envelope)))
        chat.say("ecs or eks?", mention=True)
        root = chat.last_event["ts"]
        second_sees_the_first(quick_replies(fake, root, running, running))
        # and the thread goes on from both facts
        reply = chat.say("why?", thread_ts=root)
        assert BOTH.items() <= payload_of(reply)["situation"].items()
    finally:
        running.server.close()
        running.app.container_bot.outbox.shutdown(wait=True)


def test_a_quick_second_reply_on_another_replica_sees_the_first(fake, knowledge, redis_url):
    from bot.slack.store import RedisStore

    replicas = [start_bot(fake, knowledge, store=RedisStore(redis_url)) for _ in range(2)]
    try:
        chat = Chat(fake, lambda envelope: ok(send_event(replicas[0].events, envelope)))
        chat.say("ecs or eks?", mention=True)
        root = chat.last_event["ts"]
        second_sees_the_first(quick_replies(fake, root, replicas[0], replicas[1]))
    finally:
        for running in replicas:
            running.server.close()
            running.app.container_bot.outbox.shutdown(wait=True)
