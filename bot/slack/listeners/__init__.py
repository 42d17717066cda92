"""Thin listeners: parse the payload, call the core, render, reply. One module per Slack feature, each with
a class whose bound methods Bolt calls and a `register(app, runtime)` that wires them up."""

from __future__ import annotations

from slack_bolt import App

from ..runtime import Runtime
from . import actions, assistant, commands, events, shortcuts, views


def register(app: App, runtime: Runtime) -> None:
    events.register_rate_limit_notice(app, runtime)
    assistant.register(app, runtime)
    events.register(app, runtime)
    commands.register(app, runtime)
    actions.register(app, runtime)
    views.register(app, runtime)
    shortcuts.register(app, runtime)
