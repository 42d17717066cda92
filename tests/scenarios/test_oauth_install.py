"""OAuth mode end to end, on a SQLite file and on a real PostgreSQL server: installs through /slack/install
and /slack/oauth_redirect against the fake Slack, each workspace (or Grid org) answered with its own token,
an unknown workspace never answered, uninstalls, restarts, token rotation, and the thread's context kept in
the store instead of read back from Slack."""

import pytest

from tests.fakes.slack import event_envelope, mention_event, message_event, send_event
from tests.helpers import Chat, install, start_oauth_bot

T1, T2, T3, UNKNOWN, ORG = "T0000ONE1", "T0000TWO2", "T0000GRID", "T0000NOPE", "E0000ORG1"


@pytest.fixture
def oauth_bot(fake, knowledge, installation_store_url):
    running = start_oauth_bot(fake, knowledge, installation_store_url)
    yield running
    running.stop()


def mention_from(bot, text: str, team: str, enterprise: str | None = None, org: bool = False, **kwargs):
    envelope = event_envelope(mention_event(text, **kwargs), team=team, enterprise=enterprise, org=org)
    status, _, seconds = send_event(bot.events, envelope)
    assert status == 200 and seconds < 3  # acked, whoever it came from
    return envelope


def gone(bot, team: str, timeout: float = 5.0) -> bool:
    """The installation of `team` is removed (Bolt's listener runs after the ack: a bounded wait)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bot.stores.installations.find_bot(enterprise_id=None, team_id=team) is None:
            return True
        time.sleep(0.02)
    return False


def replies(fake, count: int) -> list[str]:
    """The tokens of the first `count` replies posted (waiting a bounded while for them)."""
    fake.wait_for("chat.postMessage", count)
    return fake.tokens_used("chat.postMessage")


def test_two_workspaces_and_a_grid_org_are_each_answered_with_their_own_token(oauth_bot, fake):
    one = install(oauth_bot, fake, "code-one", team=T1)
    two = install(oauth_bot, fake, "code-two", team=T2)
    org = install(oauth_bot, fake, "code-org", team=None, enterprise=ORG, org=True)
    assert len({one, two, org}) == 3 and len(fake.called("oauth.v2.access")) == 3

    mention_from(oauth_bot, "what is ecr", T1)
    assert replies(fake, 1) == [one]
    mention_from(oauth_bot, "what is ecs", T2)
    assert replies(fake, 2) == [one, two]
    # any workspace of the org is answered with the org's installation
    mention_from(oauth_bot, "what is eks", T3, enterprise=ORG, org=True)
    mention_from(oauth_bot, "what is fargate", "T0000GRID2", enterprise=ORG, org=True)
    assert replies(fake, 4) == [one, two, org, org]

    # a workspace with no installation: acked (above), logged, and never answered with anyone's token
    mention_from(oauth_bot, "what is ecr", UNKNOWN)
    fake.settle(0.5)
    assert fake.tokens_used("chat.postMessage") == [one, two, org, org]


def test_after_app_uninstalled_that_workspace_gets_nothing_and_the_others_still_work(oauth_bot, fake):
    one = install(oauth_bot, fake, "code-one", team=T1)
    two = install(oauth_bot, fake, "code-two", team=T2)
    uninstalled = event_envelope({"type": "app_uninstalled", "event_ts": "1710000000.1"}, team=T1)
    assert send_event(oauth_bot.events, uninstalled)[0] == 200
    assert gone(oauth_bot, T1)

    mention_from(oauth_bot, "what is ecr", T1)
    mention_from(oauth_bot, "what is ecs", T2)
    assert replies(fake, 1) == [two]
    fake.settle(0.5)
    assert one not in fake.tokens_used("chat.postMessage")


def test_tokens_revoked_removes_the_installation(oauth_bot, fake):
    install(oauth_bot, fake, "code-one", team=T1)
    revoked = event_envelope(
        {"type": "tokens_revoked", "tokens": {"bot": ["UBOT000001"]}, "event_ts": "1710000000.2"}, team=T1
    )
    assert send_event(oauth_bot.events, revoked)[0] == 200
    assert gone(oauth_bot, T1)
    mention_from(oauth_bot, "what is ecr", T1)
    fake.settle(0.5)
    assert fake.called("chat.postMessage") == []


def test_installations_survive_a_restart(fake, knowledge, installation_store_url):
    first = start_oauth_bot(fake, knowledge, installation_store_url)
    try:
        one = install(first, fake, "code-one", team=T1)
        org = install(first, fake, "code-org", team=None, enterprise=ORG, org=True)
    finally:
        first.stop()
    second = start_oauth_bot(fake, knowledge, installation_store_url)
    try:
        mention_from(second, "what is ecr", T1)
        mention_from(second, "what is eks", T3, enterprise=ORG, org=True)
        assert replies(fake, 2) == [one, org]
    finally:
        second.stop()


def test_a_rotating_token_is_refreshed_through_the_store(fake, knowledge, tmp_path):
    store_url = f"sqlite:///{tmp_path / 'installations.db'}"
    bot = start_oauth_bot(fake, knowledge, store_url)
    try:
        first = install(bot, fake, "code-one", team=T1, expires_in=60)  # within the 2 hours before expiry
        mention_from(bot, "what is ecr", T1)
        (used,) = replies(fake, 1)
        assert used != first and used.startswith(first)  # refreshed before the reply, with the new one
        refreshes = [
            c for c in fake.called("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"
        ]
        assert len(refreshes) == 1
        saved = bot.stores.installations.find_bot(enterprise_id=None, team_id=T1)
        assert saved.bot_token == used
        mention_from(bot, "what is ecs", T1)
        assert replies(fake, 2) == [used, used]  # no second refresh: the saved token has hours left
    finally:
        bot.stop()


def test_install_page_carries_a_state_and_a_forged_redirect_installs_nothing(oauth_bot, fake):
    from tests.helpers import get

    fake.grant("code-one", team=T1)
    status, _, page = get(f"{oauth_bot.url}/slack/oauth_redirect?code=code-one&state=forged")
    assert status != 200 or "Add to Slack" not in page
    assert fake.called("oauth.v2.access") == []
    assert oauth_bot.stores.installations.find_bot(enterprise_id=None, team_id=T1) is None


def test_the_thread_context_comes_from_the_store_not_from_slack(oauth_bot, fake):
    """Distributed apps may read a thread back only once a minute: OAuth mode keeps the context itself."""
    install(oauth_bot, fake, "code-one", team=T1)

    def deliver(envelope):
        rebuilt = event_envelope(envelope["event"], team=T1)
        assert send_event(oauth_bot.events, rebuilt)[0] == 200

    chat = Chat(fake, deliver)
    chat.say("ecs or eks?", mention=True)
    root = chat.last_event["ts"]
    reply = chat.say("we already run kubernetes on prem", thread_ts=root)
    assert reply["text"].startswith("Recommendation: Amazon EKS")
    reply = chat.say("why?", thread_ts=root)
    assert reply["text"].startswith("Why Amazon EKS")
    assert fake.called("conversations.replies") == [] and fake.called("conversations.history") == []


def test_threads_of_one_installation_are_not_another_ones(oauth_bot, fake):
    """The thread memory is kept per installation: the same channel and ts from another workspace is not the
    thread the bot answered in."""
    install(oauth_bot, fake, "code-one", team=T1)
    install(oauth_bot, fake, "code-two", team=T2)
    envelope = mention_from(oauth_bot, "ecs or eks?", T1)
    fake.wait_for("chat.postMessage", 1)
    root = envelope["event"]["ts"]
    elsewhere = event_envelope(message_event("what about cost?", thread_ts=root), team=T2)
    assert send_event(oauth_bot.events, elsewhere)[0] == 200
    fake.settle(0.5)
    assert len(fake.called("chat.postMessage")) == 1
    here = event_envelope(message_event("what about cost?", thread_ts=root), team=T1)
    assert send_event(oauth_bot.events, here)[0] == 200
    assert fake.wait_for("chat.postMessage", 2)[1].params["text"].startswith("Amazon ECS vs Amazon EKS: cost")


def test_replicas_share_claims_and_threads_through_the_installation_database(fake, knowledge, postgres_url):
    """Two replicas on one PostgreSQL and no Redis: an event delivered to both is answered once, and a
    follow-up on the other replica is answered in the thread's context."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(
        postgres_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text("CREATE DATABASE replicas"))
    engine.dispose()
    url = postgres_url.rsplit("/", 1)[0] + "/replicas"
    replicas = [start_oauth_bot(fake, knowledge, url, shared=True) for _ in range(2)]
    try:
        install(replicas[0], fake, "code-one", team=T1)
        envelope = event_envelope(mention_event("ecs or eks?"), team=T1)
        for running in replicas:  # Slack retried on the other replica
            assert send_event(running.events, envelope)[0] == 200
        fake.wait_for("chat.postMessage")
        fake.settle(0.5)
        assert len(fake.called("chat.postMessage")) == 1
        follow_up = message_event("we already run kubernetes on prem", thread_ts=envelope["event"]["ts"])
        assert send_event(replicas[1].events, event_envelope(follow_up, team=T1))[0] == 200
        reply = fake.wait_for("chat.postMessage", 2)[1].params
        assert reply["text"].startswith("Recommendation: Amazon EKS")
        assert fake.called("conversations.replies") == []
    finally:
        for running in replicas:
            running.stop()
