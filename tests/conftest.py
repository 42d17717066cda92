import os
from pathlib import Path

import pytest

from bot.answering.engine import AnswerEngine
from bot.knowledge import load_knowledge
from tests.fakes.process import installed_command  # noqa: F401  (the tests use it from here)

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge.yaml"
EXAMPLES = ROOT / "examples.yaml"


def write_knowledge(path: Path, text: str) -> Path:
    """A knowledge file for a test, with the examples file it names beside it."""
    path.write_text(text, encoding="utf-8")
    (path.parent / "examples.yaml").write_text(EXAMPLES.read_text(encoding="utf-8"), encoding="utf-8")
    return path


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


def start_bot(fake, knowledge, request_timeout: float | None = None, store=None, **settings_overrides):
    """The real app behind the real WSGI layer and the server `serve` runs (waitress with its limits), on
    127.0.0.1 port 0, talking to `fake`."""
    import errno
    import threading
    from types import SimpleNamespace

    from bot.settings import Settings
    from bot.slack.app import create_app
    from bot.slack.http.server import REQUEST_TIMEOUT, make_http_server
    from bot.slack.http.wsgi import SlackWsgi
    from bot.slack.metrics import Metrics
    from bot.slack.serve import check_token
    from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET

    settings = Settings(
        bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=fake.api_url, port=0, **settings_overrides
    )
    metrics = Metrics()
    # as serve does: auth.test once at start, handed to the app; the tests then see only what requests cause
    auth_test = check_token(settings)
    with fake.lock:
        fake.calls.clear()
    app = create_app(settings, knowledge, metrics=metrics, store=store, auth_test=auth_test)
    server = make_http_server(
        SlackWsgi(app, settings, metrics),
        host="127.0.0.1",
        port=0,
        request_timeout=request_timeout or REQUEST_TIMEOUT,
    )

    def run():
        try:
            server.run()
        except OSError as exc:  # server.close() from the test thread pulls the socket from under the poll
            if exc.errno != errno.EBADF:
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}"
    return SimpleNamespace(url=url, events=f"{url}/slack/events", app=app, metrics=metrics, server=server)


@pytest.fixture
def bot(fake, knowledge):
    running = start_bot(fake, knowledge)
    yield running
    running.server.close()
    running.app.container_bot.outbox.shutdown(wait=True)  # no reply of this test outlives it


def start_socket_bot(fake, knowledge, **settings_overrides):
    """The real app in Socket Mode against a local WebSocket server that speaks Slack's protocol:
    (that server, the app, the handler)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.settings import Settings
    from bot.slack.app import create_app
    from bot.slack.serve import check_token
    from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSocketModeServer

    ws = FakeSocketModeServer()
    fake.socket_url = ws.url
    settings = Settings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url=fake.api_url, **settings_overrides)
    app = create_app(settings, knowledge, auth_test=check_token(settings))
    handler = SocketModeHandler(app, APP_TOKEN)
    handler.connect()
    assert ws.connected.wait(10)
    return ws, app, handler


@pytest.fixture
def socket_bot(fake, knowledge):
    """The real app in Socket Mode, connected to a local WebSocket server that speaks Slack's protocol; yields
    that server (send envelopes, read acks)."""
    ws, app, handler = start_socket_bot(fake, knowledge)
    yield ws
    ws.close()  # first: the client then closes in a second instead of three
    handler.close()
    app.container_bot.outbox.shutdown(wait=False)
