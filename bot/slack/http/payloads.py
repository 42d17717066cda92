"""What Bolt and our listeners take for granted in a request body, checked before Bolt sees it.

Slack's requests always have these shapes; a signed body that does not (an empty `actions` list, a `state`
that is a string, JSON nested a thousand deep) is answered 400 at the boundary instead of raising inside
Bolt or a listener. Only fields that are present are type-checked, beyond the few every request of a kind
carries, so new fields Slack adds never turn a real request into a 400."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

MAX_JSON_DEPTH = 40  # Slack's deepest payloads (rich text in an event, a modal's state) nest about 12 levels

_NONE = type(None)
_STR = (str,)
_OBJECT = (dict,)
_OBJECT_OR_NULL = (dict, _NONE)
_KINDS = {str: "a string", dict: "an object", list: "a list", bool: "true or false", _NONE: "null"}


def parse_json(text: str) -> tuple[Any, str | None]:
    """(value, None) or (None, problem); never raises, however deep the input."""
    try:
        value = json.loads(text)
    except RecursionError:
        return None, f"JSON nested more than {MAX_JSON_DEPTH} levels deep"
    except ValueError:
        return None, "invalid JSON"
    if depth(value) > MAX_JSON_DEPTH:
        return None, f"JSON nested more than {MAX_JSON_DEPTH} levels deep"
    return value, None


MAX_VALUE_DEPTH = 5  # the bot's own values nest 2 deep (a vote: an object holding a list of topics)
MAX_VALUE_CHARS = 3000  # Slack's longest: a modal's private_metadata (a button's value: 2,000)


def decode_value(text: Any, max_depth: int = MAX_VALUE_DEPTH, max_chars: int = MAX_VALUE_CHARS) -> Any:
    """JSON carried as a string inside a payload (a button's value, a modal's private_metadata), decoded only
    when it is a string of at most `max_chars` nested at most `max_depth` deep; else None. The body around
    it was depth-checked at the door, but these strings are decoded later, by the listeners: their nesting is
    counted before json.loads sees them, so no value recurses, however it was shaped. Never raises."""
    if not isinstance(text, str) or len(text) > max_chars or nesting(text) > max_depth:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def nesting(text: str) -> int:
    """How deep the brackets of JSON text nest, strings skipped; in one pass, without recursion."""
    deepest = level = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            level += 1
            deepest = max(deepest, level)
        elif char in "]}":
            level -= 1
    return deepest


def depth(value: Any) -> int:
    """Nesting depth of parsed JSON, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


class _Bad(Exception):
    pass


def _kind_names(kinds: tuple) -> str:
    return " or ".join(_KINDS.get(k, k.__name__) for k in kinds)


def _want(obj: dict, key: str, kinds: tuple, where: str, required: bool = False) -> Any:
    if key not in obj:
        if required:
            raise _Bad(f"'{where}{key}' is missing")
        return None
    value = obj[key]
    if not isinstance(value, kinds):
        raise _Bad(f"'{where}{key}' must be {_kind_names(kinds)}")
    return value


def _strings(obj: dict, keys: tuple[str, ...], where: str) -> None:
    for key in keys:
        _want(obj, key, (str, _NONE), where)


def event_problem(data: dict) -> str | None:
    """A JSON body (Events API envelope, url_verification, app_rate_limited): None when well-shaped."""
    try:
        _strings(data, ("token", "team_id", "api_app_id", "event_id", "enterprise_id", "challenge"), "")
        authorizations = _want(data, "authorizations", (list, _NONE), "")
        for item in authorizations or ():
            if not isinstance(item, dict):
                raise _Bad("'authorizations' must hold objects")
        if data["type"] == "event_callback":
            _event(data["event"])
    except _Bad as exc:
        return str(exc)
    return None


def _event(event: dict) -> None:
    kind = event["type"]
    for key in ("message", "previous_message", "item"):
        _want(event, key, _OBJECT_OR_NULL, "event.")
    if kind in ("app_mention", "message"):
        _want(event, "channel", _STR, "event.", required=True)
        _want(event, "ts", _STR, "event.", required=True)
        keys = ("text", "user", "thread_ts", "channel_type", "subtype", "bot_id", "event_ts")
        _strings(event, keys, "event.")
        _want(event, "bot_profile", _OBJECT_OR_NULL, "event.")
    elif kind == "app_home_opened":
        _want(event, "user", _STR, "event.", required=True)
        _strings(event, ("tab", "channel"), "event.")
    elif kind in ("assistant_thread_started", "assistant_thread_context_changed"):
        thread = _want(event, "assistant_thread", _OBJECT, "event.", required=True)
        _want(thread, "channel_id", _STR, "event.assistant_thread.", required=True)
        _want(thread, "thread_ts", _STR, "event.assistant_thread.", required=True)
        _strings(thread, ("user_id",), "event.assistant_thread.")
        _want(thread, "context", _OBJECT_OR_NULL, "event.assistant_thread.")


def payload_problem(payload: dict) -> str | None:
    """An interactivity `payload=` (actions, views, shortcuts): None when well-shaped."""
    try:
        _interactive(payload)
    except _Bad as exc:
        return str(exc)
    return None


def _interactive(payload: dict) -> None:
    kind = payload["type"]
    _strings(payload, ("token", "api_app_id", "trigger_id", "response_url", "callback_id", "action_ts"), "")
    _want(payload, "is_enterprise_install", (bool, _NONE), "")
    for key in ("team", "enterprise", "channel"):
        _want(payload, key, _OBJECT_OR_NULL, "")
    for key in ("container", "message", "view"):
        _want(payload, key, _OBJECT, "")
    user = _want(payload, "user", _OBJECT, "", required=True)
    _want(user, "id", _STR, "user.", required=True)
    channel = payload.get("channel")
    if channel:
        _strings(channel, ("id", "name"), "channel.")
    container = payload.get("container")
    if container:
        _strings(container, ("type", "channel_id", "message_ts", "view_id"), "container.")
    message = payload.get("message")
    if message:
        _strings(message, ("ts", "thread_ts", "text", "user", "bot_id"), "message.")
    if kind == "block_actions":
        actions = _want(payload, "actions", (list,), "", required=True)
        if not actions:
            raise _Bad("'actions' is empty")
        for action in actions:
            if not isinstance(action, dict):
                raise _Bad("'actions' must hold objects")
            _want(action, "action_id", _STR, "actions[].", required=True)
            _strings(action, ("block_id", "value", "type", "action_ts"), "actions[].")
            _want(action, "selected_option", _OBJECT_OR_NULL, "actions[].")
    elif kind in ("view_submission", "view_closed"):
        _view(_want(payload, "view", _OBJECT, "", required=True))
    elif kind in ("shortcut", "message_action"):
        _want(payload, "callback_id", _STR, "", required=True)
    elif kind == "block_suggestion":
        _want(payload, "action_id", _STR, "", required=True)
        _strings(payload, ("block_id", "value"), "")
    if payload.get("view") and kind not in ("view_submission", "view_closed"):
        _strings(payload["view"], ("id", "type", "callback_id", "private_metadata"), "view.")


def _view(view: dict) -> None:
    _want(view, "callback_id", _STR, "view.", required=True)
    _strings(view, ("id", "type", "private_metadata", "hash", "team_id", "app_installed_team_id"), "view.")
    state = _want(view, "state", _OBJECT_OR_NULL, "view.")
    values = _want(state or {}, "values", _OBJECT_OR_NULL, "view.state.")
    for block in (values or {}).values():
        if not isinstance(block, dict) or not all(isinstance(element, dict) for element in block.values()):
            raise _Bad("'view.state.values' must map block ids to objects of objects")
        for element in block.values():
            _want(element, "selected_option", _OBJECT_OR_NULL, "view.state.values.")


MAX_FORM_FIELDS = 100  # a slash command has about 15


def shape(raw: bytes, content_type: str) -> tuple[str, str | None]:
    """(request kind, problem or None): the body must be what Slack sends."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "unknown", "body is not UTF-8"
    if "application/json" in content_type:
        data, problem = parse_json(text)
        if problem:
            return "event", problem
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            return "event", "missing 'type'"
        if data["type"] == "event_callback" and not isinstance(data.get("event"), dict):
            return "event", "missing 'event'"
        if data["type"] == "event_callback" and not isinstance(data["event"].get("type"), str):
            return "event", "missing event type"
        return data["type"], event_problem(data)
    try:
        form = parse_qs(
            text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=MAX_FORM_FIELDS
        )
    except ValueError:
        return "form", "invalid form encoding"
    if "payload" in form:
        payload, problem = parse_json(form["payload"][0])
        if problem:
            return "interactivity", f"'payload': {problem}"
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
            return "interactivity", "'payload' has no type"
        return payload["type"], payload_problem(payload)
    if "command" in form:
        return "command", None
    if "ssl_check" in form:
        return "ssl_check", None
    return "form", "neither a command nor a payload"
