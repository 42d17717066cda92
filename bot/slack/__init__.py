"""The Slack face of container-bot: a thin Bolt layer over the core in bot/."""
