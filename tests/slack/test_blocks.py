"""Block Kit builders: pure functions checked on their to_dict(), within Slack's limits for every entry."""

import itertools
import json

from bot.answering import guided
from bot.answering.decision import decide
from bot.knowledge.model import Criterion
from bot.slack import blocks as b
from bot.slack import guided_views, screens


def limits_hold(message: dict) -> None:
    blocks = message["blocks"]
    assert message["text"] and len(message["text"]) <= b.MAX_FALLBACK_TEXT
    assert len(blocks) <= b.MAX_BLOCKS
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= b.MAX_HEADER
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= b.MAX_SECTION
            assert len(block.get("fields", [])) <= b.MAX_FIELDS
            assert all(len(f["text"]) <= b.MAX_FIELD for f in block.get("fields", []))
        if block["type"] == "context_actions":
            assert 1 <= len(block["elements"]) <= 5
            for element in block["elements"]:
                for button in (element["positive_button"], element["negative_button"]):
                    assert len(button["value"]) <= b.MAX_VALUE and len(button["text"]["text"]) <= 75
                    assert len(button.get("accessibility_label", "")) <= 75
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
            ids = [e["action_id"] for e in block["elements"]]
            assert len(ids) == len(set(ids))
            for element in block["elements"]:
                assert len(element["text"]["text"]) <= b.MAX_BUTTON_TEXT
                assert len(element.get("value", "")) <= b.MAX_VALUE and len(element["action_id"]) <= 255


def every_answer(engine, knowledge):
    topics = list(knowledge.topics)
    for topic in topics:
        yield engine.definition(topic)
        for attribute in knowledge.attributes:
            yield engine.attribute(topic, attribute)
    for x, y in itertools.combinations(topics, 2):
        yield engine.comparison(x, y)
        for attribute in knowledge.attributes:
            yield engine.comparison(x, y, attribute)
    for criterion in knowledge.criteria:
        for option in criterion.options:
            yield engine.recommendation(decide(knowledge, {criterion.id: option.value}), guided=True)
    yield engine.recommendation(decide(knowledge, {}))
    yield engine.help()
    yield engine.ask("lunch?")


def test_every_entry_of_the_knowledge_file_fits_block_kit(engine, knowledge):
    from bot.answering.codes import format_code
    from bot.answering.decision import deciding_questions

    count = 0
    everything = {c.id: c.options[-1].value for c in knowledge.criteria}
    extras = {
        "deciding": deciding_questions(knowledge, {}),
        "choice_code": format_code(knowledge, everything),
        "feedback": "q" * 5000,
    }
    for answer in every_answer(engine, knowledge):
        limits_hold(b.answer_message(answer, question="q" * 5000, **extras))
        count += 1
    assert count > 500


def test_every_open_situation_offers_buttons_that_fit(engine, knowledge):
    """An open recommendation offers the one or two questions that would settle it, one button per answer,
    each carrying the situation read so far plus that answer."""
    from bot.answering.decision import decide, deciding_questions

    offered = 0
    for criterion in knowledge.criteria:
        for option in criterion.options:
            situation = {criterion.id: option.value}
            answer = engine.recommendation(decide(knowledge, situation))
            deciding = deciding_questions(knowledge, situation)
            message = b.answer_message(answer, "q", deciding=deciding)
            limits_hold(message)
            buttons = [
                e
                for blk in message["blocks"]
                if blk["type"] == "actions"
                for e in blk["elements"]
                if e["action_id"].startswith("decide_")
            ]
            two = [c for c in deciding if len(c.options) == 2]  # one question, within three buttons
            assert bool(buttons) == (answer.recommendation is None and bool(two))
            assert all(e["value"].startswith(f"{criterion.id}={option.value} ") for e in buttons)
            offered += bool(buttons)
    assert offered > 5


def test_guided_choice_views_fit(engine, knowledge):
    metadata = {"response_url": "https://hooks.slack.com/x" * 40, "channel": "C1"}
    # the most the modal carries: many boxes left unticked, then every question left in one view
    progress = guided.Progress()
    while (step := guided.next_step(knowledge, progress)) is not None:
        view = guided_views.step_view(knowledge, metadata, progress, step)
        assert json.loads(view["private_metadata"])["g"]["q"] == list(progress.asked)  # whole, never cut
        assert view["title"]["text"] and len(view["title"]["text"]) <= 24
        progress = guided.answer(knowledge, progress, step, "" if isinstance(step, Criterion) else [])
    view = guided_views.more_view(knowledge, metadata, progress)
    assert len(view["private_metadata"]) < 3000 and len(view["blocks"]) <= 100
    assert json.loads(view["private_metadata"])["g"]["o"]
    answers = {c.id: c.options[0].value for c in knowledge.criteria}
    result = engine.recommendation(decide(knowledge, answers, complete=True), guided=True)
    limits_hold(b.choice_result_message(result))
    assert guided_views.result_view(knowledge, metadata, progress, result, more=True)["submit"]
    assert b.choice_result_view(result)["type"] == "modal"


def test_a_radio_step_offers_not_sure(knowledge):
    criterion = knowledge.criteria[0]
    view = guided_views.step_view(knowledge, {}, guided.Progress(), criterion)
    (question,) = [x for x in view["blocks"] if x["type"] == "input"]
    assert question["label"]["text"] == criterion.question and not question.get("optional")
    assert [o["text"]["text"] for o in question["element"]["options"]][-1] == "Not sure"
    assert len(json.dumps(screens.home_view(knowledge))) < 10000


def test_long_texts_are_clipped_not_rejected(engine):
    answer = engine.definition("ecs")
    answer.parts = ["x" * 10000]
    answer.title = "t" * 500
    answer.suggestions = ["s" * 3000] * 5
    message = b.answer_message(answer, question="q" * 5000)
    limits_hold(message)
    assert message["blocks"][0]["text"]["text"].endswith("…")


def test_knowledge_text_cannot_form_slack_markup(engine):
    answer = engine.definition("ecs")
    answer.parts = ["<!channel> look & see <@U123>"]
    section = b.answer_message(answer)["blocks"][1]["text"]["text"]
    assert "<!channel>" not in section and "&lt;!channel&gt; look &amp; see" in section


def test_why_message_shows_evidence(knowledge):
    from bot.understanding.policy import Matcher

    match = Matcher(knowledge).match("<!here> ecs vs eks lerning curve")
    message = screens.why_message(match, "<!here> ecs vs eks lerning curve")
    text = "\n".join(block["text"]["text"] for block in message["blocks"])
    assert "&lt;!here&gt;" in text and "<!here>" not in text
    assert "threshold" in text and "lerning curve" in text


def test_the_sources_line_says_when_the_sources_were_checked(engine):
    message = b.answer_message(engine.attribute("eks", "upgrades"))
    context = next(blk for blk in message["blocks"] if blk["type"] == "context")
    first = context["elements"][0]["text"]
    # pages by title, as links, and the day they were checked, once
    assert first.startswith("<https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html|")
    assert "|docs.aws.amazon.com>" not in first and first.endswith(" · checked 2026-11-29")
