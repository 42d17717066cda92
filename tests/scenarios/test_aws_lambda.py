"""AWS Lambda: the handler takes a Function URL event (payload 2.0) signed as Slack signs it and posts the
reply before it returns, in-process against the fake Slack; a cold start of the built package answers with
the model it ships, without training; the template passes cfn-lint, offline."""

import base64
import json
import os
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET, event_envelope, mention_event, sign
from tests.helpers import ROOT

CONTEXT = SimpleNamespace(
    function_name="container-bot",
    invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:container-bot",
)


def function_url_event(body: str, headers: dict, base64_encoded: bool = True) -> dict:
    """What a Lambda Function URL hands the function (payload format 2.0)."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/slack/events",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "abc.lambda-url.eu-west-1.on.aws", **headers},
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abc",
            "domainName": "abc.lambda-url.eu-west-1.on.aws",
            "http": {
                "method": "POST",
                "path": "/slack/events",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
            },
            "requestId": "req-1",
            "routeKey": "$default",
            "stage": "$default",
            "timeEpoch": int(time.time() * 1000),
        },
        "body": base64.b64encode(body.encode()).decode() if base64_encoded else body,
        "isBase64Encoded": base64_encoded,
    }


def signed_mention(text: str) -> dict:
    body = json.dumps(event_envelope(mention_event(text)))
    return function_url_event(body, {k.lower(): v for k, v in sign(body).items()})


@pytest.fixture
def lambda_handler(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    monkeypatch.setenv("CONTAINER_BOT_CACHE", str(tmp_path / "cache"))
    from bot.slack import aws_lambda

    aws_lambda.forget()
    yield aws_lambda.handler
    aws_lambda.forget()


def test_a_signed_mention_is_answered_before_the_handler_returns(lambda_handler, fake):
    response = lambda_handler(signed_mention("what is ecr"), CONTEXT)
    assert response["statusCode"] == 200
    posted = fake.called("chat.postMessage")  # no waiting: Lambda would freeze anything still running
    assert len(posted) == 1 and posted[0].params["text"].startswith("Amazon ECR")
    assert fake.tokens_used("chat.postMessage") == [BOT_TOKEN]


def test_an_unsigned_or_malformed_request_is_refused(lambda_handler, fake):
    body = json.dumps(event_envelope(mention_event("what is ecr")))
    forged = function_url_event(body, {"x-slack-signature": "v0=00", "x-slack-request-timestamp": "1"})
    assert lambda_handler(forged, CONTEXT)["statusCode"] == 401
    malformed = "{not json"
    bad = function_url_event(
        malformed, {k.lower(): v for k, v in sign(malformed).items()}, base64_encoded=False
    )
    assert lambda_handler(bad, CONTEXT)["statusCode"] == 400
    assert fake.called("chat.postMessage") == []


def test_a_retry_of_the_same_event_is_answered_once(lambda_handler, fake):
    event = signed_mention("what is ecs")
    assert lambda_handler(event, CONTEXT)["statusCode"] == 200
    assert lambda_handler(event, CONTEXT)["statusCode"] == 200
    assert len(fake.called("chat.postMessage")) == 1


# ------------------------------------------------------------------------------------ the built package


COLD_START = """
import json, sys, time
started = time.perf_counter()
from bot.slack import aws_lambda
event = json.loads(sys.stdin.read())
context = type("Context", (), {"function_name": "f", "invoked_function_arn": "a"})
response = aws_lambda.handler(event, context)
seconds = time.perf_counter() - started
engine = aws_lambda.app().container_bot.engine
trained = engine.matcher.training_seconds
module = aws_lambda.__file__
report = {"status": response["statusCode"], "seconds": seconds, "trained": trained, "module": module}
print(json.dumps(report))
"""


def test_a_cold_start_answers_with_the_packaged_model_and_no_training(built_package, fake, tmp_path):
    assert list((built_package / "bot/understanding/packaged").glob("model-*.bin"))
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(built_package),
        "HOME": str(home),  # an empty home: no cache of an earlier run
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
    }
    result = subprocess.run(
        [sys.executable, "-c", COLD_START],
        input=json.dumps(signed_mention("ecs or eks?")),
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"\ncold start, import to first answer: {report['seconds']:.3f} s")
    assert report["module"].startswith(str(built_package))  # the built package, not the source tree
    assert report["status"] == 200 and report["trained"] == 0
    assert "model loaded from the package" in result.stderr
    assert not any(home.rglob("*.bin"))  # nothing written, nothing trained
    assert len(fake.called("chat.postMessage")) == 1


# ------------------------------------------------------------------------------------------- template


def cfn_lint() -> str:
    """cfn-lint beside this Python (the test extra installs it); it validates with the specs it ships."""
    import shutil
    from pathlib import Path

    beside = Path(sys.executable).parent / "cfn-lint"
    found = str(beside) if beside.exists() else shutil.which("cfn-lint")
    if found is None:
        pytest.skip("cfn-lint is not installed (pip install '.[test]')")
    return found


def test_the_template_passes_cfn_lint_offline():
    template = ROOT / "deploy/lambda/template.yaml"
    result = subprocess.run(
        [cfn_lint(), "--regions", "us-east-1", "--", str(template)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_catches_a_mistake(tmp_path):
    broken = tmp_path / "template.yaml"
    text = (ROOT / "deploy/lambda/template.yaml").read_text()
    broken.write_text(text.replace("MemorySize: 512", "MemorySize: lots"))
    result = subprocess.run(
        [cfn_lint(), "--regions", "us-east-1", "--", str(broken)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
