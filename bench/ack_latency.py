"""Ack latency while replies wait on a rate-limited Web API, over HTTP and Socket Mode.

    python bench/ack_latency.py          # both modes (Socket Mode needs websockets: pip install '.[bench]')
    python bench/ack_latency.py --mode http --pending 24 --retry-after 3

The fake Slack answers the next PENDING chat.postMessage calls with 429 and `Retry-After: RETRY_AFTER`.
PENDING mentions arrive, so PENDING replies wait out the rate limit; while they wait, slash commands, a
button click and a modal submission arrive together. It prints how long each took to be acknowledged (Slack
gives up at 3 s) and how long after the first command the guided-choice modal was opened (a trigger_id
lives 3 s). Against `container-bot serve` as a process, on 127.0.0.1 only, bounded in count and time; it
prints figures and never fails."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.process import Served  # noqa: E402
from tests.fakes.slack import (  # noqa: E402
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    block_actions,
    command_form,
    event_envelope,
    mention_event,
    send_event,
    send_form,
    send_payload,
    socket_envelope,
    view_submission,
)

GUIDED = {
    "kubernetes": "no",
    "k8s_ecosystem": "no",
    "portability": "no",
    "team_k8s": "no",
    "aws_invested": "yes",
    "simplicity": "yes",
    "cost": "yes",
}


def requests_to_ack(fake: FakeSlack, copies: int) -> list[tuple[str, str, dict]]:
    """(label, Socket Mode envelope type, payload or form) for each request whose ack is timed."""
    out = []
    for i in range(copies):
        url = fake.response_url(f"cmd{i}")
        out += [
            ("/container-choice (opens the modal)", "slash_commands", command_form("", url)),
            ("/container-choice ecs vs eks", "slash_commands", command_form("ecs vs eks", url)),
            (
                "button: Compare ECS and EKS",
                "interactive",
                block_actions("compare_services", "ecs vs eks", url),
            ),
            (
                "modal submission",
                "interactive",
                view_submission(GUIDED, {"response_url": url, "channel": "C0000CHAN"}),
            ),
        ]
    return out


def _env(fake: FakeSlack, **extra) -> dict:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("SLACK_") and k not in ("PORT", "REDIS_URL")
    }
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake.api_url, LOG_LEVEL="INFO")
    env.update(extra)
    return env


def run(mode: str = "http", pending: int = 24, retry_after: int = 3, copies: int = 3) -> dict:
    fake = FakeSlack().start()
    ws = None
    if mode == "socket":
        from tests.fakes.slack import FakeSocketModeServer

        ws = FakeSocketModeServer()
        fake.socket_url = ws.url
        served = Served(_env(fake, SLACK_APP_TOKEN=APP_TOKEN))
    else:
        served = Served(_env(fake, SLACK_SIGNING_SECRET=SIGNING_SECRET, PORT="0", LOG_LEVEL="INFO"), "--http")
    try:
        if ws is not None:
            served.wait_line(r"connected in Socket Mode", timeout=20)
            url = ""
        else:
            port = served.wait_line(r"listening on http://[\d.]+:(\d+)", timeout=20).group(1)
            url = f"http://127.0.0.1:{port}/slack/events"
        fake.fail(
            "chat.postMessage",
            times=pending,
            status=429,
            body={"ok": False, "error": "ratelimited"},
            headers={"Retry-After": str(retry_after)},
        )
        mentions = [event_envelope(mention_event("what is ecr", channel=f"C{i:08d}")) for i in range(pending)]
        with ThreadPoolExecutor(min(pending, 32) or 1) as pool:
            if ws is not None:
                for envelope in mentions:
                    ws.send(socket_envelope("events_api", envelope))
            else:
                list(pool.map(lambda e: send_event(url, e), mentions))
            # the replies are now waiting out the rate limit (as many as the bot lets run at once)
            fake.wait_for("chat.postMessage", count=min(pending, 16), timeout=5)
            rate_limited_at = time.monotonic()
            timed = requests_to_ack(fake, copies)
            started: dict[int, float] = {}

            bodies: dict[int, str] = {}

            def one_http(i: int) -> float:
                label, kind, payload = timed[i]
                started[i] = time.monotonic()
                if kind == "slash_commands":
                    status, bodies[i], seconds = send_form(url, payload)
                else:
                    status, bodies[i], seconds = send_payload(url, payload)
                return seconds if status == 200 else float("inf")

            bodies = {}
            if ws is not None:
                envelopes = []
                for i, (_, kind, payload) in enumerate(timed):
                    envelopes.append(socket_envelope(kind, payload))
                    started[i] = time.monotonic()
                    ws.send(envelopes[-1])
                seconds = []
                deadline = time.monotonic() + 10  # Slack itself gives up after 3 s
                for i, envelope in enumerate(envelopes):
                    try:
                        ack = ws.ack_for(
                            envelope["envelope_id"], timeout=max(0.0, deadline - time.monotonic())
                        )
                        seconds.append(ws.ack_seconds(envelope["envelope_id"]))
                        bodies[i] = json.dumps(ack.get("payload") or {})
                    except AssertionError:
                        seconds.append(float("inf"))
            else:
                seconds = list(pool.map(one_http, range(len(timed))))
        opened = fake.wait_for("views.open", count=copies, timeout=10)
        open_delays = sorted(c.at - min(started.values()) for c in opened)
        by_label: dict[str, list[float]] = {}
        for (label, _, _), s in zip(timed, seconds, strict=True):
            by_label.setdefault(label, []).append(s)
        question = [i for i, (label, _, _) in enumerate(timed) if label.endswith("ecs vs eks")]
        answered_in_ack = sum(1 for i in question if "Amazon ECS vs Amazon EKS" in bodies.get(i, ""))
        # every mention and every Compare click gets its reply once the rate limit has passed
        expected = pending + copies
        fake.wait_for("chat.postMessage", count=pending + expected, timeout=retry_after * 4 + 10)
        all_acks = sorted(seconds)
        return {
            "mode": mode,
            "pending_replies": pending,
            "retry_after_s": retry_after,
            "sent_after_rate_limit_ms": round((min(started.values()) - rate_limited_at) * 1000, 1),
            "acks": {
                label: {
                    "n": len(values),
                    "acked": sum(1 for v in values if v != float("inf")),
                    "median_ms": _ms(statistics.median(values)),
                    "max_ms": _ms(max(values)),
                }
                for label, values in by_label.items()
            },
            "ack_max_ms": _ms(all_acks[-1]),
            "acked_over_1_5_s": sum(1 for s in all_acks if s > 1.5),
            "acked_over_3_s": sum(1 for s in all_acks if s > 3),
            "modal_opened": len(opened),
            "modal_open_max_ms": _ms(open_delays[-1]) if open_delays else None,
            "answers_in_the_ack": f"{answered_in_ack}/{len(question)}",
            "replies_delivered": f"{len(fake.called('chat.postMessage')) - pending}/{expected}",
        }
    finally:
        served.stop()
        fake.stop()
        if ws is not None:
            ws.close()


def _ms(seconds: float) -> float | None:
    return None if seconds == float("inf") else round(seconds * 1000, 1)


def print_figures(r: dict) -> None:
    print(
        f"\n{r['mode']}: {r['pending_replies']} replies waiting out 429 Retry-After: {r['retry_after_s']}; "
        f"requests sent {r['sent_after_rate_limit_ms']} ms after the replies were rate limited"
    )
    print("  request                                  n  acked   median ack     max ack")
    for label, v in r["acks"].items():
        median = "no ack" if v["median_ms"] is None else f"{v['median_ms']:.0f} ms"
        top = "no ack" if v["max_ms"] is None else f"{v['max_ms']:.0f} ms"
        print(f"  {label:38} {v['n']:>3} {v['acked']:>6} {median:>12} {top:>11}")
    print(
        f"  acked over 1.5 s: {r['acked_over_1_5_s']}, over 3 s: {r['acked_over_3_s']}; guided-choice modal "
        f"opened {r['modal_opened']} times, the last {r['modal_open_max_ms']} ms after the first command "
        f"(trigger_id lives 3,000 ms)\n  question answered in its ack: {r['answers_in_the_ack']}; replies "
        f"delivered once the rate limit passed: {r['replies_delivered']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["http", "socket", "both"], default="both")
    parser.add_argument("--pending", type=int, default=24, help="replies held by the rate limit (max 200)")
    parser.add_argument("--retry-after", type=int, default=3, help="seconds of Retry-After (max 30)")
    parser.add_argument("--copies", type=int, default=3, help="copies of each timed request (max 20)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    modes = ["http", "socket"] if args.mode == "both" else [args.mode]
    results = []
    for mode in modes:
        if mode == "socket":
            try:
                import websockets  # noqa: F401
            except ImportError:
                print(
                    "\nsocket: skipped (the fake Socket Mode server needs websockets: pip install '.[bench]')"
                )
                continue
        results.append(run(mode, min(args.pending, 200), min(args.retry_after, 30), min(args.copies, 20)))
        print_figures(results[-1])
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
