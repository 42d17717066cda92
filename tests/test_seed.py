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
