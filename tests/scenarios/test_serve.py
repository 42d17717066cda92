"""`container-bot serve` as a process, in HTTP and in Socket Mode: it answers, logs one JSON object per line,
calls auth.test once at start, and stops gracefully on SIGTERM. (Start-up errors: test_startup_errors.py;
shutdown deadlines: test_shutdown.py.)"""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.fakes.process import Served, env_for, installed_command
from tests.fakes.slack import (
    APP_TOKEN,
    BOT_TOKEN,
    FakeSocketModeServer,
    command_form,
    event_envelope,
    mention_event,
    send_event,
    send_form,
    socket_envelope,
)

EXE = installed_command()
pytestmark = pytest.mark.skipif(EXE is None, reason="container-bot is not installed (pip install .)")


# ------------------------------------------------------------------------------------------- HTTP mode


def test_http_mode_answers_and_stops_gracefully_on_sigterm(fake):
    fake.scopes = "app_mentions:read,chat:write,commands"  # the token lacks three scopes
    served = Served(env_for(fake, PORT="0"), "--http")
    try:
        port = served.wait_line(r"listening on http://[\d.]+:(\d+)").group(1)
        assert "lacks the scope channels:history" in "".join(served.log)
        status, _, seconds = send_event(
            f"http://127.0.0.1:{port}/slack/events", event_envelope(mention_event("what is ecr"))
        )
        assert status == 200 and seconds < 3
        assert fake.wait_for("chat.postMessage")
    finally:
        code = served.stop()
    assert code == 0 and "stopped" in "".join(served.log)
    assert BOT_TOKEN not in "".join(served.log)


def test_json_logs_one_object_per_line_without_message_text(fake):
    served = Served(env_for(fake, PORT="0", LOG_FORMAT="json"), "--http")
    long_question = "where is the offsite this year " + "and who is coming " * 40
    try:
        port = served.wait_line(r"listening on http://[\d.]+:(\d+)").group(1)
        url = f"http://127.0.0.1:{port}/slack/events"
        send_event(url, event_envelope(mention_event("ecs vs eks control plane")))
        answered = served.wait_line(r'"message": "answered"').string
        send_event(url, event_envelope(mention_event(long_question)))
        unanswered = served.wait_line(r'"message": "unanswered question"').string
    finally:
        served.stop()
    assert all(json.loads(line) for line in served.log if line.strip())
    record = json.loads(answered)
    assert record["event_type"] == "app_mention" and record["kind"] == "comparison" and "latency_ms" in record
    assert "control plane" not in "".join(served.log)  # answered questions are never written down
    question = json.loads(unanswered)["question"]
    assert question.startswith("where is the offsite this year") and len(question) == 200


# ------------------------------------------------------------------------------------------ Socket Mode


def test_socket_mode_answers_acks_and_drops_redelivery(fake):
    ws = FakeSocketModeServer()
    fake.socket_url = ws.url
    served = Served(env_for(fake, SLACK_SIGNING_SECRET=None, SLACK_APP_TOKEN=APP_TOKEN, METRICS_PORT="0"))
    try:
        side = served.wait_line(r"health and metrics on http://[\d.]+:(\d+)").group(1)
        assert ws.connected.wait(15), "".join(served.log)
        assert fake.called("apps.connections.open")
        event = event_envelope(mention_event("ecs vs eks learning curve"))
        ws.send(
            {
                "envelope_id": "env-1",
                "type": "events_api",
                "payload": event,
                "accepts_response_payload": False,
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        assert ws.ack_for("env-1")["envelope_id"] == "env-1"
        (post,) = fake.wait_for("chat.postMessage")
        assert post.params["thread_ts"] == event["event"]["ts"] and "learning curve" in post.params["text"]
        # Slack redelivers the same event in a new envelope: acknowledged, not answered twice
        ws.send(
            {
                "envelope_id": "env-2",
                "type": "events_api",
                "payload": event,
                "accepts_response_payload": False,
                "retry_attempt": 1,
                "retry_reason": "timeout",
            }
        )
        ws.ack_for("env-2")
        ws.send(
            {
                "envelope_id": "env-3",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": command_form("help", fake.response_url()),
            }
        )
        ack = ws.ack_for("env-3")
        assert "guided choice" in json.dumps(ack.get("payload"))
        fake.settle()
        assert len(fake.called("chat.postMessage")) == 1
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{side}/healthz", timeout=5) as response:
            assert response.status == 200  # connected
            health = json.loads(response.read())
            assert health["status"] == "ok" and health["knowledge"]["version"] == 1
            assert len(health["knowledge"]["checksum"]) == 64
        with urllib.request.urlopen(f"http://127.0.0.1:{side}/metrics", timeout=5) as response:
            assert 'container_bot_answers_total{kind="comparison"} 1.0' in response.read().decode()
    finally:
        code = served.stop()
        ws.close()
    assert code == 0


# ----------------------------------------------------------------------------------- one auth.test


def get(url: str, timeout: float = 5) -> tuple[int, float]:
    import urllib.request

    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, time.monotonic() - start
    except urllib.error.HTTPError as exc:
        return exc.code, time.monotonic() - start


def test_http_after_start_never_calls_auth_test_again_even_when_slack_hangs(fake):
    """serve's start-up auth.test is handed to Bolt: the first requests after a restart do not call it
    again, so a Web API that hangs right after start delays no ack, and /healthz answers under 20 concurrent
    events."""
    served = Served(env_for(fake, PORT="0", SLACK_API_TIMEOUT="2"), "--http")
    try:
        port = served.wait_line(r"listening on http://[\d.]+:(\d+)").group(1)
        assert len(fake.called("auth.test")) == 1  # the start-up check
        fake.fail("auth.test", times=40, delay=5)  # Slack hangs from now on
        fake.fail("chat.postMessage", times=40, delay=5)
        url = f"http://127.0.0.1:{port}/slack/events"
        envelopes = [event_envelope(mention_event("what is ecr", channel=f"C{i:08d}")) for i in range(20)]
        with ThreadPoolExecutor(21) as pool:
            acks = pool.map(lambda e: send_event(url, e, timeout=10), envelopes)
            health = pool.submit(get, f"http://127.0.0.1:{port}/healthz")
            results = list(acks)
            assert health.result() == (200, pytest.approx(0, abs=1.0))
        assert all(status == 200 and seconds < 3 for status, _, seconds in results), results
        form = command_form("ecs vs eks", fake.response_url())
        status, body, seconds = send_form(url, form)
        assert status == 200 and seconds < 1.5 and "Amazon ECS vs Amazon EKS" in body
        assert len(fake.called("auth.test")) == 1
    finally:
        served.stop()


def test_socket_mode_after_start_never_calls_auth_test_again(fake):
    ws = FakeSocketModeServer()
    fake.socket_url = ws.url
    served = Served(env_for(fake, SLACK_SIGNING_SECRET=None, SLACK_APP_TOKEN=APP_TOKEN))
    try:
        served.wait_line(r"connected in Socket Mode")
        fake.fail("auth.test", times=10, delay=5)
        command = socket_envelope("slash_commands", command_form("ecs vs eks", fake.response_url()))
        ws.send(command)
        ack = ws.ack_for(command["envelope_id"], timeout=10)
        assert ws.ack_seconds(command["envelope_id"]) < 1.5 and "Amazon ECS" in ack["payload"]["text"]
        assert len(fake.called("auth.test")) == 1
    finally:
        served.stop()
        ws.close()
