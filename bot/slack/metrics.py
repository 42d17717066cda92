"""Prometheus metrics, one registry per app so tests and replicas count on their own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "container_bot_requests",
            "Slack requests by type and outcome",
            ["type", "outcome"],
            registry=self.registry,
        )
        self.answers = Counter("container_bot_answers", "Answers by kind", ["kind"], registry=self.registry)
        self.fallbacks = Counter(
            "container_bot_fallbacks", "Questions answered with 'not sure'", registry=self.registry
        )
        self.duplicates = Counter(
            "container_bot_duplicates_dropped",
            "Redelivered or doubled events dropped",
            registry=self.registry,
        )
        self.slack_errors = Counter(
            "container_bot_slack_api_errors",
            "Slack Web API calls that failed",
            ["method"],
            registry=self.registry,
        )
        self.slack_retries = Counter(
            "container_bot_slack_api_retries",
            "Slack Web API calls retried",
            ["reason"],
            registry=self.registry,
        )
        self.events_rate_limited = Counter(
            "container_bot_events_rate_limited",
            "app_rate_limited notices: Slack drops events past 30,000 an hour from one workspace",
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "container_bot_outbox_pending",
            "Outgoing Web API calls queued or in flight, by lane (reply, view)",
            ["lane"],
            registry=self.registry,
        )
        self.outbox_dropped = Counter(
            "container_bot_outbox_dropped",
            "Outgoing Web API calls dropped because too many were waiting, by lane",
            ["lane"],
            registry=self.registry,
        )
        self.feedback = Counter(
            "container_bot_feedback",
            "Answers marked helpful (up) or not (down), by the answer's kind",
            ["kind", "value"],
            registry=self.registry,
        )
        self.follow_ups = Counter(
            "container_bot_follow_ups",
            "Replies read in the light of the bot's previous answer in the thread, by how they leaned on it",
            ["reading"],
            registry=self.registry,
        )
        self.thread_reads = Counter(
            "container_bot_thread_reads",
            "Threads read back for the bot's previous answer: found, none (no answer of ours), error",
            ["outcome"],
            registry=self.registry,
        )
        self.knowledge = Info(
            "container_bot_knowledge",
            "The knowledge being served: version (1 at start, one more each reload) and checksum",
            registry=self.registry,
        )
        self.knowledge_reloads = Counter(
            "container_bot_knowledge_reloads",
            "Knowledge reloads (SIGHUP or KNOWLEDGE_RELOAD_SECONDS) by outcome: ok, invalid",
            ["outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "container_bot_answer_seconds",
            "Time to build an answer",
            buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5),
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
