"""Memory levels off, whatever people write: `container-bot serve` reads 2,000 overheard channel messages of
random words and random CJK text (no mention, nothing answered), and its resident memory grows by less than
5 MB between the 500th and the 2,000th. (Each such message used to add 40-250 KB: the models kept every
feature they were asked about, unknown ones too.)"""

import random
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fakes.process import Served, env_for, installed_command
from tests.fakes.slack import event_envelope, message_event, send_event

pytestmark = pytest.mark.skipif(
    installed_command() is None or not Path("/proc/self/status").exists(),
    reason="needs the installed container-bot and Linux's /proc",
)

MESSAGES = 2000
FIRST = 500
GROWTH_MB = 5.0


def random_words(rng: random.Random) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join("".join(rng.choices(letters, k=rng.randint(4, 9))) for _ in range(120))


def random_cjk(rng: random.Random) -> str:
    return "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(800))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def messages_read(url: str) -> float:
    """How many messages the bot has read (answered or not): the sum of container_bot_answers_total."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        text = response.read().decode()
    counted = [line for line in text.splitlines() if line.startswith("container_bot_answers_total{")]
    return sum(float(line.rsplit(" ", 1)[1]) for line in counted)


def read_all(served: Served, url: str, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while messages_read(url) < count:
        assert time.monotonic() < deadline and served.proc.poll() is None, f"read fewer than {count}"
        time.sleep(0.1)


def test_memory_levels_off_over_2000_overheard_messages(fake):
    rng = random.Random(20)
    texts = [random_words(rng) if i % 2 else random_cjk(rng) for i in range(MESSAGES)]
    served = Served(env_for(fake, PORT="0", CONTAINER_BOT_CACHE="off"), "--http")
    try:
        port = served.wait_line(r"listening on http://[\d.]+:(\d+)", timeout=30).group(1)
        url = f"http://127.0.0.1:{port}"

        def send(text: str) -> int:
            channel = f"C{rng.randint(0, 99):08d}"
            return send_event(f"{url}/slack/events", event_envelope(message_event(text, channel=channel)))[0]

        with ThreadPoolExecutor(4) as pool:
            assert set(pool.map(send, texts[:FIRST])) == {200}
            read_all(served, url, FIRST)
            after_first = rss_mb(served.proc.pid)
            assert set(pool.map(send, texts[FIRST:])) == {200}
            read_all(served, url, MESSAGES)
        after_all = rss_mb(served.proc.pid)
        print(f"RSS after {FIRST}: {after_first:.1f} MB; after {MESSAGES}: {after_all:.1f} MB")
        assert after_all - after_first < GROWTH_MB, (after_first, after_all)
        assert fake.called("chat.postMessage") == []  # overheard, and nothing in them asks the bot
    finally:
        served.stop()
