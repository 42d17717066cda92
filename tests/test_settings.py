import pytest

from bot.logs import secrets_from_env
from bot.settings import SettingsError, settings_from_env

BASE = {"SLACK_BOT_TOKEN": "xoxb-fake", "SLACK_SIGNING_SECRET": "fake-secret"}


def test_defaults():
    settings = settings_from_env(BASE, serve=True)
    assert settings.port == 3000 and settings.api_url == "https://slack.com/api/" and not settings.socket_mode
    assert settings.threshold is None and settings.api_timeout == 10.0 and settings.metrics_port is None


def test_socket_mode_is_chosen_by_the_app_token_and_http_forces_it_off():
    env = {"SLACK_BOT_TOKEN": "xoxb-fake", "SLACK_APP_TOKEN": "xapp-fake"}
    assert settings_from_env(env, serve=True).socket_mode
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET is not set"):
        settings_from_env(env, serve=True, force_http=True)


@pytest.mark.parametrize(
    "name, value",
    [
        ("PORT", "-1"),
        ("PORT", "70000"),
        ("ANSWER_THRESHOLD", "1.5"),
        ("ANSWER_THRESHOLD", "high"),
        ("SLACK_API_TIMEOUT", "0"),
        ("SLACK_API_TIMEOUT", "soon"),
        ("METRICS_PORT", "x"),
        ("LOG_LEVEL", "LOUD"),
        ("CHANNEL_LISTENING", "sometimes"),
    ],
)
def test_a_bad_number_or_choice_names_its_variable(name, value):
    with pytest.raises(SettingsError, match=f"^{name} is malformed"):
        settings_from_env({**BASE, name: value}, serve=True)


@pytest.mark.parametrize("value, listening", [("", True), ("on", True), ("off", False), ("FALSE", False)])
def test_channel_listening_switch(value, listening):
    assert settings_from_env({**BASE, "CHANNEL_LISTENING": value}, serve=True).channel_listening is listening


def test_secrets_do_not_show_in_repr():
    settings = settings_from_env({**BASE, "SLACK_BOT_TOKEN": "xoxb-do-not-print"}, serve=True)
    assert "xoxb-do-not-print" not in repr(settings) and "fake-secret" not in repr(settings)


def test_secrets_are_the_tokens_and_the_signing_secret_as_the_environment_has_them():
    env = {**BASE, "SLACK_APP_TOKEN": " xapp-fake "}
    settings = settings_from_env(env, serve=True)
    assert settings.secrets == ("xoxb-fake", "fake-secret", "xapp-fake")
    assert settings.secrets == secrets_from_env(env)  # what `review` masks in a log without settings
    assert settings_from_env(env, serve=True, force_http=True).secrets == ("xoxb-fake", "fake-secret", "")
