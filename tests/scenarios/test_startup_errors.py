"""`container-bot serve` refuses to start with one line naming the problem and a non-zero exit: a missing or
malformed setting, a token Slack rejects, Slack or Redis out of reach, a busy port, no Redis client."""

import pytest

from tests.fakes.process import env_for, installed_command, run_serve
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSocketModeServer
from tests.helpers import free_port

EXE = installed_command()


pytestmark = pytest.mark.skipif(EXE is None, reason="container-bot is not installed (pip install .)")


def error_line(result) -> str:
    """The one line serve ends with; nothing else on standard error may be a traceback or repeat it."""
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("container-bot: ")
    return last


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"SLACK_BOT_TOKEN": None}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "not-a-token"}, "SLACK_BOT_TOKEN is malformed"),
        ({"SLACK_SIGNING_SECRET": None}, "SLACK_SIGNING_SECRET is not set"),
        ({"PORT": "eighty"}, "PORT is malformed"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL is malformed"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong-kind"}, "SLACK_APP_TOKEN holds a bot token (xoxb-…)"),
        ({"SLACK_BOT_TOKEN": "xapp-1-swapped"}, "SLACK_BOT_TOKEN holds an app-level token (xapp-…)"),
        ({"SLACK_BOT_TOKEN": "xoxp-1-personal"}, "SLACK_BOT_TOKEN holds a user token (xoxp-…)"),
        (
            {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "fake-cs"},
            "SLACK_BOT_TOKEN is set in OAuth mode",
        ),
        ({"SLACK_BOT_TOKEN": None, "SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_SECRET is not set"),
        (
            {
                "INSTALLATION_STORE_URL": "mysql://x/y",
                "SLACK_CLIENT_ID": "1.2",
                "SLACK_BOT_TOKEN": None,
                "SLACK_CLIENT_SECRET": "fake-client-secret",
            },
            "INSTALLATION_STORE_URL is malformed",
        ),
        ({"SOCKET_MODE_CONNECTIONS": "11"}, "SOCKET_MODE_CONNECTIONS is malformed"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT is malformed"),
        ({"REDIS_URL": "http://nope"}, "REDIS_URL is malformed"),
        ({"KNOWLEDGE_FILE": "/nonexistent/knowledge.yaml"}, "KNOWLEDGE_FILE is malformed"),
    ],
)
def test_missing_or_malformed_setting_is_one_line_and_exit_2(fake, overrides, named):
    result, _ = run_serve(env_for(fake, **overrides))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0]
    assert BOT_TOKEN not in result.stderr and SIGNING_SECRET not in result.stderr


def test_revoked_token_is_a_clear_error(fake):
    fake.revoked = True
    result, seconds = run_serve(env_for(fake))
    assert result.returncode == 2 and "SLACK_BOT_TOKEN was rejected by Slack (token_revoked)" in result.stderr
    assert seconds < 20


def test_rejected_app_token_is_one_line_and_a_non_zero_exit(fake):
    token = "xapp-revoked-not-a-real-token"
    result, seconds = run_serve(env_for(fake, SLACK_SIGNING_SECRET=None, SLACK_APP_TOKEN=token))
    assert result.returncode == 2 and seconds < 20
    assert error_line(result) == "container-bot: SLACK_APP_TOKEN was rejected by Slack (invalid_auth)"
    assert result.stderr.count("invalid_auth") == 1 and token not in result.stderr


def test_unreachable_slack_gives_up_in_bounded_time():
    import socket

    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = env_for(
        None,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=f"http://127.0.0.1:{port}/api/",
    )
    result, seconds = run_serve(env)
    assert result.returncode == 2 and seconds < 30
    assert error_line(result) == (
        f"container-bot: cannot reach Slack at http://127.0.0.1:{port}/api/ (SLACK_API_URL): URLError; "
        "check the network"
    )
    assert "ERROR" not in result.stderr and "slack_sdk" not in result.stderr  # that line, not the library's


def test_only_a_bot_token_asks_for_what_socket_mode_or_http_needs(fake):
    result, _ = run_serve(env_for(fake, SLACK_SIGNING_SECRET=None))
    assert result.returncode == 2
    line = error_line(result)
    assert "SLACK_SIGNING_SECRET" in line and "SLACK_APP_TOKEN" in line


def test_an_unreachable_installation_store_is_one_line(fake):
    env = env_for(
        fake,
        SLACK_BOT_TOKEN=None,
        SLACK_CLIENT_ID="1111.2222",
        SLACK_CLIENT_SECRET="fake-client-secret-for-tests",
        INSTALLATION_STORE_URL=f"postgresql://bot:fake-db-password@127.0.0.1:{free_port()}/bot",
    )
    result, seconds = run_serve(env)
    assert result.returncode == 2 and seconds < 30
    line = error_line(result)
    assert line.startswith("container-bot: INSTALLATION_STORE_URL is unreachable (OperationalError")
    assert "fake-db-password" not in result.stderr and "fake-client-secret" not in result.stderr


def test_unreachable_redis_at_start_is_one_line(fake):
    from tests.fakes.process import env_for, run_serve

    result, _ = run_serve(env_for(fake, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))
    assert result.returncode == 2 and "REDIS_URL is unreachable" in result.stderr


def test_redis_url_without_the_redis_client_is_one_line_naming_the_extra(fake, tmp_path):
    # redis is a dependency now; an install made without it (--no-deps) still gets one clear line
    shadow = tmp_path / "redis"
    shadow.mkdir()
    (shadow / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'redis'\", name='redis')\n"
    )
    result, _ = run_serve(env_for(fake, REDIS_URL="redis://127.0.0.1:6379/0", PYTHONPATH=str(tmp_path)))
    assert result.returncode == 2
    assert error_line(result) == (
        "container-bot: REDIS_URL is set but the Redis client is not installed: "
        "pip install 'container-bot[redis]'"
    )


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_busy_port_is_one_line_naming_it(fake, mode):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        if mode == "http":
            result, _ = run_serve(env_for(fake, PORT=str(port)), "--http")
            variable = "PORT"
        else:
            ws = FakeSocketModeServer()
            fake.socket_url = ws.url
            env = env_for(fake, SLACK_SIGNING_SECRET=None, SLACK_APP_TOKEN=APP_TOKEN, METRICS_PORT=str(port))
            result, _ = run_serve(env)
            ws.close()
            variable = "METRICS_PORT"
    assert result.returncode == 2
    assert error_line(result) == f"container-bot: {variable} {port} cannot be used: already in use"
