"""The app's runtime: the client that reads a DM's situation for the guided choice is built once per token and
URL, with a short timeout."""


def test_the_dms_situation_is_read_with_one_short_timeout_client(bot):
    """Built once for the request client's token and URL (a trigger lives 3 s: a short timeout), not per
    command; another token or URL gets its own."""
    from slack_sdk import WebClient

    from bot.slack.runtime import PRESET_READ_TIMEOUT

    deps = bot.app.container_bot
    client = WebClient(token="xoxb-one", base_url="http://127.0.0.1:9/api/")
    reader = deps.preset_reader(client)
    assert deps.preset_reader(WebClient(token="xoxb-one", base_url="http://127.0.0.1:9/api/")) is reader
    assert (reader.token, reader.base_url, reader.timeout) == (
        "xoxb-one",
        client.base_url,
        PRESET_READ_TIMEOUT,
    )
    other = deps.preset_reader(WebClient(token="xoxb-two", base_url="http://127.0.0.1:9/api/"))
    assert other is not reader and other.token == "xoxb-two"
