"""A fake Slack for end-to-end tests and benchmarks.

A real HTTP server on 127.0.0.1 plays the Web API and response_url endpoints and records every call; a
local WebSocket server speaks Socket Mode; builders make payloads shaped and signed exactly as Slack sends
them. No test framework in here, so the benchmarks run after a plain `pip install .`. The Socket Mode
server needs `websockets` (in the test and bench extras)."""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode

from slack_sdk.signature import SignatureVerifier

BOT_TOKEN = "xoxb-fake-test-token"
APP_TOKEN = "xapp-fake-test-token"
SIGNING_SECRET = "fake-signing-secret-for-tests"
BOT_USER = "UBOT000001"
BOT_ID = "BBOT000001"
BOT_DM = "D0000DM01"  # the DM between the bot and U0000USER
TEAM = "T00000001"
ALL_SCOPES = (
    "app_mentions:read,assistant:write,channels:history,chat:write,commands,groups:history,im:history,"
    "metadata.message:read"
)
DROP = -1  # a failure "status": close the connection without answering
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret-for-tests"


@dataclass
class Call:
    method: str
    params: dict
    headers: dict
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    def __init__(self, scopes: str = ALL_SCOPES, port: int = 0):
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self.failures: dict[str, list[tuple[int, dict | None, dict, float]]] = {}
        self.scopes = scopes
        self.revoked = False
        self.socket_url = ""
        # Where the bot may post, as Slack decides it: not in channels it was never invited to
        # (not_in_channel), not in DMs between other people (channel_not_found); a user id opens its DM.
        self.outside: set[str] = set()
        self.bot_dms: set[str] = {BOT_DM}
        # Every message the fake knows, as conversations.replies / conversations.history return them: what
        # the bot posted (with its metadata) and what a test says people wrote (`said`).
        self.messages: list[dict] = []
        self._ts = itertools.count(1)
        # OAuth: who each token is (auth.test answers for it), the install codes a test grants, the refresh
        # tokens of rotating installs, and the tokens Slack no longer accepts.
        self.identities: dict[str, dict] = {BOT_TOKEN: identity(TEAM)}
        self.codes: dict[str, dict] = {}
        self.refresh: dict[str, str] = {}
        self.revoked_tokens: set[str] = set()
        self._tokens = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(raw or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(raw).items()}
                    for key in ("blocks", "view", "attachments", "metadata", "prompts"):
                        if isinstance(params.get(key), str):
                            params[key] = json.loads(params[key])
                path = self.path.split("?")[0]
                method = "response_url" if path.startswith("/response/") else path.rsplit("/", 1)[-1]
                if method == "response_url":
                    params["_url"] = path
                status, body, headers = fake.answer(method, params, dict(self.headers))
                if status == DROP:  # the connection is closed without an answer
                    self.close_connection = True
                    return
                data = json.dumps(body).encode() if isinstance(body, dict) else body.encode()
                self.send_response(status)
                self.send_header(
                    "Content-Type", "application/json" if isinstance(body, dict) else "text/plain"
                )
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # ----------------------------------------------------------------------------------------- control

    def start(self) -> FakeSlack:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def fail(
        self,
        method: str,
        times: int = 1,
        status: int = 200,
        body: dict | None = None,
        headers: dict | None = None,
        delay: float = 0.0,
        drop: bool = False,
    ) -> None:
        """The next `times` calls of `method` get this answer instead of success; with `delay` (and no body)
        they are answered normally but only after `delay` seconds, to make the caller time out; with `drop`
        the connection is closed without an answer."""
        if drop:
            status, body = DROP, {}
        if body is None and not delay:
            body = {"ok": False, "error": "fatal_error"}
        with self.lock:
            self.failures.setdefault(method, []).extend([(status, body, headers or {}, delay)] * times)

    def grant(
        self,
        code: str,
        team: str | None,
        enterprise: str | None = None,
        org: bool = False,
        expires_in: int | None = None,
    ) -> str:
        """Someone approves the app in Slack: `code` will be exchanged by oauth.v2.access for a new bot token
        of this workspace (or, with `org`, of the whole Enterprise Grid org `enterprise`), returned. With
        `expires_in`, the token rotates: it comes with a refresh token and expires after that many seconds."""
        token = f"xoxb-fake-{(enterprise or team or 'x').lower()}-{next(self._tokens)}"
        with self.lock:
            self.identities[token] = identity(None if org else team, enterprise, org)
            self.codes[code] = {"token": token, "expires_in": expires_in}
        return token

    def tokens_used(self, method: str) -> list[str]:
        """The bot token of each call of `method`, in order."""
        return [token_of(c.headers, c.params) for c in self.called(method)]

    def said(self, event: dict) -> None:
        """Keep a message a person wrote (a message event a test sends), so the thread reads back as in
        Slack."""
        with self.lock:
            self.messages.append(
                {k: event[k] for k in ("type", "user", "text", "ts", "thread_ts", "channel") if k in event}
            )

    def posted(self, channel: str | None = None) -> list[dict]:
        """The messages the bot posted (what Slack stored, metadata included), oldest first."""
        with self.lock:
            return [m for m in self.messages if m.get("bot_id") and channel in (None, m.get("channel"))]

    def called(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.called(method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        return self.called(method)

    def settle(self, seconds: float = 0.4) -> None:
        """Wait a short, bounded while for anything still in flight (to assert that nothing more comes)."""
        time.sleep(seconds)

    # ---------------------------------------------------------------------------------------- behaviour

    def answer(self, method: str, params: dict, headers: dict):
        with self.lock:
            self.calls.append(Call(method, params, headers))
            queue = self.failures.get(method)
            failure = queue.pop(0) if queue else None
        if failure:
            status, body, extra, delay = failure
            time.sleep(delay)
            if body is not None:
                return status, body, extra
        auth = headers.get("Authorization") or headers.get("authorization") or ""
        token = token_of(headers, params)
        if method == "oauth.v2.access":
            return 200, self._exchange(params, headers), {}
        if method != "response_url" and (self.revoked or token in self.revoked_tokens):
            return 200, {"ok": False, "error": "token_revoked"}, {}
        if method == "auth.test":
            with self.lock:
                who = self.identities.get(token) or self.identities[BOT_TOKEN]
            return (
                200,
                {
                    "ok": True,
                    "url": "https://fake.slack.test/",
                    "team": "Fake",
                    "user": "container-bot",
                    **who,
                },
                {"x-oauth-scopes": self.scopes},
            )
        if method == "apps.connections.open":
            if not auth.endswith(APP_TOKEN):
                return 200, {"ok": False, "error": "invalid_auth"}, {}
            return 200, {"ok": True, "url": self.socket_url}, {}
        if method in ("chat.postMessage", "chat.update"):
            channel = str(params.get("channel") or "")
            if channel in self.outside:  # a private channel the bot is not in is invisible to it
                error = "channel_not_found" if channel.startswith("G") else "not_in_channel"
                return 200, {"ok": False, "error": error}, {}
            if channel.startswith("D") and channel not in self.bot_dms:
                return 200, {"ok": False, "error": "channel_not_found"}, {}
            ts = next_ts()  # one clock with the events tests send, so a thread reads back in order
            message = {
                "type": "message",
                "user": BOT_USER,
                "bot_id": BOT_ID,
                "app_id": "AFAKE0001",
                "text": params.get("text"),
                "ts": ts,
                "channel": channel,
            }
            if params.get("thread_ts"):
                message["thread_ts"] = params["thread_ts"]
            if params.get("blocks"):
                message["blocks"] = params["blocks"]
            if isinstance(params.get("metadata"), dict):
                message["metadata"] = params["metadata"]
            with self.lock:
                self.messages.append(message)
            shown = {k: v for k, v in message.items() if k not in ("channel", "metadata")}
            return 200, {"ok": True, "channel": params.get("channel"), "ts": ts, "message": shown}, {}
        if method in ("conversations.replies", "conversations.history"):
            return 200, self._read(method, params), {}
        if method.startswith("assistant.threads."):
            if "assistant:write" not in self.scopes.split(","):
                return 200, {"ok": False, "error": "missing_scope", "needed": "assistant:write"}, {}
            return 200, {"ok": True}, {}
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}, {}
        if method in ("views.open", "views.update", "views.publish"):
            return 200, {"ok": True, "view": {"id": "VFAKE0001", **(params.get("view") or {})}}, {}
        if method == "response_url":
            return 200, "ok", {}
        return 200, {"ok": False, "error": "unknown_method"}, {}

    def _exchange(self, params: dict, headers: dict) -> dict:
        """oauth.v2.access: an install's code, or a rotating token's refresh token, for a new bot token. The
        client id and secret come as a form or as HTTP basic auth, as slack_sdk sends them."""
        import base64

        basic = (headers.get("Authorization") or "").removeprefix("Basic ")
        client = base64.b64decode(basic).decode() if basic else ""
        client = client or f"{params.get('client_id')}:{params.get('client_secret')}"
        if client != f"{CLIENT_ID}:{CLIENT_SECRET}":
            return {"ok": False, "error": "invalid_client_id"}
        with self.lock:
            if params.get("grant_type") == "refresh_token":
                old = self.refresh.pop(str(params.get("refresh_token")), None)
                if old is None:
                    return {"ok": False, "error": "invalid_refresh_token"}
                grant = {"token": f"{old}-r{next(self._tokens)}", "expires_in": 43200}
                self.identities[grant["token"]] = self.identities[old]
                self.revoked_tokens.add(old)  # a refreshed token stops working, as in Slack
            else:
                grant = self.codes.pop(str(params.get("code")), None)
                if grant is None:
                    return {"ok": False, "error": "invalid_code"}
            who = self.identities[grant["token"]]
            answer: dict = {
                "ok": True,
                "app_id": "AFAKE0001",
                "authed_user": {"id": "U0000USER"},
                "scope": self.scopes,
                "token_type": "bot",
                "access_token": grant["token"],
                "bot_user_id": who["user_id"],
                "team": {"id": who["team_id"], "name": "Fake"} if who["team_id"] else None,
                "enterprise": {"id": who["enterprise_id"], "name": "Fake Org"}
                if who["enterprise_id"]
                else None,
                "is_enterprise_install": who["is_enterprise_install"],
            }
            if grant["expires_in"] is not None:
                refresh = f"xoxe-1-fake-refresh-{next(self._tokens)}"
                self.refresh[refresh] = grant["token"]
                answer.update(refresh_token=refresh, expires_in=grant["expires_in"])
        return answer

    def _read(self, method: str, params: dict) -> dict:
        """conversations.replies (the parent first, then the replies) or conversations.history (the top of
        the channel, newest first), from `oldest` on, at most `limit`, metadata only when asked for."""
        channel, oldest = str(params.get("channel") or ""), params.get("oldest")
        inclusive = str(params.get("inclusive")).lower() in ("true", "1")
        with_metadata = str(params.get("include_all_metadata")).lower() in ("true", "1")
        limit = int(params.get("limit") or 1000)
        if channel in self.outside:
            return {"ok": False, "error": "channel_not_found"}
        with self.lock:
            here = [dict(m) for m in self.messages if m.get("channel") == channel]

        def after(m: dict) -> bool:
            if oldest is None:
                return True
            return float(m["ts"]) > float(oldest) or (inclusive and float(m["ts"]) == float(oldest))

        if method == "conversations.replies":
            root = str(params.get("ts") or "")
            parent = next((m for m in here if m["ts"] == root), None) or {
                "type": "message",
                "user": "U0000USER",
                "text": "(the question that started the thread)",
                "ts": root,
            }
            replies = sorted(
                (m for m in here if m.get("thread_ts") == root and m["ts"] != root and after(m)),
                key=lambda m: float(m["ts"]),
            )
            found = [{**parent, "thread_ts": root, "reply_count": len(replies)}, *replies][:limit]
        else:
            top = [m for m in here if m.get("thread_ts") in (None, m["ts"]) and after(m)]
            found = sorted(top, key=lambda m: -float(m["ts"]))[:limit]
        for m in found:
            m.pop("channel", None)
            if not with_metadata:
                m.pop("metadata", None)
        return {"ok": True, "messages": found, "has_more": False}


# ------------------------------------------------------------------------------------- Socket Mode

from .socket_mode import FakeSocketModeServer  # noqa: E402, F401  (its own module; here for the old imports)

# ----------------------------------------------------------------------------------------- payloads


def identity(team: str | None, enterprise: str | None = None, org: bool = False) -> dict:
    """What auth.test says about a bot token: its workspace (None for an org-wide install), its org."""
    return {
        "team_id": team,
        "enterprise_id": enterprise,
        "is_enterprise_install": org,
        "user_id": BOT_USER,
        "bot_id": BOT_ID,
    }


def token_of(headers: dict, params: dict) -> str:
    auth = headers.get("Authorization") or headers.get("authorization") or ""
    return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else str(params.get("token") or "")


_event_ids = itertools.count(1)
_ts = itertools.count(1)


def next_ts() -> str:
    return f"1710000000.{next(_ts):06d}"


def event_envelope(
    event: dict,
    event_id: str | None = None,
    team: str = TEAM,
    enterprise: str | None = None,
    org: bool = False,
) -> dict:
    """An Events API envelope from workspace `team` (of the Enterprise Grid org `enterprise`; `org`: the app
    is installed org-wide there, so Slack authorizes the org's installation)."""
    return {
        "token": "fake-verification-token",
        "team_id": team,
        **({"enterprise_id": enterprise} if enterprise else {}),
        "api_app_id": "AFAKE0001",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": enterprise,
                "team_id": None if org else team,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": org,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-fake",
    }


def message_event(
    text: str,
    channel: str = "C0000CHAN",
    channel_type: str = "channel",
    user: str = "U0000USER",
    ts: str | None = None,
    thread_ts: str | None = None,
    **extra,
) -> dict:
    event = {
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts or next_ts(),
        "channel": channel,
        "channel_type": channel_type,
        "team": TEAM,
        "event_ts": ts or "0",
        "blocks": [{"type": "rich_text", "elements": []}],
    }
    event["event_ts"] = event["ts"]
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def mention_event(
    text: str,
    channel: str = "C0000CHAN",
    ts: str | None = None,
    thread_ts: str | None = None,
    user: str = "U0000USER",
) -> dict:
    event = {
        "type": "app_mention",
        "text": f"<@{BOT_USER}> {text}",
        "user": user,
        "ts": ts or next_ts(),
        "channel": channel,
        "team": TEAM,
    }
    event["event_ts"] = event["ts"]
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def assistant_thread_started(
    thread_ts: str | None = None, channel: str = BOT_DM, user: str = "U0000USER", kind: str = "started"
) -> dict:
    """Someone opened the bot's assistant view: a new assistant thread in their DM with the bot (`kind`
    "context_changed": they moved to another channel while it is open)."""
    return {
        "type": f"assistant_thread_{kind}",
        "assistant_thread": {
            "user_id": user,
            "context": {"channel_id": "C0000CHAN", "team_id": TEAM, "enterprise_id": None},
            "channel_id": channel,
            "thread_ts": thread_ts or next_ts(),
        },
        "event_ts": next_ts(),
    }


def home_opened(tab: str = "home", user: str = "U0000USER") -> dict:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": "D0000DM01",
        "tab": tab,
        "event_ts": next_ts(),
    }


def command_form(text: str, response_url: str, command: str = "/container-choice") -> dict:
    return {
        "token": "fake-verification-token",
        "team_id": TEAM,
        "team_domain": "fake",
        "channel_id": "C0000CHAN",
        "channel_name": "platform",
        "user_id": "U0000USER",
        "user_name": "dev",
        "command": command,
        "text": text,
        "api_app_id": "AFAKE0001",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": "1337.42.fake-trigger",
    }


def block_actions(
    action_id: str,
    value: str,
    response_url: str,
    channel: str = "C0000CHAN",
    message_ts: str = "1710000000.000001",
    container_type: str = "message",
    thread_ts: str | None = None,
    ephemeral: bool = False,
    action_type: str = "button",
) -> dict:
    """A button click (`action_type` "feedback_buttons": a 👍/👎 click). `ephemeral`: on a message only the
    clicker sees (a slash command's answer, a private fallback); Slack then marks the container and sends no
    copy of the message, which it never stored."""
    message = {"type": "message", "user": BOT_USER, "ts": message_ts, "bot_id": BOT_ID, "text": "answer"}
    if thread_ts:
        message["thread_ts"] = thread_ts
    container = (
        {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": ephemeral}
        if container_type == "message"
        else {"type": "view", "view_id": "VHOME0001"}
    )
    payload = {
        "type": "block_actions",
        "user": {"id": "U0000USER", "username": "dev", "name": "dev", "team_id": TEAM},
        "api_app_id": "AFAKE0001",
        "token": "fake-verification-token",
        "container": container,
        "trigger_id": "1337.42.fake-trigger",
        "team": {"id": TEAM, "domain": "fake"},
        "enterprise": None,
        "is_enterprise_install": False,
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "actions",
                "type": action_type,
                "value": value,
                "text": {"type": "plain_text", "text": "x"},
                "action_ts": "1710000000.1",
            }
        ],
    }
    if container_type == "message":
        payload["channel"] = {
            "id": channel,
            "name": "directmessage" if channel.startswith("D") else "platform",
        }
        if not ephemeral:
            payload["message"] = message
    else:
        payload["view"] = {"id": "VHOME0001", "type": "home", "callback_id": "", "private_metadata": ""}
    return payload


def view_submission(
    answers: dict[str, str], private_metadata: dict, callback_id: str = "guided_choice"
) -> dict:
    values = {
        cid: {
            "choice_answer": {
                "type": "radio_buttons",
                "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
            }
        }
        for cid, value in answers.items()
    }
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": "U0000USER", "username": "dev", "name": "dev", "team_id": TEAM},
        "api_app_id": "AFAKE0001",
        "token": "fake-verification-token",
        "trigger_id": "1337.43.fake-trigger",
        "view": {
            "id": "VMODAL001",
            "team_id": TEAM,
            "type": "modal",
            "blocks": [],
            "private_metadata": json.dumps(private_metadata),
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": "1710000000.abc",
            "title": {"type": "plain_text", "text": "ECS or EKS?"},
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def share_submission(channel: str | None, private_metadata: dict) -> dict:
    """The share modal submitted with `channel` picked in its conversations_select (None: nothing picked)."""
    payload = view_submission({}, private_metadata, callback_id="share_choice_to")
    payload["view"]["state"]["values"] = {
        "share_channel": {
            "share_channel_select": {"type": "conversations_select", "selected_conversation": channel}
        }
    }
    return payload


def message_action(
    text: str,
    response_url: str,
    channel: str = "C0000CHAN",
    ts: str = "1710000000.000777",
    thread_ts: str | None = None,
) -> dict:
    message = {"type": "message", "user": "U0000OTHER", "text": text, "ts": ts}
    if thread_ts:
        message["thread_ts"] = thread_ts
    return {
        "type": "message_action",
        "token": "fake-verification-token",
        "action_ts": "1710000000.2",
        "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": "U0000USER", "name": "dev"},
        "channel": {"id": channel, "name": "platform"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": "ask_container_bot",
        "trigger_id": "1337.44.fake-trigger",
        "response_url": response_url,
        "message_ts": ts,
        "message": message,
    }


# ------------------------------------------------------------------------------------------ sending


def sign(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}


def post(url: str, body: str, content_type: str, headers: dict | None = None, timeout: float = 10.0):
    """POST and return (status, body text, seconds taken)."""
    request = urllib.request.Request(
        url, data=body.encode(), method="POST", headers={"Content-Type": content_type, **(headers or {})}
    )
    start = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(), time.monotonic() - start
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), time.monotonic() - start


def send_event(
    url: str,
    envelope: dict,
    secret: str = SIGNING_SECRET,
    extra_headers: dict | None = None,
    timeout: float = 10.0,
):
    body = json.dumps(envelope)
    return post(
        url, body, "application/json", {**sign(body, secret), **(extra_headers or {})}, timeout=timeout
    )


def send_form(url: str, form: dict, secret: str = SIGNING_SECRET):
    body = urlencode(form)
    return post(url, body, "application/x-www-form-urlencoded", sign(body, secret))


def send_payload(url: str, payload: dict, secret: str = SIGNING_SECRET):
    return send_form(url, {"payload": json.dumps(payload)}, secret)


_envelope_ids = itertools.count(1)


def socket_envelope(kind: str, payload: dict, retry_attempt: int = 0) -> dict:
    """A Socket Mode envelope: kind is events_api, slash_commands or interactive."""
    return {
        "envelope_id": f"env-{next(_envelope_ids):06d}",
        "type": kind,
        "payload": payload,
        "accepts_response_payload": kind != "events_api",
        "retry_attempt": retry_attempt,
        "retry_reason": "timeout" if retry_attempt else "",
    }
