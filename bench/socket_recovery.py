"""Socket Mode recovery: how long events go unacked after a link is closed, reset or silently frozen, and how
many are never acked, with one link and with two, against the fake Slack's Socket Mode server.

127.0.0.1 only; each case sends one event every 20 ms for 4.5 s and waits at most 8 s more for retries.
Usage: python bench/socket_recovery.py [--ping 1.0]"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.knowledge import load_knowledge  # noqa: E402
from tests.fakes.slack import FakeSlack, event_envelope, message_event, socket_envelope  # noqa: E402
from tests.fakes.socket_mode import outage  # noqa: E402
from tests.helpers import start_socket_bot  # noqa: E402


def chatter():
    return socket_envelope("events_api", event_envelope(message_event("lunch at noon, anyone?")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ping", type=float, default=1.0, help="SOCKET_MODE_PING_SECONDS")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    knowledge = load_knowledge()
    figures = []
    for links in (1, 2):
        for how in ("close", "reset", "freeze"):
            fake = FakeSlack().start()
            ws, app, running = start_socket_bot(
                fake, knowledge, socket_connections=links, socket_ping_seconds=args.ping
            )
            deadline = time.monotonic() + 10
            while len(ws.links()) < links and time.monotonic() < deadline:
                time.sleep(0.05)
            result = outage(ws, how, chatter, after=4.0)
            figures.append({"links": links, "break": how, **result})
            ws.close()
            running.close()
            app.container_bot.outbox.shutdown(wait=False)
            fake.stop()
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
