"""The HTTP server `serve` runs: waitress, with limits chosen for a Slack endpoint, and a graceful stop."""

from __future__ import annotations

import logging
import signal
import time

from ...settings import Settings
from ..executor import ReplyExecutor
from ..lifecycle import finish, unusable_port
from ..metrics import Metrics
from .wsgi import MAX_BODY, SlackWsgi

log = logging.getLogger("container_bot.server")
MAX_HEADER_BYTES = 32 * 1024
CONNECTION_LIMIT = 500  # open connections; idle ones are closed by the two timeouts below
REQUEST_TIMEOUT = 10.0  # seconds from a request's first byte (or from connecting) until it must be whole
KEEPALIVE_TIMEOUT = 75  # an idle kept-alive connection: above an ALB's 60 s, so the ALB closes it first
HTTP_THREADS = 16


def make_http_server(
    wsgi, host: str, port: int, request_timeout: float = REQUEST_TIMEOUT, threads: int = HTTP_THREADS
):
    """waitress with limits chosen for a Slack endpoint (docs/operations.md, Hardening):

    - a body over MAX_BODY is refused from its Content-Length, and a chunked one as soon as it passes the
      limit, before it is read; accepted bodies stay in memory (inbuf_overflow is above the limit), so no
      request ever reaches the disk (a read-only root, a 16 Mi /tmp);
    - up to CONNECTION_LIMIT connections; a request must arrive whole within `request_timeout` of its first
      byte (or of connecting), so connections that never finish their headers are closed within seconds,
      and an idle kept-alive one after KEEPALIVE_TIMEOUT; with poll(), not select(), so descriptors past
      1024 are fine.
    """
    from waitress.channel import HTTPChannel
    from waitress.server import TcpWSGIServer

    class Channel(HTTPChannel):
        waiting_since: float | None = None  # when the request being received began; None between requests

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.waiting_since = self.creation_time

        def received(self, data):
            if data and self.waiting_since is None:
                self.waiting_since = time.time()
            result = super().received(data)
            if self.request is None:  # nothing half-received: between requests, the keep-alive timeout rules
                self.waiting_since = None
            return result

    class Server(TcpWSGIServer):
        channel_class = Channel

        def maintenance(self, now):
            idle_cutoff, request_cutoff = now - self.adj.channel_timeout, now - request_timeout
            for channel in list(self.active_channels.values()):
                if channel.requests:
                    continue  # being answered
                waiting = getattr(channel, "waiting_since", None)
                if (waiting is not None and waiting < request_cutoff) or channel.last_activity < idle_cutoff:
                    channel.will_close = True

    return Server(
        wsgi,
        host=host,
        port=port,
        threads=threads,
        ident="container-bot",
        clear_untrusted_proxy_headers=True,
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=KEEPALIVE_TIMEOUT,
        cleanup_interval=1,
        asyncore_use_poll=True,
        max_request_header_size=MAX_HEADER_BYTES,
        max_request_body_size=MAX_BODY + 1,  # waitress refuses at >= this
        inbuf_overflow=2 * MAX_BODY,
    )


def run_http(app, settings: Settings, metrics: Metrics, executor: ReplyExecutor) -> int:
    try:
        server = make_http_server(SlackWsgi(app, settings, metrics), host="0.0.0.0", port=settings.port)
    except OSError as exc:
        raise unusable_port("PORT", settings.port, exc) from None
    stop_requested: list[float] = []

    def on_term(signum, frame):
        if not stop_requested:
            stop_requested.append(time.monotonic())
            _stop_listening(server)  # new connections are refused from now on
            raise SystemExit(0)  # waitress catches it and lets its request threads finish (up to 5 s)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    log.info(
        "listening on http://%s:%s (POST /slack/events, GET /healthz, GET /metrics)",
        server.effective_host,
        server.effective_port,
    )
    try:
        server.run()
    finally:
        for channel in list(server.active_channels.values()):
            channel.handle_close()  # kept-alive connections too: nothing will answer them now
        server.close()
    return finish(app, executor, settings, stop_requested[0] if stop_requested else time.monotonic())


def _stop_listening(server) -> None:
    from waitress import wasyncore

    try:
        wasyncore.dispatcher.close(server)  # the listening socket only; the server's wake-up pipe stays
    except OSError:
        pass
