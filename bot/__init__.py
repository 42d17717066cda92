"""container-bot: answers ECS / EKS / ECR questions in Slack and in a terminal."""

__version__ = "0.1.0"
