"""The last gate before anything reaches Slack: no broadcast, group or user mention ever leaves the bot."""

from __future__ import annotations

import re
from typing import Any

# <!channel>, <!here>, <!everyone>, <!subteam^S123|@team>, <!date...>: any special mention; <@U123>: users.
_SPECIAL = re.compile(r"<![^>]*>")
_USER = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_BARE = re.compile(r"(?<![\w&])@(channel|here|everyone)\b", re.IGNORECASE)


def scrub(text: str, allow_users: tuple[str, ...] = ()) -> str:
    text = _SPECIAL.sub("", text)
    text = _USER.sub(lambda m: m.group(0) if any(f"<@{u}" in m.group(0) for u in allow_users) else "", text)
    return _BARE.sub(r"\1", text)


def scrub_message(payload: Any, allow_users: tuple[str, ...] = ()) -> Any:
    """Every string in a message payload (text, blocks, attachments), scrubbed."""
    if isinstance(payload, str):
        return scrub(payload, allow_users)
    if isinstance(payload, dict):
        return {
            k: scrub_message(v, allow_users) if k not in ("action_id", "block_id", "url") else v
            for k, v in payload.items()
        }
    if isinstance(payload, list):
        return [scrub_message(v, allow_users) for v in payload]
    return payload
