"""Every Slack id the app registers, named once."""

COMMAND = "/container-choice"
SHORTCUT_ASK = "ask_container_bot"
CHOICE_VIEW = "guided_choice"
CHOICE_ACTION_ID = "choice_answer"
ACTION_COMPARE = "compare_services"
ACTION_START_CHOICE = "start_guided_choice"
ACTION_WHY = "why_this_answer"
ACTION_SHARE = "share_choice"
SHARE_VIEW = "share_choice_to"  # the small modal that picks the channel to share a result in
SHARE_CHANNEL_BLOCK = "share_channel"
SHARE_CHANNEL_ACTION = "share_channel_select"
ACTION_SUGGESTION_PREFIX = "suggestion_"

# The bot scopes manifest.yml asks for; a test keeps the two in step, and serve warns about any missing.
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "chat:write",
    "commands",
    "groups:history",
    "im:history",
)
BOT_EVENTS = ("app_home_opened", "app_mention", "message.channels", "message.groups", "message.im")
