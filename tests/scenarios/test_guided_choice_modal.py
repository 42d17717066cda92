"""The guided choice: /container-choice or the Start button opens a modal at the deciding question, which
updates itself one question at a time (`response_action: update`) until no answer left can change the
verdict, then shows the recommendation with "Answer more to be sure"; the result also lands privately where
the choice started (in the DM from App Home or when the response_url fails); a modal an earlier version
opened (every question at once) still submits; and when the modal cannot open, the user is told why."""

import dataclasses
import json

import pytest

from bot.answering.decision import decide
from bot.answering.guided import respondent
from bot.knowledge import Option
from bot.knowledge.guided_limits import MAX_OPTION_VALUE
from tests.fakes.slack import block_actions, command_form, send_form, send_payload, view_submission
from tests.helpers import KUBERNETES_TEAM, SMALL_AWS_TEAM, ok, start_bot


def open_modal(bot, fake) -> dict:
    status, body, seconds = send_form(bot.events, command_form("", fake.response_url("cmd")))
    assert status == 200 and seconds < 3
    (call,) = fake.wait_for("views.open")
    return call.params["view"]


def submit(bot, view: dict, values: dict) -> dict:
    """The view submitted as Slack sends it: its private_metadata, and the state of its inputs."""
    payload = view_submission({}, {}, callback_id=view["callback_id"])
    payload["view"]["private_metadata"] = view.get("private_metadata") or ""
    payload["view"]["state"]["values"] = values
    status, body, seconds = send_payload(bot.events, payload)
    assert status == 200 and seconds < 3
    return json.loads(body)


def inputs(view: dict) -> list[dict]:
    return [b for b in view["blocks"] if b["type"] == "input"]


def reply_of(knowledge, view: dict, team: dict) -> dict:
    """What someone who knows only `team` picks in the view's one question."""
    (block,) = inputs(view)
    element = block["element"]
    if element["type"] == "checkboxes":
        checklist = next(c for c in knowledge.checklists if c.id == block["block_id"])
        by_label = {t.label: t for t in checklist.ticks}
        shown = [by_label[o["text"]["text"]] for o in element["options"]]
        ticked = respondent(knowledge, team)(checklist, tuple(shown))
        chosen = [o for o, t in zip(element["options"], shown, strict=True) if t in ticked]
        return {block["block_id"]: {"choice_answer": {"type": "checkboxes", "selected_options": chosen}}}
    value = team.get(block["block_id"], "?")
    return {
        block["block_id"]: {"choice_answer": {"type": "radio_buttons", "selected_option": {"value": value}}}
    }


def walk_modal(bot, fake, knowledge, team: dict) -> tuple[list[dict], dict]:
    """The modal answered step by step as `team` would: the views it showed, and the last one."""
    views = [open_modal(bot, fake)]
    while inputs(views[-1]):
        ack = submit(bot, views[-1], reply_of(knowledge, views[-1], team))
        assert ack["response_action"] == "update"
        views.append(ack["view"])
    return views, views[-1]


def test_container_choice_opens_at_the_deciding_question(bot, fake):
    view = open_modal(bot, fake)
    assert view["callback_id"] == "guided_choice" and view["submit"]["text"] == "Next"
    (question,) = inputs(view)
    assert question["block_id"] == "hard_requirements" and question["optional"]  # ticking none is an answer
    assert question["label"]["text"].startswith("Do any of these hard requirements apply?")
    labels = [o["text"]["text"] for o in question["element"]["options"]]
    assert "We must run Kubernetes-only software (Helm charts, operators, CRDs)" in labels
    assert not [x for x in labels if "_" in x or "=" in x]  # plain words: no ids reach users
    assert json.loads(view["private_metadata"])["response_url"].endswith("/response/cmd")


def test_start_button_opens_the_guided_choice(bot, fake):
    ok(send_payload(bot.events, block_actions("start_guided_choice", "start", fake.response_url())))
    assert fake.wait_for("views.open")


@pytest.mark.parametrize(
    "team, pick",
    [
        ({"kubernetes": "yes", "team_k8s": "yes", "own_hardware": "yes"}, "Amazon EKS"),
        ({"simplicity": "yes", "aws_invested": "yes", "team_k8s": "no", "cost": "yes"}, "Amazon ECS"),
        ({"multi_cloud": "yes"}, "Amazon EKS"),
    ],
)
def test_the_modal_updates_one_question_at_a_time_until_the_verdict_is_settled(
    bot, fake, knowledge, team, pick
):
    views, result = walk_modal(bot, fake, knowledge, team)
    assert 2 <= len(views) <= 1 + len(knowledge.checklists)  # a few questions, then the result
    assert all(len(inputs(v)) == 1 for v in views[:-1])  # one question per step
    assert result["blocks"][0]["text"]["text"] == f"Recommendation: {pick}"
    assert decide(knowledge, team, complete=True).pick in pick.lower()  # as answering every question
    assert result["submit"]["text"] == "Answer more to be sure" and result["close"]["text"] == "Done"
    (private,) = fake.wait_for("response_url")
    assert (
        private.params["response_type"] == "ephemeral" and f"Recommendation: {pick}" in private.params["text"]
    )


def test_answer_more_to_be_sure_shows_every_question_left_with_not_sure(bot, fake, knowledge):
    team = {"simplicity": "yes", "aws_invested": "yes"}
    _, result = walk_modal(bot, fake, knowledge, team)
    more = submit(bot, result, {})["view"]
    left = inputs(more)
    assert [b["block_id"] for b in left] == [c.id for c in knowledge.criteria]  # no box was ticked
    assert all(b["optional"] and b["element"]["options"][-1]["text"]["text"] == "Not sure" for b in left)
    answered = {"windows": {"choice_answer": {"type": "radio_buttons", "selected_option": {"value": "yes"}}}}
    final = submit(bot, more, answered)["view"]
    assert final["blocks"][0]["text"]["text"] == "Recommendation: Amazon ECS" and "submit" not in final
    assert "windows=yes" in json.dumps(final)  # the answer code holds what was answered
    posts = fake.wait_for("response_url", count=2)
    assert len(posts) == 2 and "windows=yes" in posts[1].params["text"]


def test_a_preset_that_settles_it_opens_at_the_result(bot, fake):
    # a need only EKS meets, and no Windows (with k8s_ecosystem=yes alone, serverless Windows could conflict)
    payload = block_actions("start_guided_choice", "k8s_ecosystem=yes windows=no", fake.response_url("btn"))
    ok(send_payload(bot.events, payload))
    (opened,) = fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["blocks"][0]["text"]["text"] == "Recommendation: Amazon EKS" and not inputs(view)
    assert view["submit"]["text"] == "Answer more to be sure"
    (private,) = fake.wait_for("response_url")
    assert "Recommendation: Amazon EKS" in private.params["text"]


def test_a_step_that_no_longer_reads_starts_again(bot, fake):
    view = open_modal(bot, fake)
    metadata = json.loads(view["private_metadata"])
    metadata["g"]["a"] = {"kubernetes": "maybe"}
    forged = {**view, "private_metadata": json.dumps(metadata)}
    ack = submit(bot, forged, {})
    assert ack["response_action"] == "update" and inputs(ack["view"])[0]["block_id"] == "hard_requirements"


# ----------------------------------------------------------- a modal an earlier version opened: all at once


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
    """A bot whose knowledge slipped past the loader (built in code): an option value Slack refuses in every
    question, and no checklists."""
    long_option = Option("v" * (MAX_OPTION_VALUE + 1), "Other", {"ecs": 1}, "A reason.", "a condition")
    broken = tuple(dataclasses.replace(c, options=c.options + (long_option,)) for c in knowledge.criteria)
    running = start_bot(fake, dataclasses.replace(knowledge, criteria=broken, checklists=()))
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
