import os
from pathlib import Path

import pytest

from bot.answers import AnswerEngine
from bot.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge.yaml"


def installed_command() -> str | None:
    """The installed `container-bot`: next to this Python first (its virtualenv, activated or not, holds the
    code under test), else on PATH. PATH first would test whatever another install put there."""
    import shutil
    import sys

    beside = Path(sys.executable).parent / "container-bot"
    return str(beside) if beside.exists() else shutil.which("container-bot")


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


def load_questions(name: str = "questions.tsv"):
    rows = []
    for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, topics, attribute, recommendation, text = line.split("\t")
        rows.append(
            {
                "kind": kind,
                "topics": [] if topics == "-" else sorted(topics.split(",")),
                "attribute": None if attribute == "-" else attribute,
                "recommendation": {"-": "-", "null": None}.get(recommendation, recommendation),
                "text": text,
            }
        )
    return rows


# ------------------------------------------------------------------------------------ Slack end to end


@pytest.fixture
def fake():
    from .slack_fake import FakeSlack

    server = FakeSlack().start()
    yield server
    server.stop()


def start_bot(fake, knowledge, request_timeout: float | None = None, **settings_overrides):
    """The real app behind the real WSGI layer and the server `serve` runs (waitress with its limits), on
    127.0.0.1 port 0, talking to `fake`."""
    import threading
    from types import SimpleNamespace

    from bot.settings import Settings
    from bot.slack.app import create_app
    from bot.slack.metrics import Metrics
    from bot.slack.server import REQUEST_TIMEOUT, SlackWsgi, make_http_server

    from .slack_fake import BOT_TOKEN, SIGNING_SECRET

    settings = Settings(
        bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=fake.api_url, port=0, **settings_overrides
    )
    metrics = Metrics()
    app = create_app(settings, knowledge, metrics=metrics, dedupe=settings_overrides.get("dedupe"))
    server = make_http_server(
        SlackWsgi(app, settings, metrics),
        host="127.0.0.1",
        port=0,
        request_timeout=request_timeout or REQUEST_TIMEOUT,
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}"
    return SimpleNamespace(url=url, events=f"{url}/slack/events", app=app, metrics=metrics, server=server)


@pytest.fixture
def bot(fake, knowledge):
    running = start_bot(fake, knowledge)
    yield running
    running.server.close()
