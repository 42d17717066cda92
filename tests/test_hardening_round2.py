"""Hardening, round 2 (issue 12): what an unauthenticated client, a slow Slack and a hostile file could still
do. Server items run over real HTTP against the server `serve` runs; CLI items through the installed
command."""

import hashlib
import hmac
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlencode

import pytest

from bot.slack.client import RETRY_AFTER_DEFAULT, RETRY_AFTER_MAX, retry_after_seconds
from bot.slack.http.wsgi import MAX_BODY
from tests.fakes.process import installed_command
from tests.fakes.slack import (
    SIGNING_SECRET,
    FakeSlack,
    block_actions,
    command_form,
    event_envelope,
    home_opened,
    mention_event,
    message_event,
    post,
    send_event,
    send_form,
    send_payload,
    sign,
    view_submission,
)
from tests.helpers import KNOWLEDGE, alive, connect, nothing_sent, start_bot, status_line, write_knowledge

EXE = installed_command()
needs_command = pytest.mark.skipif(EXE is None, reason="container-bot is not installed (pip install .)")
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def sign_bytes(raw: bytes, secret: str = SIGNING_SECRET) -> dict:
    """Slack's v0 signature over raw bytes, which need not be UTF-8."""
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


def post_bytes(url: str, raw: bytes, content_type: str, headers: dict) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=raw, method="POST", headers={"Content-Type": content_type, **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


# ------------------------------------------------------------------- 1. hostile JSON is a 4xx, never a 500

DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize(
    "body, content_type",
    [
        (DEEP, JSON),
        ('{"type": "event_callback", "event": {"type": "app_mention", "blocks": ' + DEEP + "}}", JSON),
        (urlencode({"payload": DEEP}), FORM),
        (urlencode({"payload": '{"type": "block_actions", "x": ' + "[" * 60 + "]" * 60 + "}"}), FORM),
    ],
    ids=["deep-body", "deep-event", "deep-payload", "60-deep-payload"],
)
def test_deeply_nested_json_is_a_400(bot, fake, body, content_type):
    assert len(body) < 7000
    status, text, _ = post(bot.events, body, content_type, sign(body))
    assert status == 400 and "nested more than 40 levels" in text
    assert alive(bot.url) and nothing_sent(fake)


def _action(**changes):
    payload = block_actions("why_this_answer", "what is ecs", "http://127.0.0.1:9/response/x")
    payload.update(changes)
    return payload


def _submission(view_changes=None, **changes):
    payload = view_submission({"kubernetes": "yes"}, {"channel": "C0000CHAN"})
    payload["view"].update(view_changes or {})
    payload.update(changes)
    return payload


@pytest.mark.parametrize(
    "payload, problem",
    [
        (_action(actions=[]), "'actions' is empty"),
        (_action(actions=["why_this_answer"]), "'actions' must hold objects"),
        (_action(actions=[{"value": "what is ecs"}]), "'actions[].action_id' is missing"),
        (_action(actions=[{"action_id": "why_this_answer", "value": 42}]), "'actions[].value'"),
        (_action(actions="why_this_answer"), "'actions' must be a list"),
        (_action(user="U0000USER"), "'user' must be an object"),
        (_action(channel="C0000CHAN"), "'channel' must be an object"),
        (_action(message=["not", "a", "message"]), "'message' must be an object"),
        (_submission({"state": "nope"}), "'view.state' must be an object"),
        (_submission({"state": {"values": []}}), "'view.state.values' must be an object"),
        (_submission({"state": {"values": {"kubernetes": "yes"}}}), "'view.state.values' must map"),
        (_submission({"private_metadata": {"channel": "C1"}}), "'view.private_metadata'"),
        (_submission(view="VMODAL001"), "'view' must be an object"),
        ({**_submission(), "view": {"id": "VMODAL001"}}, "'view.callback_id' is missing"),
        ({"type": "message_action", "user": {"id": "U1"}, "message": {}}, "'callback_id' is missing"),
    ],
)
def test_signed_but_ill_shaped_interactivity_is_a_400(bot, fake, payload, problem):
    status, text, _ = send_payload(bot.events, payload)
    assert status == 400 and problem in text, text
    assert alive(bot.url) and nothing_sent(fake)


@pytest.mark.parametrize(
    "envelope, problem",
    [
        (
            event_envelope({"type": "app_mention", "text": "what is ecs", "ts": "1.2"}),
            "'event.channel' is missing",
        ),
        (event_envelope({**mention_event("x"), "text": ["what", "is", "ecs"]}), "'event.text' must be"),
        (event_envelope({**mention_event("x"), "ts": 1710000000.5}), "'event.ts' must be a string"),
        (event_envelope({**message_event("x"), "message": "edited"}), "'event.message' must be an object"),
        (event_envelope({"type": "app_home_opened", "tab": "home"}), "'event.user' is missing"),
        ({**event_envelope(mention_event("x")), "authorizations": "T0000"}, "'authorizations' must be"),
    ],
)
def test_signed_but_ill_shaped_event_is_a_400(bot, fake, envelope, problem):
    status, text, _ = send_event(bot.events, envelope)
    assert status == 400 and problem in text, text
    assert alive(bot.url) and nothing_sent(fake)


def test_a_signed_body_that_is_not_utf8_is_a_400_and_an_unsigned_one_a_401(bot, fake):
    raw = b'{"type": "event_callback", "event": {"type": "app_mention", "text": "what is ecs \xff"}}'
    assert post_bytes(bot.events, raw, JSON, sign_bytes(raw)) == (400, "bad request: body is not UTF-8\n")
    assert post_bytes(bot.events, raw, JSON, sign_bytes(raw, "someone-elses-secret"))[0] == 401
    assert nothing_sent(fake)


def test_a_timestamp_of_thousands_of_digits_is_a_401_not_a_crash(bot, fake):
    body = json.dumps(event_envelope(mention_event("what is ecs")))
    status, text, _ = post(bot.events, body, JSON, {**sign(body), "X-Slack-Request-Timestamp": "9" * 5000})
    assert status == 401 and "Traceback" not in text
    assert alive(bot.url) and nothing_sent(fake)


# ------------------------------------------------------------- 2. huge bodies are refused from their headers


def _temp_files() -> set[str]:
    """Descriptors of this process (the server runs in it) open on deleted or temporary files."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "(deleted)" in target or target.startswith("/tmp/") or target.startswith("/var/tmp/"):
            found.add(f"{fd}:{target}")
    return found


def test_an_unsigned_20_mib_body_is_refused_from_its_content_length(bot):
    sock = connect(bot)
    try:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {20 * 1024 * 1024}\r\n\r\n".encode()
        )
        assert status_line(sock) == b"HTTP/1.1 413 Request Entity Too Large"  # not a byte of body sent
    finally:
        sock.close()
    assert alive(bot.url)


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(bot):
    sock = connect(bot)
    piece = b"x" * 65536
    try:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for _ in range(MAX_BODY // len(piece) + 1):  # just past the limit; the final 0-chunk never comes
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        assert status_line(sock) == b"HTTP/1.1 413 Request Entity Too Large"
    finally:
        sock.close()
    assert alive(bot.url)


def test_an_oversized_body_is_never_written_to_disk(bot):
    before = _temp_files()
    sockets = []
    try:
        for _ in range(5):
            sock = connect(bot)
            sock.sendall(
                b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {20 * 1024 * 1024}\r\n\r\n".encode()
            )
            try:
                for _ in range(24):  # 1.5 MiB of it, past what stays in memory before waitress spools
                    sock.sendall(b"x" * 65536)
            except OSError:
                pass  # refused and closed: what should happen
            sockets.append(sock)
        time.sleep(0.3)
        assert _temp_files() - before == set()
    finally:
        for sock in sockets:
            sock.close()
    assert alive(bot.url)


# ------------------------------------------------------------ 3. idle connections cannot starve real ones


def test_150_idle_connections_do_not_starve_health_checks_or_events(bot, fake):
    idle = []
    try:
        for i in range(150):
            sock = connect(bot)
            if i % 2:
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Len")  # never finished
            idle.append(sock)
        time.sleep(0.2)
        started = time.monotonic()
        assert alive(bot.url) and time.monotonic() - started < 3
        status, _, seconds = send_event(bot.events, event_envelope(mention_event("what is ecr")), timeout=3)
        assert status == 200 and seconds < 3
        assert fake.wait_for("chat.postMessage", timeout=3)
    finally:
        for sock in idle:
            sock.close()


def _closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(0.2)
    try:
        return sock.recv(4096) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_a_request_that_never_finishes_is_closed_but_a_kept_alive_connection_is_not(fake, knowledge):
    running = start_bot(fake, knowledge, request_timeout=1.0)
    port = int(running.url.rsplit(":", 1)[1])
    silent, partial, trickle, kept = (
        socket.create_connection(("127.0.0.1", port), timeout=5) for _ in "1234"
    )
    try:
        partial.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n")
        kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n")
        kept.settimeout(3)
        assert kept.recv(4096).startswith(b"HTTP/1.1 200")
        header = b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nX-Slow: " + b"a" * 100
        deadline = time.monotonic() + 4
        sent = 0
        while time.monotonic() < deadline:  # a byte every 0.1 s: never idle, never finished
            try:
                trickle.sendall(header[sent : sent + 1])
            except OSError:
                break
            sent += 1
            if _closed_by_server(trickle):
                break
            time.sleep(0.1)
        assert time.monotonic() < deadline, "the trickling request was never cut off"
        assert _closed_by_server(silent) and _closed_by_server(partial)
        assert not _closed_by_server(kept)  # between requests the 75 s keep-alive timeout applies
        kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n")
        assert kept.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        for sock in (silent, partial, trickle, kept):
            sock.close()
        running.server.close()


# ---------------------------------------------------------------------- 4. a slow success is not posted twice


def test_a_slow_successful_post_is_not_posted_twice(fake, knowledge):
    running = start_bot(fake, knowledge, api_timeout=0.5)
    try:
        fake.fail("chat.postMessage", delay=1.2)  # Slack posts it, but answers after our timeout
        assert send_event(running.events, event_envelope(mention_event("what is ecr")))[0] == 200
        assert fake.wait_for("chat.postMessage")
        fake.settle(2.5)  # past any retry's back-off
        assert len(fake.called("chat.postMessage")) == 1
        assert running.metrics.slack_errors.labels("chat.postMessage")._value.get() == 1
    finally:
        running.server.close()


def test_a_slow_views_open_is_not_retried(fake, knowledge):
    running = start_bot(fake, knowledge, api_timeout=0.5)
    try:
        fake.fail("views.open", delay=1.2)
        assert send_form(running.events, command_form("", fake.response_url()))[0] == 200
        assert fake.wait_for("views.open")
        fake.settle(2.5)
        assert len(fake.called("views.open")) == 1
    finally:
        running.server.close()


def test_a_call_that_never_reached_slack_is_retried_even_for_chat_post_message(knowledge):
    first = FakeSlack().start()
    running = start_bot(first, knowledge)
    second = None
    try:
        assert send_event(running.events, event_envelope(mention_event("what is ecs")))[0] == 200
        assert first.wait_for("chat.postMessage")  # warmed up: auth.test is behind us
        first.stop()  # Slack is unreachable: connections are refused
        assert send_event(running.events, event_envelope(mention_event("what is ecr")))[0] == 200
        retries = running.metrics.slack_retries.labels("connection_error")
        deadline = time.monotonic() + 5
        while retries._value.get() < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert retries._value.get() == 1  # refused once; the retry waits 0.5 s or more
        second = FakeSlack(port=first.port).start()
        (call,) = second.wait_for("chat.postMessage", timeout=5)
        assert "Amazon ECR" in call.params["text"]
    finally:
        running.server.close()
        if second is not None:
            second.stop()


def test_a_dropped_connection_is_retried_and_the_reply_delivered_once(bot, fake):
    fake.fail("chat.postMessage", drop=True)  # closed without an answer: nothing was posted
    assert send_event(bot.events, event_envelope(mention_event("what is ecr")))[0] == 200
    assert len(fake.wait_for("chat.postMessage", count=2, timeout=5)) == 2
    fake.settle()
    assert len(fake.called("chat.postMessage")) == 2


@pytest.mark.parametrize("retry_after", ["soon", "-5"])
def test_a_malformed_retry_after_does_not_drop_the_reply(bot, fake, retry_after):
    fake.fail(
        "chat.postMessage",
        status=429,
        body={"ok": False, "error": "ratelimited"},
        headers={"Retry-After": retry_after},
    )
    assert send_event(bot.events, event_envelope(mention_event("what is ecr")))[0] == 200
    calls = fake.wait_for("chat.postMessage", count=2, timeout=RETRY_AFTER_DEFAULT + 5)
    assert len(calls) == 2 and calls[1].at - calls[0].at >= RETRY_AFTER_DEFAULT - 0.05


@pytest.mark.parametrize(
    "headers, seconds",
    [
        ({"Retry-After": ["3"]}, 3),
        ({"retry-after": "0"}, 0),
        ({"Retry-After": ["100000"]}, RETRY_AFTER_MAX),
        ({"Retry-After": ["-1"]}, RETRY_AFTER_DEFAULT),
        ({"Retry-After": ["Wed, 21 Oct 2015 07:28:00 GMT"]}, RETRY_AFTER_DEFAULT),
        ({}, RETRY_AFTER_DEFAULT),
    ],
)
def test_retry_after_is_bounded(headers, seconds):
    assert retry_after_seconds(headers) == seconds


def test_timeouts_of_calls_safe_to_repeat_are_still_retried(fake, knowledge):
    running = start_bot(fake, knowledge, api_timeout=0.3)
    try:
        fake.fail("views.publish", times=2, delay=0.8)
        assert send_event(running.events, event_envelope(home_opened()))[0] == 200
        assert len(fake.wait_for("views.publish", count=3, timeout=10)) == 3  # two timeouts, then delivered
    finally:
        running.server.close()


# ---------------------------------------------------------------------------- 5. no secret in any log line

TOKENS = ("xoxb-1111-2222-abcdefghijkl", "xapp-1-A0FAKE-3333-deadbeefcafe", "xoxp-4444-5555-6666-fedcba")


def secret_question(padding: int = 0) -> str:
    return (
        "where is the offsite this year "
        + "z" * padding
        + " my tokens are "
        + " ".join(TOKENS)
        + f" and the secret {SIGNING_SECRET} and {'0123456789abcdef' * 2}"
    )


@needs_command
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_secrets_in_an_unanswered_question_never_reach_the_log(fake, log_format):
    from tests.fakes.process import Served, env_for

    served = Served(env_for(fake, PORT="0", LOG_FORMAT=log_format), "--http")
    try:
        port = served.wait_line(r"listening on http://[\d.]+:(\d+)").group(1)
        url = f"http://127.0.0.1:{port}/slack/events"
        for padding in (0, 130):  # the second puts the signing secret across the 200-character cut
            send_event(
                url,
                event_envelope(
                    message_event(secret_question(padding), channel="D0000DM01", channel_type="im")
                ),
            )
            served.wait_line("unanswered question")
    finally:
        served.stop()
    log = "".join(served.log)
    for secret in (*TOKENS, SIGNING_SECRET, SIGNING_SECRET[:12], "0123456789abcdef" * 2):
        assert secret not in log
    assert log.count("[redacted]") >= 5


@needs_command
def test_the_unanswered_report_masks_secrets_an_older_log_holds(tmp_path):
    log = tmp_path / "bot.log"
    question = secret_question()
    log.write_text(
        json.dumps({"message": "unanswered question", "question": question})
        + "\n2026-11-29 01:00:00 INFO container_bot.unanswered: unanswered question "
        + f"event_type=message.im question={json.dumps(question)}\n"
    )
    env = {**os.environ, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    result = subprocess.run(
        [EXE, "unanswered", str(log)], capture_output=True, text=True, timeout=30, env=env
    )
    assert result.returncode == 0 and "2 unanswered questions in 1 group;" in result.stdout
    for secret in (*TOKENS, SIGNING_SECRET, "0123456789abcdef" * 2):
        assert secret not in result.stdout
    assert "where is the offsite" in result.stdout and "[redacted]" in result.stdout


# ------------------------------------------------------------------------------ 6. shutdown has a deadline


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return False
    except OSError:
        return True


@needs_command
def test_sigterm_with_slack_hanging_stops_listening_at_once_and_ends_at_the_deadline(fake):
    import signal

    from tests.fakes.process import Served, env_for

    fake.fail("chat.postMessage", times=5, delay=30)  # the Web API hangs
    served = Served(env_for(fake, PORT="0", SHUTDOWN_TIMEOUT="2", SLACK_API_TIMEOUT="60"), "--http")
    try:
        port = int(served.wait_line(r"listening on http://[\d.]+:(\d+)").group(1))
        url = f"http://127.0.0.1:{port}/slack/events"
        for question in ("what is ecr", "what is ecs"):
            assert send_event(url, event_envelope(mention_event(question)))[0] == 200
        assert len(fake.wait_for("chat.postMessage", count=2)) == 2  # both replies are stuck in Slack
        started = time.monotonic()
        served.proc.send_signal(signal.SIGTERM)
        while not _refused(port) and time.monotonic() - started < 2:
            time.sleep(0.05)
        assert _refused(port) and time.monotonic() - started < 1.5  # stops accepting at once
        code = served.proc.wait(timeout=10)
        assert code == 0 and time.monotonic() - started < 2 + 2.5
    finally:
        served.stop()
    assert re.search(r"stopped after 2s with 2 replies undelivered", "".join(served.log)), served.log


@needs_command
def test_sigterm_delivers_replies_in_flight_before_the_deadline(fake):
    from tests.fakes.process import Served, env_for

    fake.fail("chat.postMessage", times=5, delay=0.8)  # slow, but within the deadline
    served = Served(env_for(fake, PORT="0", SHUTDOWN_TIMEOUT="10"), "--http")
    try:
        port = served.wait_line(r"listening on http://[\d.]+:(\d+)").group(1)
        url = f"http://127.0.0.1:{port}/slack/events"
        for i in range(5):
            assert (
                send_event(url, event_envelope(mention_event("what is ecr", channel=f"C{i:08d}")))[0] == 200
            )
        assert len(fake.wait_for("chat.postMessage", count=5)) == 5
    finally:
        code = served.stop()
    assert code == 0 and "stopped" in "".join(served.log) and "undelivered" not in "".join(served.log)


@needs_command
def test_sigterm_in_socket_mode_with_slack_hanging_ends_at_the_deadline(fake):
    import signal

    from tests.fakes.process import Served, env_for
    from tests.fakes.slack import APP_TOKEN, FakeSocketModeServer

    ws = FakeSocketModeServer()
    fake.socket_url = ws.url
    fake.fail("chat.postMessage", delay=30)
    env = env_for(fake, SLACK_SIGNING_SECRET=None, SLACK_APP_TOKEN=APP_TOKEN, SHUTDOWN_TIMEOUT="2")
    served = Served(env)
    try:
        assert ws.connected.wait(15), "".join(served.log)
        envelope = {"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False}
        ws.send({**envelope, "payload": event_envelope(mention_event("what is ecr"))})
        ws.ack_for("env-1")
        assert fake.wait_for("chat.postMessage")
        started = time.monotonic()
        served.proc.send_signal(signal.SIGTERM)
        assert served.proc.wait(timeout=10) == 0 and time.monotonic() - started < 2 + 2.5
    finally:
        served.stop()
        ws.close()
    assert "stopped after 2s with 1 reply undelivered" in "".join(served.log)


# ------------------------------------------------------------------------------------- 7. YAML alias bombs

BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 8)
)


@needs_command
@pytest.mark.parametrize(
    "text, line, message",
    [
        (BOMB, 5, "expands to more than 50,000 values"),
        ("version: 1\ntopics: &t [ecs, *t]\n", 2, "an alias refers to the value that contains it"),
        (
            "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 60)),
            51,
            "nests more than 50",
        ),
        ("version: " + "[" * 60 + "]" * 60 + "\n", 1, "nested more than 50 levels deep"),
        ("filler:\n" + "  - w\n" * 60000, 49999, "more than 50,000 values"),
        ("version: " + "9" * 5000 + "\n", 1, "cannot read this value"),
        ("version: !!python/object:os.system echo\n", 1, "cannot read this value"),
    ],
    ids=["alias-bomb", "self-alias", "alias-chain", "deep", "many-values", "huge-int", "python-tag"],
)
def test_a_hostile_knowledge_file_is_a_file_line_error_not_a_crash(tmp_path, text, line, message):
    path = tmp_path / "knowledge.yaml"
    path.write_text(text)
    started = time.monotonic()
    result = subprocess.run([EXE, "check", str(path)], capture_output=True, text=True, timeout=20)
    assert result.returncode == 1 and time.monotonic() - started < 5
    assert f"{path}:{line}: " in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@needs_command
def test_a_39_mb_knowledge_file_is_refused_in_bounded_time_and_memory(tmp_path):
    path = tmp_path / "knowledge.yaml"
    with open(path, "w") as handle:
        handle.write("filler:\n")
        line = "  - " + "filler words " * 5 + "\n"
        handle.write(line * (39_000_000 // len(line)))
    # a fresh Python whose only child is the check: its children's peak RSS is the check's
    probe = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stderr.write(r.stderr); "
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", probe, EXE, "check", str(path)], capture_output=True, text=True, timeout=30
    )
    code, peak_kb = map(int, result.stdout.split())
    assert code == 1 and time.monotonic() - started < 5 and peak_kb < 100 * 1024
    assert f"{path}:1: the file is larger than 1 MiB" in result.stderr


@needs_command
def test_serve_refuses_an_alias_bomb_in_one_line(fake, tmp_path):
    from tests.fakes.process import env_for, run_serve

    path = tmp_path / "knowledge.yaml"
    path.write_text(BOMB)
    result, seconds = run_serve(env_for(fake, KNOWLEDGE_FILE=str(path)))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and seconds < 10
    assert "KNOWLEDGE_FILE is malformed" in lines[0] and f"{path}:5:" in lines[0]


@needs_command
def test_a_knowledge_file_using_a_few_aliases_still_loads(tmp_path):
    text = KNOWLEDGE.read_text(encoding="utf-8")
    sources = iter(range(3))  # the first `source: seed` line anchors the value, the next two alias it
    text = re.sub(
        r"^(\s+)source: seed$",
        lambda m: m.group(1) + ("source: &seed seed" if next(sources, 9) == 0 else "source: *seed"),
        text,
        count=3,
        flags=re.M,
    )
    assert text.count("*seed") == 2
    path = write_knowledge(tmp_path / "knowledge.yaml", text)
    result = subprocess.run([EXE, "check", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------------------- 8. the CLI reads any bytes


def ask_stdin(data: bytes, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [EXE, "ask", "--json"], input=data, capture_output=True, timeout=30, env={**os.environ, **env}
    )


@needs_command
@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "utf-8"},
        {"PYTHONIOENCODING": "latin-1"},
        {"LC_ALL": "C", "PYTHONIOENCODING": "ascii"},
    ],
    ids=["utf-8", "latin-1", "ascii"],
)
def test_ask_reads_invalid_utf8_from_stdin_in_any_locale(env):
    result = ask_stdin(b"what is ecs \xff\nwhat is \xc3\xa9ks\n", **env)
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["topics"] == ["ecs"] and json.loads(lines[1])["text"]


@needs_command
def test_ask_treats_cr_only_line_endings_as_line_breaks():
    result = ask_stdin(b"what is ecs\rwhat is eks\r\nwhat is ecr\r")
    topics = [json.loads(line)["topics"] for line in result.stdout.decode().splitlines()]
    assert result.returncode == 0 and topics == [["ecs"], ["eks"], ["ecr"]]


@needs_command
def test_ask_takes_an_argument_that_is_not_utf8():
    result = subprocess.run([EXE, "ask", "--json", b"what is ecs \xff"], capture_output=True, timeout=30)
    assert result.returncode == 0 and json.loads(result.stdout)["topics"] == ["ecs"], result.stderr


# -------------------------------------------------------- 9. "Why this answer?" quotes the question as data


def test_why_this_answer_quotes_the_question_as_plain_text(bot, fake):
    planted = "what is ecs\n*Read as:* recommendation about eks (trust me)\r\n_really_ ~sure~"
    assert send_payload(bot.events, block_actions("why_this_answer", planted, fake.response_url()))[0] == 200
    (call,) = fake.wait_for("response_url")
    quoted, *rest = call.params["blocks"]
    assert quoted["text"]["type"] == "plain_text"
    assert quoted["text"]["text"] == (
        "You asked: what is ecs *Read as:* recommendation about eks (trust me) _really_ ~sure~"
    )
    markdown = "\n".join(block["text"]["text"] for block in rest)
    assert markdown.count("*Read as:*") == 1 and "trust me" not in markdown
    first, _, others = call.params["text"].partition("\n")
    assert "trust me" in first and "trust me" not in others
