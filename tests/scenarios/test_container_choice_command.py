"""/container-choice with text: help, a question answered in the ack, an answer code replayed, a bad code
explained. (Without text it opens the guided choice: test_guided_choice_modal.py.)"""

import json

from tests.fakes.slack import command_form, send_form
from tests.helpers import SMALL_AWS_TEAM


def test_container_choice_help(bot, fake):
    status, body, _ = send_form(bot.events, command_form("help", fake.response_url()))
    assert status == 200 and "answer code" in body and "guided choice" in body


def test_container_choice_with_a_question_answers_it(bot, fake):
    status, body, _ = send_form(bot.events, command_form("ecs vs eks", fake.response_url()))
    answer = json.loads(body)
    assert status == 200 and answer["text"].startswith("Amazon ECS vs Amazon EKS")


def test_container_choice_replays_an_answer_code(bot, fake):
    code = " ".join(f"{k}={v}" for k, v in SMALL_AWS_TEAM.items())
    status, body, _ = send_form(bot.events, command_form(code, fake.response_url()))
    assert status == 200 and "Recommendation: Amazon ECS" in json.loads(body)["text"]


def test_container_choice_explains_a_bad_code(bot, fake):
    status, body, _ = send_form(bot.events, command_form("kubernetes=maybe", fake.response_url()))
    assert status == 200 and "kubernetes takes yes/no" in body
