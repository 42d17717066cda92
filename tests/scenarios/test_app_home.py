"""The App Home tab shows what the bot does, built once per knowledge version; the Messages tab publishes
nothing."""

import json

from tests.fakes.slack import event_envelope, home_opened, send_event
from tests.helpers import ok


def test_app_home_shows_what_the_bot_does(bot, fake):
    ok(send_event(bot.events, event_envelope(home_opened("home"))))
    (call,) = fake.wait_for("views.publish")
    view = call.params["view"]
    assert call.params["user_id"] == "U0000USER" and view["type"] == "home"
    assert any(
        e.get("action_id") == "start_guided_choice"
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )


def test_app_home_is_built_once_per_knowledge_and_anew_after_a_reload(bot, fake, knowledge, tmp_path):
    from bot.knowledge import load_knowledge
    from bot.slack.runtime import Loaded
    from tests.helpers import KNOWLEDGE, write_knowledge

    deps = bot.app.container_bot
    for expected in (1, 2):
        ok(send_event(bot.events, event_envelope(home_opened("home"))))
        fake.wait_for("views.publish", expected)
    first, second = (c.params["view"] for c in fake.called("views.publish"))
    assert first == second and deps.loaded.home_view is deps.loaded.home_view
    renamed = KNOWLEDGE.read_text(encoding="utf-8").replace(
        "name: Amazon ECR\n", "name: Amazon ECR Registry\n"
    )
    path = write_knowledge(tmp_path / "knowledge.yaml", renamed)
    deps.loaded = Loaded(load_knowledge(path), deps.engine, deps.loaded.version + 1)  # as a reload swaps it
    ok(send_event(bot.events, event_envelope(home_opened("home"))))
    third = fake.wait_for("views.publish", 3)[2].params["view"]
    assert "Amazon ECR Registry" in json.dumps(third) and "Amazon ECR Registry" not in json.dumps(first)


def test_messages_tab_does_not_publish_home(bot, fake):
    ok(send_event(bot.events, event_envelope(home_opened("messages"))))
    fake.settle()
    assert fake.called("views.publish") == []
