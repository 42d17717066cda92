"""Socket Mode recovers in seconds: a link closed, reset or silently frozen by the fake Slack is replaced,
events are acked again within 3 s with one link, and none are missed with two; each envelope is handled
once, whichever link brought it; /healthz fails while no link is alive."""

import time
import urllib.error
import urllib.request

import pytest

from tests.fakes.slack import event_envelope, mention_event, message_event, socket_envelope
from tests.fakes.socket_mode import outage
from tests.helpers import start_socket_bot


def chatter():
    """A channel message nobody asked the bot: acked, read, not answered (cheap, and no reply to wait for)."""
    return socket_envelope("events_api", event_envelope(message_event("lunch at noon, anyone?")))


@pytest.fixture
def links_of(fake, knowledge):
    started = []

    def start(count: int):
        ws, app, links = start_socket_bot(fake, knowledge, socket_connections=count)
        started.append((ws, app, links))
        deadline = time.monotonic() + 10
        while len(ws.links()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(ws.links()) == count
        return ws, app, links

    yield start
    for ws, app, links in started:
        ws.close()
        links.close()
        app.container_bot.outbox.shutdown(wait=False)


@pytest.mark.parametrize("how", ["close", "reset", "freeze"])
def test_one_link_acks_again_within_3_seconds(links_of, how):
    ws, _, _ = links_of(1)
    result = outage(ws, how, chatter, after=4.0)
    assert result["gap"] is not None and result["gap"] <= 3.0, result


@pytest.mark.parametrize("how", ["close", "reset", "freeze"])
def test_two_links_miss_no_event(links_of, how):
    ws, _, _ = links_of(2)
    result = outage(ws, how, chatter, after=4.0)
    assert result["missed"] == 0 and result["gap"] is not None and result["gap"] < 0.5, result


def test_an_event_brought_twice_is_answered_once(links_of, fake):
    """Slack sends an unacked event again, maybe on the other link: it is handled once."""
    ws, _, _ = links_of(2)
    envelope = event_envelope(mention_event("what is ecr"))
    first = socket_envelope("events_api", envelope)
    again = socket_envelope("events_api", envelope, retry_attempt=1)
    ws.send(first)
    ws.send(again)
    ws.ack_for(first["envelope_id"])
    ws.ack_for(again["envelope_id"])
    assert len(fake.wait_for("chat.postMessage")) == 1
    fake.settle(0.5)
    assert len(fake.called("chat.postMessage")) == 1


def test_healthz_fails_while_no_link_is_alive(links_of, fake):
    from bot.slack.http.server import make_http_server
    from bot.slack.http.wsgi import HealthWsgi

    ws, app, links = links_of(1)
    side = make_http_server(
        HealthWsgi(app, app.container_bot.metrics, lambda: app.container_bot.health.up),
        host="127.0.0.1",
        port=0,
        threads=2,
    )
    import threading

    threading.Thread(target=side.run, daemon=True).start()
    url = f"http://127.0.0.1:{side.effective_port}/healthz"

    def status() -> int:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    try:
        assert status() == 200
        fake.fail("apps.connections.open", times=10_000)  # Slack gives no new link for now
        ws.break_link("freeze")
        deadline = time.monotonic() + 5
        while status() == 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status() == 503  # within twice the ping interval of the last pong, and a little
        with fake.lock:
            fake.failures.clear()
        deadline = time.monotonic() + 5
        while status() != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status() == 200  # a new link, and it is well again
    finally:
        side.close()
