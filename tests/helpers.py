"""What many test modules share and is not a fixture (those are in conftest.py): the paths of the data files,
the real app started against the fake Slack, and small readers of what came back."""

import socket
import urllib.request
from pathlib import Path

import pytest

from bot.answering.conversation import EVENT_TYPE
from tests.fakes.process import installed_command
from tests.fakes.slack import (
    BOT_ID,
    BOT_USER,
    block_actions,
    event_envelope,
    mention_event,
    message_event,
    next_ts,
    send_payload,
)

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge.yaml"
EXAMPLES = ROOT / "examples.yaml"


CLAIMS = ROOT / "claims"


def copy_knowledge(directory: Path) -> Path:
    """The shipped knowledge file, its examples file and its claims files, copied into `directory`."""
    return write_knowledge(directory / "knowledge.yaml", KNOWLEDGE.read_text(encoding="utf-8"))


def write_knowledge(path: Path, text: str) -> Path:
    """A knowledge file for a test, with the examples file and the claims files it names beside it."""
    path.write_text(text, encoding="utf-8")
    (path.parent / "examples.yaml").write_text(EXAMPLES.read_text(encoding="utf-8"), encoding="utf-8")
    (path.parent / "claims").mkdir(exist_ok=True)
    for claims in CLAIMS.glob("*.yaml"):
        (path.parent / "claims" / claims.name).write_text(
            claims.read_text(encoding="utf-8"), encoding="utf-8"
        )
    return path


# ----------------------------------------------------------------------- the app against the fake Slack


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


def start_socket_bot(fake, knowledge, **settings_overrides):
    """The real app in Socket Mode (serve's links: SOCKET_MODE_CONNECTIONS of them, 2 unless overridden)
    against a local WebSocket server that speaks Slack's protocol: (that server, the app, the links)."""
    from bot.settings import Settings
    from bot.slack.app import create_app
    from bot.slack.serve import check_token
    from bot.slack.socket_mode import Links
    from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSocketModeServer

    ws = FakeSocketModeServer()
    fake.socket_url = ws.url
    settings = Settings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url=fake.api_url, **settings_overrides)
    app = create_app(settings, knowledge, auth_test=check_token(settings))
    links = Links(app, settings)
    app.container_bot.health.links = links.alive
    links.connect()
    assert ws.connected.wait(10)
    return ws, app, links


def ok(result):
    status, _body, seconds = result
    assert status == 200 and seconds < 3, result
    return result


def scrape(bot) -> dict[str, float]:
    import urllib.request

    with urllib.request.urlopen(f"{bot.url}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def alive(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
        return response.status == 200


def nothing_sent(fake) -> bool:
    fake.settle(0.2)
    return not [c for c in fake.calls if c.method != "auth.test"]


# -------------------------------------------------------------------------------------- raw connections


def port_of(bot) -> int:
    return int(bot.url.rsplit(":", 1)[1])


def connect(bot) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port_of(bot)), timeout=5)


def status_line(sock: socket.socket, timeout: float = 3.0) -> bytes:
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data.split(b"\r\n", 1)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------- what people say, pick and vote


KUBERNETES_TEAM = {
    "kubernetes": "yes",
    "k8s_ecosystem": "yes",
    "multi_cloud": "no",
    "own_hardware": "no",
    "disconnected": "no",
    "want_k8s": "yes",
    "team_k8s": "yes",
    "learn_k8s": "yes",
    "aws_invested": "no",
    "simplicity": "no",
    "cost": "no",
    "windows": "no",
    "serverless": "no",
    "gpu": "no",
    "daemons": "no",
    "avoid_upgrades": "no",
    "multi_tenancy": "no",
}


SMALL_AWS_TEAM = {
    "kubernetes": "no",
    "k8s_ecosystem": "no",
    "multi_cloud": "no",
    "own_hardware": "no",
    "disconnected": "no",
    "want_k8s": "no",
    "team_k8s": "no",
    "learn_k8s": "no",
    "aws_invested": "yes",
    "simplicity": "yes",
    "cost": "yes",
    "windows": "no",
    "serverless": "yes",
    "gpu": "no",
    "daemons": "no",
    "avoid_upgrades": "yes",
    "multi_tenancy": "no",
}


def code_of(answers: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in answers.items())


SCREENSHOT = [{"id": "F0000SHOT", "name": "image.png", "mimetype": "image/png", "filetype": "png"}]


class Chat:
    """People writing in Slack: each message is kept by the fake (so the thread reads back as in Slack) and
    delivered to the app as an event, over HTTP or Socket Mode; `say` returns the bot's reply or None."""

    def __init__(self, fake, deliver):
        self.fake, self.deliver = fake, deliver

    def say(self, text, thread_ts=None, mention=False, channel="C0000CHAN", silence=False, **extra):
        """The bot's reply, or None; `silence`: none is expected, so wait only a short while for one."""
        before = len(self.fake.called("chat.postMessage"))
        if mention:
            event = mention_event(text, channel=channel, thread_ts=thread_ts)
        else:
            event = message_event(text, channel=channel, thread_ts=thread_ts, **extra)
        self.fake.said(event)
        self.deliver(event_envelope(event))
        calls = self.fake.wait_for("chat.postMessage", before + 1, timeout=0.3 if silence else 5)
        if len(calls) <= before:
            self.fake.settle(0.2)
            calls = self.fake.called("chat.postMessage")
        self.last_event = event
        return calls[before].params if len(calls) > before else None


def bot_answer_with(fake, payload, channel="C0000CHAN", top=False, **who) -> str:
    """A message in a new thread (`top`: at the top of the conversation, as in a DM) carrying `payload` as our
    metadata, posted by `who` (the bot by default), as Slack keeps it: an answer the bot's store does not
    remember (posted by an earlier version, or forgotten). Returns the thread's ts."""
    root = next_ts()
    fake.messages.append(
        {
            "type": "message",
            "user": who.get("user", BOT_USER),
            **({"bot_id": who.get("bot_id", BOT_ID)} if who.get("bot_id", BOT_ID) else {}),
            "text": "an answer",
            "ts": next_ts(),
            **({} if top else {"thread_ts": root}),
            "channel": channel,
            "metadata": {"event_type": EVENT_TYPE, "event_payload": payload},
        }
    )
    return root


def payload_of(reply: dict) -> dict:
    assert reply["metadata"]["event_type"] == EVENT_TYPE
    return reply["metadata"]["event_payload"]


def feedback_element(blocks: list) -> dict:
    (block,) = [b for b in blocks if b["type"] == "context_actions"]
    assert blocks[-1] is block  # the answer ends with it
    (element,) = block["elements"]
    assert element["type"] == "feedback_buttons" and element["action_id"] == "answer_feedback"
    return element


def vote(bot, fake, element: dict, which: str, user: str = "U0000USER", ts: str = "1710000000.000001"):
    """A click on 👍 (positive) or 👎 (negative), as Slack sends it: the clicked button's value."""
    button = element[f"{which}_button"]
    payload = block_actions(
        "answer_feedback",
        button["value"],
        fake.response_url(f"vote-{which}"),
        message_ts=ts,
        action_type="feedback_buttons",
    )
    payload["user"]["id"] = user
    ok(send_payload(bot.events, payload))


needs_command = pytest.mark.skipif(
    installed_command() is None, reason="container-bot is not installed (pip install .)"
)


# ------------------------------------------------------------------------------------------ OAuth mode


def oauth_settings_for(fake, store_url: str, **overrides):
    from bot.settings import Settings
    from tests.fakes.slack import CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET

    return Settings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        signing_secret=SIGNING_SECRET,
        api_url=fake.api_url,
        installation_store_url=store_url,
        port=0,
        **overrides,
    )


def start_oauth_bot(fake, knowledge, store_url: str, store=None, shared: bool = False, **overrides):
    """The real app in OAuth mode behind the server `serve` runs, its installations at `store_url`
    (`shared`: and, as serve does without REDIS_URL, its exactly-once claims and threads there too)."""
    import errno
    import threading
    from types import SimpleNamespace

    from bot.slack.app import create_app
    from bot.slack.http.server import make_http_server
    from bot.slack.http.wsgi import SlackWsgi
    from bot.slack.installations import open_stores
    from bot.slack.metrics import Metrics

    settings = oauth_settings_for(fake, store_url, **overrides)
    metrics = Metrics()
    stores = open_stores(settings)
    if shared:
        from bot.slack.installations import shared_store
        from bot.slack.store import MemoryStore

        store = shared_store(stores, MemoryStore(), redis=False)
    app = create_app(settings, knowledge, metrics=metrics, store=store, stores=stores)
    server = make_http_server(SlackWsgi(app, settings, metrics), host="127.0.0.1", port=0)

    def run():
        try:
            server.run()
        except OSError as exc:
            if exc.errno != errno.EBADF:
                raise

    threading.Thread(target=run, daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}"

    def stop():
        server.close()
        app.container_bot.outbox.shutdown(wait=True)
        stores.close()

    return SimpleNamespace(url=url, events=f"{url}/slack/events", app=app, stores=stores, stop=stop)


def get(url: str, headers: dict | None = None):
    """GET without following redirects: (status, headers, body text)."""
    import urllib.error

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


def install(bot, fake, code: str, **grant) -> str:
    """Install the app through the bot's own flow, as a person does: open /slack/install, follow "Add to
    Slack" (Slack approves: `fake.grant`), come back to /slack/oauth_redirect with the code and the state.
    Bolt's state cookie is Secure, so over plain http it is sent by hand. Returns the new bot token."""
    import re
    from urllib.parse import parse_qs, urlparse

    token = fake.grant(code, **grant)
    status, headers, page = get(f"{bot.url}/slack/install")
    assert status == 200 and "Add to Slack" in page, page
    link = re.search(r'href="([^"]*oauth/v2/authorize[^"]*)"', page).group(1).replace("&amp;", "&")
    state = parse_qs(urlparse(link).query)["state"][0]
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert cookie.endswith(state)
    status, _, page = get(f"{bot.url}/slack/oauth_redirect?code={code}&state={state}", {"Cookie": cookie})
    assert status == 200, page
    return token
