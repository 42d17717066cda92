"""Every statement of the seed note is answerable: the right question gets an answer that says it."""

import pytest

SEED = [
    (
        "ecs vs eks",
        "ECS and EKS are both container orchestration services provided by AWS, but they have different approaches and features",
    ),
    (
        "what is eks",
        "A managed Kubernetes service by AWS that makes it easy to run Kubernetes on AWS without needing to install and operate your own Kubernetes control plane.",
    ),
    (
        "what is ecs",
        "A fully managed container orchestration service by AWS that supports Docker containers and allows you to easily run and scale containerized applications on AWS.",
    ),
    ("ecs service type", "Managed container orchestration service."),
    (
        "what orchestration does ecs use",
        "Uses AWS's own orchestration engine, which is simpler and AWS-specific.",
    ),
    (
        "ecs management",
        "Easier to set up and use if you are already familiar with AWS services. It integrates seamlessly with other AWS services.",
    ),
    (
        "who manages the ecs control plane",
        "AWS manages the control plane; you focus on defining tasks and services.",
    ),
    ("ecs learning curve", "Generally has a lower learning curve compared to Kubernetes."),
    (
        "ecs use case",
        "Ideal for users who want a managed service with minimal configuration and are already invested in the AWS ecosystem.",
    ),
    ("what type of service is eks", "Managed Kubernetes service."),
    (
        "what orchestration engine does eks use",
        "Uses Kubernetes, which is an open-source container orchestration system.",
    ),
    # Corrected by issue 10: AWS runs the control plane (and, in Auto Mode, the nodes); "full control" misled.
    ("how much management does eks need", "AWS manages the Kubernetes control plane of every cluster"),
    (
        "eks control plane",
        "AWS manages the control plane, but you have more control over the cluster configuration.",
    ),
    ("is eks hard to learn", "Generally has a steeper learning curve due to Kubernetes' complexity."),
    (
        "what is eks good for",
        "Ideal for users who need Kubernetes features or are already using Kubernetes and want a managed solution.",
    ),
    ("orchestration engine ecs vs eks", "ECS uses AWS's own system, while EKS uses Kubernetes."),
    (
        "ecs vs eks flexibility",
        "EKS offers more flexibility and features of Kubernetes, which can be beneficial if you need advanced container orchestration capabilities.",
    ),
    # Corrected by issue 10: EKS is integrated with AWS too; what differs is the API and its ecosystem.
    ("ecs vs eks integration", "ECS is tightly integrated with AWS services"),
    ("ecs vs eks integration", "the broader Kubernetes ecosystem"),
    (
        "ecs or eks?",
        "Choose ECS for a simpler, AWS-integrated solution and EKS if you need the features of Kubernetes or are already using Kubernetes.",
    ),
    (
        "what is ecr",
        "A fully managed container registry service that allows you to store, manage, and deploy Docker container images.",
    ),
    (
        "what is ecr",
        "It acts as a repository where you can push and pull container images for use with ECS or other container orchestration tools.",
    ),
    ("what is ecr used for", "ECR is used for storing and managing container images."),
]


@pytest.mark.parametrize("question, statement", SEED)
def test_seed_statement_is_answerable(engine, question, statement):
    answer = engine.ask(question)
    assert answer.kind != "fallback"
    assert statement.lower() in " ".join(answer.text.split()).lower()


# ------------------------------------------------------------------------ `source: seed` is the seed note

import re  # noqa: E402

from tests.helpers import ROOT  # noqa: E402

SEED_NOTE = (ROOT / "tests" / "data" / "seed_note.txt").read_text(encoding="utf-8")


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9']+", " ", text.lower()).split()) + " "


# The note as written, and without its parenthesised expansions ("ECS (Elastic Container Service) and EKS").
SEED_VARIANTS = [_words(SEED_NOTE), _words(re.sub(r"\([^)]*\)", " ", SEED_NOTE))]


def _seed_statements(knowledge):
    for topic in knowledge.topics.values():
        if topic.source == "seed":
            yield f"{topic.id} definition", topic.definition
        for attr, fact in topic.facts.items():
            if fact.source == "seed":
                yield f"{topic.id}.{attr}", fact.text
    for pair, entry in knowledge.comparisons.items():
        if entry.source == "seed":
            yield f"{pair} summary", entry.summary
            if entry.intro:
                yield f"{pair} intro", entry.intro
        for diff in entry.differences:
            if diff.source == "seed":
                yield f"{pair} {diff.attribute}", diff.text


def test_every_seed_labelled_sentence_is_in_the_seed_note(knowledge):
    statements = list(_seed_statements(knowledge))
    assert len(statements) >= 15
    missing = []
    for where, text in statements:
        # a "Name: sentence" prefix is the knowledge file's own label, not the note's wording
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            words = _words(sentence)
            if not any(words in variant for variant in SEED_VARIANTS):
                missing.append((where, sentence))
    assert missing == []


def test_the_seed_check_would_catch_a_sentence_the_note_does_not_say():
    assert _words("Fewer moving parts and fewer knobs than Kubernetes.") not in SEED_VARIANTS[0]
    assert _words("Generally has a lower learning curve compared to Kubernetes.") in SEED_VARIANTS[0]
