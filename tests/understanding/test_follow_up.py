"""Follow-ups: a reply in a thread is read in the light of the answer before it (an attribute, a topic,
"why?", more of the situation), unless it stands alone."""

CONVERSATION = [
    # (reply, kind, topics, attribute, pick, how it leaned on the previous answer)
    ("ecs or eks?", "recommendation", ["ecs", "eks"], None, None, None),
    ("what about cost?", "comparison", ["ecs", "eks"], "cost", None, "attribute"),
    ("and ecr?", "comparison", ["ecs", "eks", "ecr"], None, None, "topic"),
    (
        "we're three devs and nobody knows kubernetes, which one?",
        "recommendation",
        ["ecs", "eks"],
        None,
        "ecs",
        None,
    ),
    ("why?", "recommendation", ["ecs", "eks"], None, "ecs", "why"),
    ("we also must run a vendor's helm chart", "recommendation", ["ecs", "eks"], None, "eks", "situation"),
    ("what is fargate", "definition", ["fargate"], None, None, None),
    ("and eks auto mode?", "definition", ["eks_auto_mode"], None, None, "topic"),
]


def test_a_thread_conversation_keeps_its_context(engine):
    context = None
    for reply, kind, topics, attribute, pick, follow_up in CONVERSATION:
        answer = engine.ask(reply, context=context)
        got = (answer.kind, answer.topics, answer.attribute, answer.recommendation, answer.match.follow_up)
        assert got == (kind, topics, attribute, pick, follow_up), reply
        context = answer.context()


def test_a_reply_that_stands_alone_ignores_the_context(engine):
    previous = engine.ask("ecs vs eks").context()
    answer = engine.ask("what is ecr used for, exactly?", context=previous)
    assert (
        answer.kind in ("definition", "attribute")
        and answer.topics[0] == "ecr"
        and not answer.match.follow_up
    )
