"""Fixtures any test may use: a clean environment, the shipped knowledge and its engine, the fake Slack, the
real app against it over HTTP or Socket Mode, and a throwaway redis-server. Helpers that are not fixtures are
in helpers.py; the fake Slack and the installed command are in fakes/."""

import os
import shutil
import subprocess
import time

import pytest

pytest.register_assert_rewrite("tests.helpers")  # its asserts (ok, payload_of ...) explain themselves too

from bot.answering.engine import AnswerEngine  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from tests.helpers import KNOWLEDGE, free_port, start_bot, start_socket_bot  # noqa: E402


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """Bolt and our settings read SLACK_* implicitly; tests start from a clean slate."""
    for name in list(os.environ):
        if name.startswith("SLACK_") or name in ("KNOWLEDGE_FILE", "REDIS_URL", "ANSWER_THRESHOLD", "PORT"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def knowledge():
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="session")
def engine(knowledge):
    return AnswerEngine(knowledge)


# ------------------------------------------------------------------------------------ Slack end to end


@pytest.fixture
def fake():
    from tests.fakes.slack import FakeSlack

    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def bot(fake, knowledge):
    running = start_bot(fake, knowledge)
    yield running
    running.server.close()
    running.app.container_bot.outbox.shutdown(wait=True)  # no reply of this test outlives it


@pytest.fixture
def socket_bot(fake, knowledge):
    """The real app in Socket Mode, connected to a local WebSocket server that speaks Slack's protocol; yields
    that server (send envelopes, read acks)."""
    ws, app, handler = start_socket_bot(fake, knowledge)
    yield ws
    ws.close()  # first: the client then closes in a second instead of three
    handler.close()
    app.container_bot.outbox.shutdown(wait=False)


# ---------------------------------------------------------------------------------------------- Redis


@pytest.fixture
def redis_url():
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)
