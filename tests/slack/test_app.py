"""create_app's reading of auth.test: the granted scopes, from its x-oauth-scopes header, however it is
spelled."""


def test_granted_scopes_read_from_auth_tests_header():
    """One reading of x-oauth-scopes: the start-up scope check and the identity Bolt authorizes with."""
    from types import SimpleNamespace

    from bot.slack.app import granted_scopes

    assert (
        granted_scopes(SimpleNamespace(headers={"X-OAuth-Scopes": "chat:write,commands"}))
        == "chat:write,commands"
    )
    assert granted_scopes(SimpleNamespace(headers={"x-oauth-scopes": ["chat:write", "commands"]})) == (
        "chat:write,commands"
    )
    assert granted_scopes(SimpleNamespace(headers={"content-type": "application/json"})) == ""
    assert granted_scopes(SimpleNamespace(headers=None)) == ""
