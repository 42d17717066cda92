"""Connections that idle or trickle cannot starve real ones: 150 idle sockets leave health checks and events
fast, and a request that never finishes is cut off, while a kept-alive connection between requests is not."""

import socket
import time

from tests.fakes.slack import event_envelope, mention_event, send_event
from tests.helpers import alive, connect, start_bot


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
