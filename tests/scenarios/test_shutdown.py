"""SIGTERM: serve stops accepting at once, delivers the replies in flight, and ends by SHUTDOWN_TIMEOUT even
when Slack hangs, saying how many replies were left undelivered (HTTP and Socket Mode)."""

import re
import socket
import time

from tests.fakes.slack import event_envelope, mention_event, send_event
from tests.helpers import needs_command


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
        for i, question in enumerate(("what is ecr", "what is ecs")):  # two channels: two posts at once
            assert send_event(url, event_envelope(mention_event(question, channel=f"C{i:08d}")))[0] == 200
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
