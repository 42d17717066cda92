"""Acks never wait behind replies: two dozen replies sit out a 429 Retry-After: 3 from the fake Slack while
commands, a button click and a modal submission arrive; each is acknowledged within 1.5 s, over HTTP and over
Socket Mode. (bench/ack_latency.py measures the same scenario against `container-bot serve`.)"""

import json
from concurrent.futures import ThreadPoolExecutor

from tests.fakes.slack import (
    block_actions,
    command_form,
    event_envelope,
    mention_event,
    send_event,
    send_form,
    send_payload,
    socket_envelope,
    view_submission,
)
from tests.helpers import SMALL_AWS_TEAM

PENDING = 24
BOUND = 1.5


def rate_limit_replies(fake, retry_after: int = 3) -> None:
    fake.fail(
        "chat.postMessage",
        times=PENDING,
        status=429,
        body={"ok": False, "error": "ratelimited"},
        headers={"Retry-After": str(retry_after)},
    )


def timed_requests(fake) -> list[tuple[str, str, dict]]:
    url = fake.response_url("cmd")
    return [
        ("open", "slash_commands", command_form("", url)),
        ("question", "slash_commands", command_form("ecs vs eks", url)),
        ("compare", "interactive", block_actions("compare_services", "ecs vs eks", url)),
        ("submit", "interactive", view_submission(SMALL_AWS_TEAM, {"response_url": url})),
    ]


def test_http_acks_within_bounds_while_replies_wait_out_a_429(bot, fake):
    rate_limit_replies(fake)
    mentions = [event_envelope(mention_event("what is ecr", channel=f"C{i:08d}")) for i in range(PENDING)]
    with ThreadPoolExecutor(PENDING) as pool:
        assert {r[0] for r in pool.map(lambda e: send_event(bot.events, e), mentions)} == {200}
        assert len(fake.wait_for("chat.postMessage", count=16)) >= 16  # replies are waiting out the 429

        def send(item):
            name, kind, payload = item
            return name, send_form(bot.events, payload) if kind == "slash_commands" else send_payload(
                bot.events, payload
            )

        results = dict(pool.map(send, timed_requests(fake)))
    for name, (status, _, seconds) in results.items():
        assert status == 200 and seconds < BOUND, (name, status, seconds)
    assert (
        "Amazon ECS vs Amazon EKS" in json.loads(results["question"][1])["text"]
    )  # the answer lived in the ack
    assert json.loads(results["submit"][1])["response_action"] == "update"
    (opened,) = fake.wait_for("views.open")
    first = fake.called("chat.postMessage")[0].at
    assert (
        opened.at - first < 2.5
    )  # the modal opened while the replies were still waiting: trigger_id lives 3 s
    # and every reply still goes out once the rate limit has passed: 24 mentions and the Compare click
    assert len(fake.wait_for("chat.postMessage", count=2 * PENDING + 1, timeout=15)) == 2 * PENDING + 1


def test_socket_mode_acks_within_bounds_while_replies_wait_out_a_429(socket_bot, fake):
    ws = socket_bot
    rate_limit_replies(fake)
    for i in range(PENDING):
        envelope = event_envelope(mention_event("what is ecr", channel=f"C{i:08d}"))
        ws.send(socket_envelope("events_api", envelope))
    assert len(fake.wait_for("chat.postMessage", count=16)) >= 16
    sent = {}
    for name, kind, payload in timed_requests(fake):
        sent[name] = socket_envelope(kind, payload)
        ws.send(sent[name])
    for name, envelope in sent.items():
        ws.ack_for(envelope["envelope_id"], timeout=5)
        assert ws.ack_seconds(envelope["envelope_id"]) < BOUND, name
    question = ws.acks[sent["question"]["envelope_id"]]
    assert "Amazon ECS vs Amazon EKS" in question["payload"]["text"]
    assert ws.acks[sent["submit"]["envelope_id"]]["payload"]["response_action"] == "update"
    (opened,) = fake.wait_for("views.open")
    assert opened.at - fake.called("chat.postMessage")[0].at < 2.5
    assert len(fake.wait_for("chat.postMessage", count=2 * PENDING + 1, timeout=15)) == 2 * PENDING + 1
