"""Knowledge reload on a running `container-bot serve`: SIGHUP and KNOWLEDGE_RELOAD_SECONDS swap in a new
file whole, a bad one leaves the old one serving with one FILE:LINE line, /healthz and /metrics show which."""

import json
import signal
import time
import urllib.request

import pytest

from tests.fakes.process import Served, env_for, installed_command
from tests.fakes.slack import event_envelope, mention_event, send_event
from tests.helpers import KNOWLEDGE, write_knowledge

pytestmark = pytest.mark.skipif(installed_command() is None, reason="container-bot is not installed")

OLD_ECR = "Elastic Container Registry: a fully managed container registry service"
NEW_ECR = "Elastic Container Registry: the AWS registry that keeps your images close to where they run"


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "application/json"
        return json.loads(response.read())


def metrics(url: str) -> str:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        return response.read().decode()


def ask_ecr(fake, url: str) -> str:
    before = len(fake.called("chat.postMessage"))
    assert send_event(f"{url}/slack/events", event_envelope(mention_event("what is ecr")))[0] == 200
    return fake.wait_for("chat.postMessage", before + 1)[before].params["text"]


@pytest.fixture
def knowledge_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CONTAINER_BOT_CACHE", str(tmp_path / "cache"))  # never the user's cache
    return write_knowledge(tmp_path / "knowledge.yaml", KNOWLEDGE.read_text(encoding="utf-8"))


def serve(fake, knowledge_file, **extra) -> tuple[Served, str]:
    served = Served(env_for(fake, PORT="0", KNOWLEDGE_FILE=str(knowledge_file), **extra), "--http")
    port = served.wait_line(r"listening on http://[\d.]+:(\d+)").group(1)
    return served, f"http://127.0.0.1:{port}"


def broken(text: str) -> tuple[str, int]:
    """The knowledge without ECR's definition: valid YAML, invalid knowledge; and the topic's line."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "- id: ecr")
    definition = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("definition:"))
    end = next(i for i in range(definition + 1, len(lines)) if not lines[i].startswith("      "))
    return "".join(lines[:definition] + lines[end:]), start + 1


def test_sighup_reloads_and_a_bad_file_leaves_the_old_one_serving(fake, knowledge_file):
    served, url = serve(fake, knowledge_file)
    try:
        health = get_json(f"{url}/healthz")
        assert health["status"] == "ok" and health["knowledge"]["version"] == 1
        first = health["knowledge"]["checksum"]
        assert len(first) == 64 and health["knowledge"]["file"] == str(knowledge_file)
        assert f'container_bot_knowledge_info{{checksum="{first}",version="1"}} 1.0' in metrics(url)
        assert OLD_ECR in ask_ecr(fake, url)

        # a new file: validated and built while the old one answers, then swapped in whole
        text = knowledge_file.read_text(encoding="utf-8")
        knowledge_file.write_text(text.replace(OLD_ECR, NEW_ECR), encoding="utf-8")
        served.proc.send_signal(signal.SIGHUP)
        served.wait_line(r"knowledge reloaded: version 2 from ")
        health = get_json(f"{url}/healthz")
        second = health["knowledge"]["checksum"]
        assert health["knowledge"]["version"] == 2 and second != first
        scraped = metrics(url)
        assert f'container_bot_knowledge_info{{checksum="{second}",version="2"}} 1.0' in scraped
        assert first not in scraped and 'container_bot_knowledge_reloads_total{outcome="ok"} 1.0' in scraped
        assert NEW_ECR in ask_ecr(fake, url)

        # a bad file: one line with FILE:LINE, and version 2 keeps serving
        bad, line = broken(knowledge_file.read_text(encoding="utf-8"))
        knowledge_file.write_text(bad, encoding="utf-8")
        served.proc.send_signal(signal.SIGHUP)
        refused = served.wait_line(r"knowledge not reloaded, still serving version 2: (\S+?):(\d+): ")
        assert refused.group(1) == str(knowledge_file) and int(refused.group(2)) >= line
        assert get_json(f"{url}/healthz")["knowledge"] == health["knowledge"]
        assert NEW_ECR in ask_ecr(fake, url)
        assert 'container_bot_knowledge_reloads_total{outcome="invalid"} 1.0' in metrics(url)
    finally:
        code = served.stop()
    log = "".join(served.log)
    assert code == 0 and "stopped" in log  # the shutdown is untouched by the reload machinery
    assert log.count("knowledge not reloaded") == 1 and "Traceback" not in log


def test_a_changed_file_is_reloaded_every_knowledge_reload_seconds(fake, knowledge_file):
    served, url = serve(fake, knowledge_file, KNOWLEDGE_RELOAD_SECONDS="0.2")
    try:
        assert f"checking {knowledge_file} for changes every 0.2s" in "".join(served.log)
        text = knowledge_file.read_text(encoding="utf-8")
        knowledge_file.write_text(text.replace(OLD_ECR, NEW_ECR), encoding="utf-8")
        served.wait_line(r"knowledge reloaded: version 2 ")
        assert NEW_ECR in ask_ecr(fake, url)
        knowledge_file.write_text("version: 1\ntopics: [\n", encoding="utf-8")  # not even YAML
        served.wait_line(r"knowledge not reloaded, still serving version 2: \S+:\d+: ")
        time.sleep(1.0)  # five more checks: the same bad file is reported once, not at every check
        assert NEW_ECR in ask_ecr(fake, url)
    finally:
        served.stop()
    assert "".join(served.log).count("knowledge not reloaded") == 1


def test_knowledge_reload_seconds_must_be_a_number(fake, knowledge_file):
    from tests.fakes.process import run_serve

    result, _ = run_serve(env_for(fake, KNOWLEDGE_RELOAD_SECONDS="often"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "container-bot: KNOWLEDGE_RELOAD_SECONDS is malformed: expected seconds, 0-86400 (0 or unset: off)"
    ]


def peak_rss_mb(pid: int) -> float:
    from pathlib import Path

    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_a_change_written_while_the_last_one_trains_is_loaded_too(fake, knowledge_file):
    """The watcher records the files as they were when it read them for loading, so an edit that lands while
    that load is still training is a change at the next check, and loaded (it used to be recorded as seen
    after the swap, and never loaded)."""
    from bot.knowledge import load_knowledge

    examples = knowledge_file.parent / "examples.yaml"
    served, url = serve(fake, knowledge_file, KNOWLEDGE_RELOAD_SECONDS="0.2")
    try:
        original = examples.read_text(encoding="utf-8")
        examples.write_text(original + "# first edit\n", encoding="utf-8")
        served.wait_line(r"knowledge read from \S+: training", timeout=15)
        examples.write_text(
            original + "# first edit\n# second edit, while the first trains\n", encoding="utf-8"
        )
        served.wait_line(r"knowledge reloaded: version 2 ", timeout=30)
        expected = load_knowledge(knowledge_file).checksum
        deadline = time.monotonic() + 30
        while get_json(f"{url}/healthz")["knowledge"]["checksum"] != expected:
            assert time.monotonic() < deadline, "the second edit was never loaded"
            time.sleep(0.2)
        assert get_json(f"{url}/healthz")["knowledge"]["version"] == 3
    finally:
        served.stop()


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/status"), reason="needs Linux's /proc")
def test_a_huge_knowledge_file_is_never_read_whole_by_the_watcher(fake, knowledge_file):
    """The watcher stats the files before reading them, within the loader's limits: a 300 MB KNOWLEDGE_FILE
    is refused once with FILE:LINE and costs no memory (it used to be read whole at every check: +298 MB)."""
    served, url = serve(fake, knowledge_file, KNOWLEDGE_RELOAD_SECONDS="0.2")
    try:
        before = peak_rss_mb(served.proc.pid)
        with open(knowledge_file, "r+b") as handle:
            handle.truncate(300 * 1024 * 1024)  # sparse: 300 MB to read, nothing on disk
        refused = served.wait_line(
            r"knowledge not reloaded, still serving version 1: (\S+?):(\d+): ", timeout=15
        )
        assert refused.group(1) == str(knowledge_file) and "larger than 1 MiB" in "".join(served.log)
        time.sleep(1.0)  # five more checks
        assert peak_rss_mb(served.proc.pid) - before < 50
        assert get_json(f"{url}/healthz")["knowledge"]["version"] == 1
    finally:
        served.stop()
    assert "".join(served.log).count("knowledge not reloaded") == 1
