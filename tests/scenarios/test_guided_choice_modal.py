"""The guided choice: /container-choice or the Start button opens the modal; a submission ends at a
recommendation (privately where it was asked, in the DM from App Home or when the response_url fails), or
asks again for a missing answer; and when the modal cannot open, the user is told why."""

import dataclasses
import json

import pytest

from bot.knowledge import Option
from bot.knowledge.guided_limits import MAX_OPTION_VALUE
from tests.fakes.slack import block_actions, command_form, send_form, send_payload, view_submission
from tests.helpers import KUBERNETES_TEAM, SMALL_AWS_TEAM, ok, start_bot


def test_container_choice_opens_the_guided_choice(bot, fake):
    status, body, seconds = send_form(bot.events, command_form("", fake.response_url("cmd")))
    assert status == 200 and seconds < 3
    (call,) = fake.wait_for("views.open")
    view = call.params["view"]
    assert call.params["trigger_id"] == "1337.42.fake-trigger" and view["callback_id"] == "guided_choice"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == list(KUBERNETES_TEAM)
    assert json.loads(view["private_metadata"])["response_url"].endswith("/response/cmd")


def test_start_button_opens_the_guided_choice(bot, fake):
    ok(send_payload(bot.events, block_actions("start_guided_choice", "start", fake.response_url())))
    assert fake.wait_for("views.open")


# ------------------------------------------------------------------------------------------- the result


def choose(bot, fake, answers):
    metadata = {"response_url": fake.response_url("result"), "channel": "C0000CHAN"}
    status, body, seconds = send_payload(bot.events, view_submission(answers, metadata))
    assert status == 200 and seconds < 3
    (private,) = fake.wait_for("response_url")
    return json.loads(body), private.params


def test_guided_choice_kubernetes_team_ends_at_eks(bot, fake):
    ack, private = choose(bot, fake, KUBERNETES_TEAM)
    assert ack["response_action"] == "update"
    assert ack["view"]["blocks"][0]["text"]["text"] == "Recommendation: Amazon EKS"
    assert private["response_type"] == "ephemeral" and "Recommendation: Amazon EKS" in private["text"]
    assert "already run Kubernetes" in private["text"] and "ECS would fit better if" in private["text"]
    assert "Amazon ECR" in private["text"]
    share = [e for b in private["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert share[0]["action_id"] == "share_choice" and share[0]["value"].startswith("kubernetes=yes")


def test_guided_choice_small_aws_team_ends_at_ecs(bot, fake):
    ack, private = choose(bot, fake, SMALL_AWS_TEAM)
    assert "Recommendation: Amazon ECS" in private["text"]
    assert "lower learning curve" in private["text"] and "EKS would fit better if" in private["text"]


def test_guided_choice_asks_again_for_a_missing_answer(bot, fake):
    partial = dict(SMALL_AWS_TEAM)
    del partial["cost"]
    status, body, _ = send_payload(bot.events, view_submission(partial, {}))
    assert status == 200 and json.loads(body) == {
        "response_action": "errors",
        "errors": {"cost": "Please pick an answer."},
    }


def test_guided_choice_from_app_home_lands_in_the_dm(bot, fake):
    status, body, _ = send_payload(bot.events, view_submission(SMALL_AWS_TEAM, {"user": "U0000USER"}))
    assert status == 200
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "U0000USER" and "Recommendation: Amazon ECS" in call.params["text"]


def test_guided_choice_result_whose_response_url_answers_not_ok_lands_in_the_dm(bot, fake):
    fake.fail("response_url", body={"ok": False, "error": "expired_url"})  # HTTP 200, but not taken
    metadata = {"response_url": fake.response_url("result"), "channel": "C0000CHAN"}
    assert send_payload(bot.events, view_submission(SMALL_AWS_TEAM, metadata))[0] == 200
    (dm,) = fake.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U0000USER" and "Recommendation: Amazon ECS" in dm.params["text"]


# --------------------------------------------------------------------------- when the modal cannot open


@pytest.fixture
def unrenderable_bot(fake, knowledge):
    """A bot whose knowledge slipped past the loader (built in code): one option value Slack refuses."""
    first = knowledge.criteria[0]
    long_option = Option("v" * (MAX_OPTION_VALUE + 1), "Other", {"ecs": 1}, "A reason.", "a condition")
    broken = dataclasses.replace(first, options=first.options + (long_option,))
    running = start_bot(fake, dataclasses.replace(knowledge, criteria=(broken,) + knowledge.criteria[1:]))
    yield running
    running.server.close()


def test_guided_choice_that_cannot_be_built_tells_the_user(unrenderable_bot, fake):
    status, _, seconds = send_form(unrenderable_bot.events, command_form("", fake.response_url("cmd")))
    assert status == 200 and seconds < 3
    (told,) = fake.wait_for("response_url")
    assert (
        told.params["response_type"] == "ephemeral"
        and "couldn't open the guided choice" in told.params["text"]
    )
    assert "container-bot check" in told.params["text"]
    assert fake.called("views.open") == []


def test_guided_choice_from_app_home_that_cannot_be_built_tells_the_user_in_the_dm(unrenderable_bot, fake):
    payload = block_actions("start_guided_choice", "home", "", container_type="view")
    del payload["response_url"]  # App Home clicks carry none
    assert send_payload(unrenderable_bot.events, payload)[0] == 200
    (told,) = fake.wait_for("chat.postMessage")
    assert told.params["channel"] == "U0000USER" and "couldn't open the guided choice" in told.params["text"]


def test_guided_choice_slack_refuses_to_open_tells_the_user(bot, fake):
    fake.fail("views.open", body={"ok": False, "error": "invalid_arguments"})
    assert send_form(bot.events, command_form("", fake.response_url("cmd")))[0] == 200
    (told,) = fake.wait_for("response_url")
    assert (
        "couldn't open the guided choice" in told.params["text"]
        and "invalid_arguments" in told.params["text"]
    )
