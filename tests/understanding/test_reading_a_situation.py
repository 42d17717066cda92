"""What a recommendation reads from a message: a veto only on a stated requirement, the words that said each
thing (quoted back), cues that overlap read as the one that says more, learned cues that state their
subject; and what is not a question about ECS and EKS at all, declined."""

import pytest

from bot.answering.decision import decide


def situation(engine, text):
    return engine.matcher.match(text).situation


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("we use helm and argo cd today, ecs or eks?", "uses"),
        ("our vendor requires us to run their helm chart, ecs or eks?", "yes"),
        ("we must run a couple of kubernetes operators, which one?", "yes"),
        ("we don't need helm at all, ecs or eks?", "no"),
    ],
)
def test_kubernetes_tooling_vetoes_only_when_it_is_required(engine, text, value):
    assert situation(engine, text)["k8s_ecosystem"] == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("i'm worried about vendor lock-in, ecs or eks?", "prefer"),
        ("we run workloads on gcp and aws, which one?", "also"),
        ("the platform must also run on gke, ecs or eks?", "yes"),
        ("we're fine being aws only, ecs or eks?", "no"),
    ],
)
def test_other_clouds_veto_only_as_a_mandate(engine, knowledge, text, value):
    read = situation(engine, text)
    assert read["multi_cloud"] == value
    assert bool(decide(knowledge, read).vetoes) == (value == "yes")


def test_overlapping_cues_are_read_as_the_one_that_says_more(engine):
    assert situation(engine, "we want to learn kubernetes, ecs or eks?") == {"learn_k8s": "yes"}
    assert "want_k8s" not in situation(engine, "i want to hire kubernetes engineers next year, ecs or eks?")
    assert "kubernetes" not in situation(engine, "it must also run on gke, ecs or eks?")


def test_words_that_only_sound_like_a_need_decide_nothing(engine):
    for text in (
        "we are a telecom operator with a small team, ecs or eks?",
        "our team uses kubectl daily but we only run 3 web apps, ecs or eks?",
        "we keep hitting aws service quotas, ecs or eks?",
        "we run on prem today and are moving to aws, ecs or eks?",
    ):
        answer = engine.ask(text)
        assert "This decides it" not in answer.text and "You already run Kubernetes" not in answer.text, text


def test_each_reason_quotes_the_words_that_gave_it(engine):
    answer = engine.ask("our team uses kubectl daily but we only run 3 web apps, ecs or eks?")
    assert answer.recommendation is None  # experience one way, three web apps the other: it is open
    assert "- For Amazon EKS: Your team already knows Kubernetes" in answer.text
    assert '(you said: "our team uses kubectl daily")' in answer.text
    vetoed = engine.ask("leadership insists we stay portable across clouds. ecs or eks?")
    assert vetoed.parts[0].startswith("This decides it: You must run the same platform on other clouds")
    assert '(you said: "leadership insists we stay portable across clouds")' in vetoed.parts[0]


def test_after_a_veto_only_dropping_the_requirement_would_change_it(engine):
    answer = engine.ask("our vendor only ships a helm chart, ecs or eks?")
    assert answer.changes == ["ECS would fit better if you don't need Kubernetes-only software"]


def test_kubernetes_without_its_machinery_is_eks_with_auto_mode(engine):
    answer = engine.ask("we want kubernetes but don't want to manage nodes or add-ons, which one?")
    assert answer.recommendation == "eks" and "EKS Auto Mode" in answer.text


def test_disconnected_sites_are_eks_anywhere(engine):
    answer = engine.ask("some of our factories are air-gapped and need containers too. ecs or eks?")
    assert answer.recommendation == "eks" and "Only EKS Anywhere runs fully disconnected" in answer.text


def test_learned_cues_are_two_words_at_least_and_name_their_subject(engine, knowledge):
    learned = [p for p in engine.matcher.finder.phrases if p.kind == "criterion" and p.learned]
    assert learned
    for phrase in learned:
        criterion = knowledge.criterion(phrase.target.split("=")[0])
        assert len(phrase.tokens) >= 2, phrase
        if criterion.subject:
            assert set(criterion.subject) & set(phrase.tokens), phrase


@pytest.mark.parametrize(
    "text",
    [
        "what does the ECS do in the body? endocannabinoid system question for my biology class",
        "in unity dots, how does the ecs entity component system schedule jobs?",
        "spot vs reserved instances for our ec2 fleet, which should we pick?",
        "does lambda support the python 3.13 runtime yet?",
        "gke or aks for our kubernetes?",
    ],
)
def test_other_products_and_other_meanings_get_no_ecs_or_eks_answer(engine, text):
    assert engine.ask(text).kind == "fallback"


@pytest.mark.parametrize(
    "text", ["topics?", "menu", "help", "I'm a PM, not an engineer. what's worth asking you?"]
)
def test_asking_what_the_bot_covers_gets_help(engine, text):
    assert engine.ask(text).kind == "help"


def test_the_short_answer_keeps_the_quoted_words_and_what_pulls_hardest(engine):
    from bot.answering.brief import brief_text

    vetoed = brief_text(engine.ask("the platform must also run on GKE, ecs or eks?"))
    assert '(you said: "the platform must also run on gke")' in vetoed
    open_ = brief_text(engine.ask("we run kubernetes on prem and also need windows containers, ecs or eks?"))
    assert "For Amazon EKS" in open_ and "For Amazon ECS: You run Windows containers" in open_
