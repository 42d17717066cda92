"""Hardening, end to end: signatures, malformed bodies, exactly-once, output safety, odd input,
Slack API failures."""

import json
import logging
import re
import socket
import subprocess
import time
import urllib.request

import pytest

from bot.slack.http.wsgi import MAX_BODY
from bot.slack.store import MemoryStore
from bot.understanding.normalise import MAX_INPUT_CHARS
from tests.fakes.process import installed_command
from tests.fakes.slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    event_envelope,
    mention_event,
    message_event,
    post,
    send_event,
    sign,
)
from tests.helpers import alive, free_port, start_bot

# ------------------------------------------------------------------------------------------ requests


def test_unsigned_request_is_rejected_before_anything_happens(bot, fake):
    body = json.dumps(event_envelope(mention_event("what is ecs")))
    status, text, _ = post(bot.events, body, "application/json")
    assert status == 401
    fake.settle()
    assert fake.calls == []  # not even auth.test


def test_request_signed_with_another_secret_is_rejected(bot, fake):
    status, _, _ = send_event(
        bot.events, event_envelope(mention_event("what is ecs")), secret="someone-elses"
    )
    assert status == 401
    fake.settle()
    assert fake.calls == []


def test_replayed_request_outside_five_minutes_is_rejected(bot, fake):
    body = json.dumps(event_envelope(mention_event("what is ecs")))
    status, _, _ = post(bot.events, body, "application/json", sign(body, timestamp=int(time.time()) - 6 * 60))
    assert status == 401
    fake.settle()
    assert fake.calls == []


def test_tampered_body_is_rejected(bot, fake):
    body = json.dumps(event_envelope(mention_event("what is ecs")))
    headers = sign(body)
    status, _, _ = post(bot.events, body.replace("what is ecs", "what is eks"), "application/json", headers)
    assert status == 401


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('{"no_type": true}', "application/json"),
        ('{"type": "event_callback"}', "application/json"),
        ('{"type": "event_callback", "event": {"text": "no type"}}', "application/json"),
        ("a&b&c", "application/x-www-form-urlencoded"),
        ("payload=%7Bnot%20json", "application/x-www-form-urlencoded"),
        ("payload=%5B%5D", "application/x-www-form-urlencoded"),
        ("user_id=U1&text=hi", "application/x-www-form-urlencoded"),
        ("", "application/x-www-form-urlencoded"),
    ],
)
def test_signed_but_malformed_body_is_a_4xx_never_a_500(bot, fake, body, content_type):
    status, text, _ = post(bot.events, body, content_type, sign(body))
    assert 400 <= status < 500 and "Traceback" not in text
    assert alive(bot.url)
    fake.settle(0.1)
    assert fake.called("chat.postMessage") == []


def test_non_utf8_body_is_a_400(bot):
    raw = b"\xff\xfe\xfa"
    request = urllib.request.Request(
        bot.events,
        data=raw,
        method="POST",
        headers={"Content-Type": "application/json", **sign(raw.decode("latin-1"))},
    )
    # the signature covers the raw bytes as latin-1 text here, so it only matters that nothing crashes
    try:
        urllib.request.urlopen(request, timeout=5)
        status = 200
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status in (400, 401) and alive(bot.url)


def test_oversized_body_is_refused_unread(bot):
    """A Content-Length just over the limit is answered 413 from the headers alone. No byte of the body is
    sent: the server answers before reading any, and a client still sending 1 MiB when it closes would see
    the connection reset (ConnectionResetError) instead of the answer."""
    assert MAX_BODY == 1024 * 1024
    port = int(bot.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {MAX_BODY + 10}\r\n\r\n".encode()
        )
        response = b""
        while b"\r\n" not in response:
            chunk = sock.recv(4096)
            if not chunk:
                break
            response += chunk
    status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1 ") else None
    assert status == 413 and alive(bot.url)


def test_get_on_the_events_path_is_405(bot):
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(bot.events, timeout=5)
    assert info.value.code == 405


# ------------------------------------------------------------------------------------------ exactly once


def test_slack_retries_of_one_event_get_one_reply(bot, fake):
    envelope = event_envelope(mention_event("ecs or eks?"))
    assert send_event(bot.events, envelope)[0] == 200
    for attempt in (1, 2, 3):
        status, _, seconds = send_event(
            bot.events,
            envelope,
            extra_headers={"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert status == 200 and seconds < 3
    fake.wait_for("chat.postMessage")
    fake.settle()
    assert len(fake.called("chat.postMessage")) == 1
    assert bot.metrics.duplicates._value.get() == 3


def test_memory_deduper_forgets_after_its_time_limit():
    now = [1000.0]
    dedupe = MemoryStore(clock=lambda: now[0])
    assert dedupe.claim("k", ttl=10) and not dedupe.claim("k", ttl=10)
    now[0] += 11
    assert dedupe.claim("k", ttl=10)


def test_memory_deduper_is_bounded():
    dedupe = MemoryStore(max_keys=100)
    for i in range(1000):
        dedupe.claim(f"k{i}")
    assert len(dedupe._seen) <= 100


# ------------------------------------------------------------------------------------- output safety


def test_reply_never_pings_the_channel_or_copies_mentions(bot, fake):
    text = "<!channel> <!here> <!everyone> <!subteam^S0001|@ops> what is ecs <@U0000OTHER> @here"
    assert send_event(bot.events, event_envelope(mention_event(text)))[0] == 200
    (call,) = fake.wait_for("chat.postMessage")
    sent = json.dumps(call.params)
    for forbidden in ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U0000OTHER>", "@here"):
        assert forbidden not in sent
    assert "Amazon ECS" in call.params["text"]


def test_quoted_user_text_is_escaped(bot, fake):
    from tests.fakes.slack import block_actions, send_payload

    question = "<!channel> what is <https://evil.example|ecs> & stuff"
    assert send_payload(bot.events, block_actions("why_this_answer", question, fake.response_url()))[0] == 200
    (call,) = fake.wait_for("response_url")
    sent = json.dumps(call.params)
    assert "<!channel>" not in sent and "<https://evil.example" not in sent
    assert "&lt;https://evil.example|ecs&gt; &amp; stuff" in call.params["blocks"][0]["text"]["text"]


# ----------------------------------------------------------------------------------------------- input


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("", {"help"}),
        ("   \n\t  ", {"help"}),
        (":tada: :rocket:", {"help", "fallback"}),
        ("🚀🔥", {"help"}),
        ("\x00\x07what is ecs\x1b", {"definition"}),
        ("\u202eecs vs eks\u202c", {"comparison"}),
        ("e\u200bcs vs e\u200dks", {"comparison"}),
        ("что такое ECS?", {"fallback", "definition"}),
        ("ECSとEKSの違いは？", {"comparison"}),  # Japanese is read: "the difference between ECS and EKS?"
        ("ecs " * 20000, {"fallback", "definition", "recommendation", "comparison"}),
        ("a" * 40000, {"fallback"}),
    ],
)
def test_odd_input_gets_help_or_fallback_fast(engine, text, kinds):
    start = time.perf_counter()
    answer = engine.ask(text)
    assert answer.kind in kinds and time.perf_counter() - start < 0.5
    assert answer.to_json()["text"]


def test_work_is_capped_for_long_input(engine):
    long_tail = "what is ecs " + "x" * (MAX_INPUT_CHARS * 10) + " vs eks"
    assert engine.ask(long_tail).kind == "definition"  # everything past the cap is never read


def test_a_40000_character_dm_gets_a_polite_reply(bot, fake):
    event = message_event("please help " * 3400, channel="D0000DM01", channel_type="im")
    status, _, seconds = send_event(bot.events, event_envelope(event))
    assert status == 200 and seconds < 3
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "D0000DM01" and call.params["text"]


# ---------------------------------------------------------------------------------------- Slack failures


def test_rate_limited_post_is_retried_after_the_wait_and_delivered_once(bot, fake):
    fake.fail(
        "chat.postMessage",
        status=429,
        body={"ok": False, "error": "ratelimited"},
        headers={"Retry-After": "1"},
    )
    assert send_event(bot.events, event_envelope(mention_event("what is ecr")))[0] == 200
    calls = fake.wait_for("chat.postMessage", count=2, timeout=10)
    assert len(calls) == 2 and calls[1].at - calls[0].at >= 1.0
    fake.settle()
    assert len(fake.called("chat.postMessage")) == 2  # one refused, one delivered


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_a_bounded_number_of_times_then_logged(bot, fake, status, caplog):
    caplog.set_level(logging.WARNING, logger="container_bot.requests")
    fake.fail("chat.postMessage", times=3, status=status, body={"ok": False, "error": "internal_error"})
    assert send_event(bot.events, event_envelope(mention_event("what is ecr")))[0] == 200
    fake.wait_for("chat.postMessage", count=3, timeout=15)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "chat.postMessage failed" not in caplog.text:
        time.sleep(0.05)
    assert len(fake.called("chat.postMessage")) == 3 and "chat.postMessage failed" in caplog.text
    # the process is up and answers the next event
    assert send_event(bot.events, event_envelope(mention_event("what is eks")))[0] == 200
    assert len(fake.wait_for("chat.postMessage", count=4)) == 4


def test_timeouts_are_retried_then_given_up(fake, knowledge):
    from tests.fakes.slack import home_opened

    running = start_bot(fake, knowledge, api_timeout=0.3)
    try:
        # views.publish replaces the Home tab, so a timed-out one is safe to send again (chat.postMessage is
        # not: test_hardening_round2)
        fake.fail("views.publish", times=3, delay=0.8)
        assert send_event(running.events, event_envelope(home_opened()))[0] == 200
        assert len(fake.wait_for("views.publish", count=3, timeout=15)) == 3
        assert send_event(running.events, event_envelope(mention_event("what is eks")))[0] == 200
        assert len(fake.wait_for("chat.postMessage", count=1, timeout=10)) == 1
    finally:
        running.server.close()


# ---------------------------------------------------------------------------------------------- logging


def test_tokens_never_reach_a_log_line():
    import io

    from bot.logs import setup_logging

    stream = io.StringIO()
    setup_logging("DEBUG", "text", secrets=(SIGNING_SECRET,), stream=stream)
    logger = logging.getLogger("container_bot.test")
    logger.info("token %s and secret %s", BOT_TOKEN, SIGNING_SECRET)
    try:
        raise RuntimeError(f"failed with {BOT_TOKEN}")
    except RuntimeError:
        logger.exception("boom")
    logging.getLogger().handlers.clear()
    assert BOT_TOKEN not in stream.getvalue() and SIGNING_SECRET not in stream.getvalue()
    assert "[redacted]" in stream.getvalue()


def test_unanswered_groups_questions_most_asked_first(tmp_path):
    log = tmp_path / "bot.log"
    lines = [
        json.dumps({"message": "unanswered question", "question": "how do i push an image to ecr"}),
        json.dumps({"message": "unanswered question", "question": "how do I push images to ECR?"}),
        "2026-11-29 01:00:00 INFO container_bot.unanswered: unanswered question event_type=message.im "
        'question="how do i push an image to ecr please"',
        json.dumps({"message": "unanswered question", "question": "what is app runner"}),
        json.dumps({"message": "answered", "kind": "definition"}),
        "garbage line",
    ]
    log.write_text("\n".join(lines) + "\n")
    exe = installed_command()
    result = subprocess.run([exe, "unanswered", str(log)], capture_output=True, text=True, timeout=30)
    out = result.stdout.splitlines()
    assert result.returncode == 0 and out[0].startswith("4 unanswered questions in 2 groups;")
    groups = [line.split() for line in out if re.match(r"^\s+\d+  unanswered ", line)]
    assert groups[0][0] == "3" and "push" in groups[0] and groups[1][0] == "1"


# ------------------------------------------------------------------------------------------- Redis path


def test_redis_claims_are_atomic_across_clients(redis_url):
    from concurrent.futures import ThreadPoolExecutor

    from bot.slack.store import RedisStore

    clients = [RedisStore(redis_url) for _ in range(4)]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda i: clients[i % 4].claim("event:Ev1"), range(64)))
    assert results.count(True) == 1


def test_redis_claims_expire(redis_url):
    from bot.slack.store import RedisStore

    dedupe = RedisStore(redis_url)
    assert dedupe.claim("k", ttl=1) and not dedupe.claim("k", ttl=1)
    time.sleep(1.2)
    assert dedupe.claim("k", ttl=1)


def test_two_replicas_sharing_redis_reply_once(fake, redis_url):
    from tests.fakes.process import Served, env_for

    replicas = [Served(env_for(fake, PORT="0", REDIS_URL=redis_url), "--http") for _ in range(2)]
    try:
        ports = [r.wait_line(r"listening on http://[\d.]+:(\d+)").group(1) for r in replicas]
        envelope = event_envelope(mention_event("what is ecr"))
        for port in ports:  # the same event reaches both replicas (a retry landing elsewhere)
            assert send_event(f"http://127.0.0.1:{port}/slack/events", envelope)[0] == 200
        fake.wait_for("chat.postMessage")
        fake.settle(0.8)
        assert len(fake.called("chat.postMessage")) == 1
    finally:
        for replica in replicas:
            replica.stop()


def test_unreachable_redis_at_start_is_one_line(fake):
    from tests.fakes.process import env_for, run_serve

    result, _ = run_serve(env_for(fake, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))
    assert result.returncode == 2 and "REDIS_URL is unreachable" in result.stderr
