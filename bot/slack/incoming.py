"""What an incoming message says about itself: whether a person wrote it, whether it is for someone else,
who the bot is in it, and whether it asks for the guided choice."""

from __future__ import annotations

import html
import re

from ..understanding.normalise import MAX_INPUT_CHARS, fold, normalise

# What a person writes arrives as a plain message or as one of these subtypes: a message with a file or
# screenshot, a thread reply also sent to the channel, /me. Every other subtype (bot_message, message_changed,
# message_deleted, channel_join, ...) is Slack reporting something, not someone asking.
USER_SUBTYPES = frozenset({"file_share", "thread_broadcast", "me_message"})
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def ignored(event: dict, context) -> bool:
    """Never answer ourselves, other bots, edits, deletions, joins or any other non-user message."""
    if event.get("bot_id") or event.get("hidden") or event.get("bot_profile"):
        return True
    if event.get("subtype") and event["subtype"] not in USER_SUBTYPES:
        return True
    user = event.get("user")
    return not user or user in (context.get("bot_user_id"), context.get("bot_id"))


def for_someone_else(text: str, bot_user: str | None) -> bool:
    """A reply that mentions a colleague (and not the bot) is for them, even in the bot's thread."""
    mentioned = set(_USER_MENTION.findall(text or ""))
    return bool(mentioned) and bot_user not in mentioned


def identity(context) -> tuple[str | None, str | None]:
    """(bot_id, bot_user_id): whose messages' metadata may be read back."""
    return context.get("bot_id"), context.get("bot_user_id")


def is_choice_prompt(text: str) -> bool:
    """ "Start the guided choice" (the assistant's suggested prompt, or typed): answered with its button."""
    text = text or ""
    # Cheap first: normalise's words come out of its fold of the first MAX_INPUT_CHARS, entities decoded, and
    # only split further (markup and punctuation become spaces), so without "choice" here no word is "choice".
    if "choice" not in fold(html.unescape(text[:MAX_INPUT_CHARS])):
        return False
    words = normalise(text).tokens
    return (
        2 <= len(words) <= 5 and words[-2:] == ("guided", "choice") and words[0] in ("start", "open", "run")
    )
