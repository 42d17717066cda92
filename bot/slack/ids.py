"""Every Slack id the app registers, named once."""

COMMAND = "/container-choice"
SHORTCUT_ASK = "ask_container_bot"
CHOICE_VIEW = "guided_choice"
CHOICE_ACTION_ID = "choice_answer"
ACTION_COMPARE = "compare_services"
ACTION_START_CHOICE = "start_guided_choice"
ACTION_WHY = "why_this_answer"
ACTION_MORE = "show_more"  # the rest of a short answer: "Show more" / "Full comparison"
ACTION_SHARE = "share_choice"
ACTION_FEEDBACK = "answer_feedback"  # the 👍/👎 feedback buttons under every answer
ACTION_DECIDE_PREFIX = "decide_"  # one button per answer to a question that would settle a recommendation
SHARE_VIEW = "share_choice_to"  # the small modal that picks the channel to share a result in
SHARE_CHANNEL_BLOCK = "share_channel"
SHARE_CHANNEL_ACTION = "share_channel_select"
ACTION_SUGGESTION_PREFIX = "suggestion_"

# The assistant view's suggested prompts (manifest.yml lists the same; a test keeps them in step). The last
# one is answered with the guided choice's button, since a modal needs a click to open.
PROMPT_CHOICE = "Start the guided choice"
SUGGESTED_PROMPTS = (
    {"title": "ECS or EKS for us?", "message": "ECS or EKS for us?"},
    {"title": "What is ECR?", "message": "What is ECR?"},
    {"title": PROMPT_CHOICE, "message": PROMPT_CHOICE},
)

# The bot scopes manifest.yml asks for; a test keeps the two in step, and serve warns about any missing.
BOT_SCOPES = (
    "app_mentions:read",
    "assistant:write",
    "channels:history",
    "chat:write",
    "commands",
    "groups:history",
    "im:history",
    "metadata.message:read",
)
BOT_EVENTS = (
    "app_home_opened",
    "app_mention",
    "assistant_thread_context_changed",
    "assistant_thread_started",
    "message.channels",
    "message.groups",
    "message.im",
)
