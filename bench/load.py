"""Load: N signed events, K in flight, against `container-bot serve --http` and a fake Slack Web API.

127.0.0.1 only, bounded in count and time, stops by itself. Reports time to acknowledge (p50/p99), replies
per second, errors and duplicates, and the mentions left unanswered because their channel's queue was full:
posts are paced to about one a second per channel (docs/operations.md, Hardening), so M mentions spread
over C channels in a few seconds cannot all be answered. Usage: python bench/load.py [--events 500]
[--concurrency 25] [--channels 7] [--time-limit 120]"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.process import installed_command  # noqa: E402
from tests.fakes.slack import (  # noqa: E402  (the same fake Slack the tests use)
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    event_envelope,
    mention_event,
    send_event,
)

QUESTIONS = [
    "what is ecr again",
    "ecs vs eks",
    "ecs vs eks learning curve",
    "ecs or eks?",
    "small team, all in on AWS, want it simple",
    "is ECS built on Kubernetes?",
    "lunch?",
    "our platform is all kubernetes in our DC, moving to aws - which one?",
]


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM: the most resident memory the process has had (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def dropped(port: str) -> dict[str, float]:
    """container_bot_outbox_dropped_total by lane, from /metrics."""
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    found = re.findall(r'^container_bot_outbox_dropped_total\{lane="(\w+)"\} ([\d.e+]+)$', text, re.M)
    return {lane: float(value) for lane, value in found}


def run(events: int = 500, concurrency: int = 25, time_limit: float = 120.0, channels: int = 7) -> dict:
    exe = installed_command()
    if exe is None:
        raise SystemExit("install first: pip install .")
    fake = FakeSlack().start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        PORT="0",
        LOG_LEVEL="WARNING",
    )
    proc = subprocess.Popen(
        [exe, "serve", "--http"], env={**env, "LOG_LEVEL": "INFO"}, stderr=subprocess.PIPE, text=True
    )
    try:
        port = None
        deadline = time.monotonic() + 20
        while port is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            found = re.search(r"listening on http://[\d.]+:(\d+)", line or "")
            port = found.group(1) if found else None
            if not line and proc.poll() is not None:
                raise SystemExit("serve exited before listening")
        if port is None:
            raise SystemExit("serve did not start listening within 20 s")
        subprocess.Popen(["cat"], stdin=proc.stderr, stdout=subprocess.DEVNULL)  # keep draining its log
        url = f"http://127.0.0.1:{port}/slack/events"
        envelopes = [
            event_envelope(mention_event(QUESTIONS[i % len(QUESTIONS)], channel=f"C{i % channels:08d}"))
            for i in range(events)
        ]

        def one(envelope):
            try:
                status, _, seconds = send_event(url, envelope, timeout=10)
                return status, seconds
            except OSError:  # refused, reset or timed out: an error, counted
                return 0, None

        started = time.monotonic()
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(one, envelopes))
        acked = time.monotonic() - started
        deadline = started + time_limit
        while True:  # every mention answered, or left unanswered for its channel's full queue
            replies = fake.called("chat.postMessage")
            gone = dropped(port)
            if len(replies) + sum(gone.values()) >= events or time.monotonic() > deadline:
                break
            time.sleep(0.25)
        finished = max(c.at for c in replies) - min(c.at for c in replies) if replies else 0.0
        ack_times = sorted(s for status, s in results if status == 200 and s is not None)
        threads = [(c.params.get("channel"), c.params.get("thread_ts")) for c in replies]
        figures = {
            "events": events,
            "concurrency": concurrency,
            "peak_rss_mb": peak_rss_mb(proc.pid),
            "acknowledged": len(ack_times),
            "errors": sum(1 for status, _ in results if status != 200),
            "ack_p50_ms": round(statistics.median(ack_times) * 1000, 1) if ack_times else None,
            "ack_p99_ms": round(ack_times[int(len(ack_times) * 0.99) - 1] * 1000, 1) if ack_times else None,
            "ack_max_ms": round(ack_times[-1] * 1000, 1) if ack_times else None,
            "over_3s": sum(1 for s in ack_times if s >= 3),
            "channels": channels,
            "replies": len(replies),
            "unanswered_channel_queue_full": int(gone.get("channel", 0)),
            "unanswered_outbox_full": int(gone.get("reply", 0)),
            "duplicates": len(threads) - len(set(threads)),
            "replies_per_second": round(len(replies) / (acked + 1e-9), 1),
            "reply_span_s": round(finished, 2),
        }
        return figures
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=25)
    parser.add_argument("--channels", type=int, default=7, help="channels the mentions are spread over")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds to wait for every reply")
    args = parser.parse_args()
    figures = run(
        min(args.events, 10_000),
        min(args.concurrency, 200),
        min(args.time_limit, 600.0),
        max(1, min(args.channels, 10_000)),
    )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
