"""A fake of Slack's Socket Mode side: a local WebSocket server that speaks the protocol (hello, envelopes,
acks), reached through a TCP relay per connection so a test can break a link the three ways links die:

- `close`: the server closes the WebSocket cleanly (a close frame);
- `reset`: the relay resets both TCP connections (RST), with no close frame;
- `freeze`: the relay silently stops moving bytes both ways, and keeps both connections open.

Like Slack, it spreads envelopes across the open connections (each envelope goes to one), pings each
connection and drops one that stops answering, and sends an Events API envelope that was not acked within
`retry_after` seconds again (a new envelope id, `retry_attempt` one more, up to 3 times); commands and
interactions are never sent again. Only 127.0.0.1; every loop is bounded in time."""

from __future__ import annotations

import itertools
import json
import queue
import select
import socket
import struct
import threading
import time

_ids = itertools.count(1)


class _Relay:
    """One client connection relayed to the WebSocket server: bytes move both ways until frozen or ended."""

    def __init__(self, client: socket.socket, upstream: socket.socket):
        self.client, self.upstream = client, upstream
        self.frozen = threading.Event()
        self.ended = threading.Event()
        self.port = upstream.getsockname()[1]  # the server sees this connection as coming from this port
        threading.Thread(target=self._run, daemon=True, name="relay").start()

    def _run(self) -> None:
        pairs = {self.client: self.upstream, self.upstream: self.client}
        try:
            while not self.ended.is_set():
                if self.frozen.is_set():
                    time.sleep(0.02)
                    continue
                readable, _, _ = select.select(list(pairs), [], [], 0.02)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        self.end()
                        return
                    pairs[source].sendall(data)
        except OSError:
            self.end()

    def reset(self) -> None:
        for sock in (self.client, self.upstream):
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        self.end()

    def end(self) -> None:
        self.ended.set()
        for sock in (self.client, self.upstream):
            try:
                sock.close()
            except OSError:
                pass


class FakeSocketModeServer:
    def __init__(self, lifetime: float = 120.0, retry_after: float = 3.0, server_ping: float = 1.0):
        from websockets.sync.server import serve

        self.outbox: queue.Queue[dict] = queue.Queue()
        self.connected = threading.Event()
        self.sent_at: dict[str, float] = {}
        self.acked_at: dict[str, float] = {}
        self.acks: dict[str, dict] = {}
        self.original: dict[str, str] = {}  # envelope id of a retry -> the envelope id first sent
        self.retry_after = retry_after
        self._envelopes: dict[str, dict] = {}
        self._changed = threading.Condition()
        self._lifetime = lifetime
        self._stopped = threading.Event()
        self._relays: dict[int, _Relay] = {}
        self._links: dict[int, object] = {}  # the relay's port -> the server's WebSocket connection
        # Slack pings its end too: a connection that stops answering is dropped within a few seconds
        self.server = serve(
            self._handle, "127.0.0.1", 0, ping_interval=server_ping, ping_timeout=2 * server_ping
        )
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        threading.Thread(target=self._accept, daemon=True, name="relay-accept").start()
        threading.Thread(target=self._retry, daemon=True, name="retry").start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket=fake"

    # ------------------------------------------------------------------------------------- connections

    def _accept(self) -> None:
        upstream_port = self.server.socket.getsockname()[1]
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            upstream = socket.create_connection(("127.0.0.1", upstream_port), timeout=5)
            upstream.settimeout(None)
            relay = _Relay(client, upstream)
            with self._changed:
                self._relays[relay.port] = relay

    def links(self) -> list[int]:
        """The open connections, oldest first (by the relay's port)."""
        with self._changed:
            return [port for port, relay in self._relays.items() if not relay.ended.is_set()]

    def break_link(self, how: str, which: int = 0) -> int:
        """Break the `which`-th open connection: "close", "reset" or "freeze". Returns its port."""
        port = self.links()[which]
        with self._changed:
            relay, ws = self._relays[port], self._links.get(port)
        if how == "close":
            if ws is not None:
                ws.close()  # type: ignore[attr-defined]
        elif how == "reset":
            relay.reset()
        elif how == "freeze":
            relay.frozen.set()
        else:
            raise ValueError(how)
        return port

    def _handle(self, ws):
        port = ws.remote_address[1]
        with self._changed:
            self._links[port] = ws
        ws.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": len(self.links()),
                    "connection_info": {"app_id": "AFAKE0001"},
                    "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                }
            )
        )
        self.connected.set()
        done = threading.Event()

        def pump():
            while not done.is_set():
                try:
                    envelope = self.outbox.get(timeout=0.05)
                except queue.Empty:
                    continue
                with self._changed:
                    self.sent_at[envelope["envelope_id"]] = time.monotonic()
                try:
                    ws.send(json.dumps(envelope))
                except Exception:
                    self.outbox.put(envelope)  # this connection is gone before it took it: another will
                    return

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + self._lifetime
        try:
            while time.monotonic() < deadline:
                try:
                    message = json.loads(ws.recv(timeout=0.1))
                except TimeoutError:
                    continue
                except Exception:
                    return
                with self._changed:
                    envelope_id = message.get("envelope_id", "")
                    self.acked_at.setdefault(envelope_id, time.monotonic())
                    self.acks.setdefault(envelope_id, message)
                    self._changed.notify_all()
        finally:
            done.set()
            with self._changed:
                self._links.pop(port, None)
            relay = self._relays.get(port)
            if relay is not None:
                relay.end()

    # --------------------------------------------------------------------------------------- envelopes

    def send(self, envelope: dict) -> None:
        with self._changed:
            self._envelopes[envelope["envelope_id"]] = envelope
        self.outbox.put(envelope)

    def _retry(self) -> None:
        """Events API envelopes not acked in time go out again, as Slack retries them."""
        while not self._stopped.wait(0.1):
            now = time.monotonic()
            with self._changed:
                late = [
                    e
                    for eid, e in self._envelopes.items()
                    if e["type"] == "events_api"
                    and eid in self.sent_at
                    and not self._acked(eid)
                    and now - self.sent_at[eid] > self.retry_after
                    and e.get("retry_attempt", 0) < 3
                    and not e.get("_retried")
                ]
                for envelope in late:
                    envelope["_retried"] = True
            for envelope in late:
                again = {k: v for k, v in envelope.items() if k != "_retried"}
                again["envelope_id"] = f"{envelope['envelope_id'].split('~')[0]}~r{next(_ids)}"
                again["retry_attempt"] = envelope.get("retry_attempt", 0) + 1
                again["retry_reason"] = "timeout"
                with self._changed:
                    self.original[again["envelope_id"]] = self.original.get(
                        envelope["envelope_id"], envelope["envelope_id"]
                    )
                self.send(again)

    def _acked(self, envelope_id: str) -> bool:
        """This envelope, or any retry of the one it retries, was acked (called under the lock)."""
        first = self.original.get(envelope_id, envelope_id)
        return any(self.original.get(eid, eid) == first for eid in self.acks)

    def acked(self, envelope_id: str) -> float | None:
        """When the envelope first sent as `envelope_id` was acked, on any attempt; None if never."""
        with self._changed:
            times = [t for eid, t in self.acked_at.items() if self.original.get(eid, eid) == envelope_id]
        return min(times) if times else None

    def ack_for(self, envelope_id: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        with self._changed:
            while envelope_id not in self.acks:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no ack for {envelope_id}")
                self._changed.wait(left)
            return self.acks[envelope_id]

    def ack_seconds(self, envelope_id: str) -> float:
        """From the envelope leaving the server to its ack arriving."""
        with self._changed:
            return self.acked_at[envelope_id] - self.sent_at[envelope_id]

    def close(self):
        self._stopped.set()
        with self._changed:
            relays = list(self._relays.values())
        for relay in relays:
            relay.end()
        self._listener.close()
        self.server.shutdown()


def outage(
    ws: FakeSocketModeServer,
    how: str,
    make_envelope,
    every: float = 0.02,
    before: float = 0.5,
    after: float = 5.0,
    settle: float = 8.0,
) -> dict:
    """Send an envelope every `every` seconds, break one link `before` seconds in, keep sending for `after`
    seconds, then wait up to `settle` seconds for late acks (retries). Returns the gap (from the break to the
    first ack of an envelope sent after it, in seconds), how many envelopes were sent, how many were never
    acked on any attempt (missed), and how many were acked more than a second after they were sent (late)."""
    sent: list[tuple[str, float]] = []
    started = time.monotonic()
    broken_at = None
    while time.monotonic() - started < before + after:
        if broken_at is None and time.monotonic() - started >= before:
            ws.break_link(how)
            broken_at = time.monotonic()
        envelope = make_envelope()
        sent.append((envelope["envelope_id"], time.monotonic()))
        ws.send(envelope)
        time.sleep(every)
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline and any(ws.acked(eid) is None for eid, _ in sent):
        time.sleep(0.05)
    acks = {eid: ws.acked(eid) for eid, _ in sent}
    after_break = [acks[eid] for eid, at in sent if at >= broken_at and acks[eid] is not None]
    return {
        "gap": round(min(after_break) - broken_at, 3) if after_break else None,
        "sent": len(sent),
        "missed": sum(1 for t in acks.values() if t is None),
        # acked only on a retry, or after a second: sent into the dying link (a click or a command sent there
        # would be lost, since Slack retries only events)
        "late": sum(1 for eid, at in sent if acks[eid] is not None and acks[eid] - at > 1.0),
    }
