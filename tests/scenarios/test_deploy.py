"""Deployment files: the Dockerfile linted and its exact entry point run outside a container, every Kubernetes
manifest validated against the Kubernetes schemas, the ECS definitions against AWS's own API model."""

import json
import re
import shlex
import shutil
import subprocess

import pytest
import yaml

import bot
from tests.fakes.slack import event_envelope, mention_event, send_event
from tests.helpers import ROOT

KUBERNETES_VERSION = "1.34.0"
K8S = ROOT / "deploy/kubernetes"
ECS = ROOT / "deploy/ecs"
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def dockerfile_instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in joined.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


# ----------------------------------------------------------------------------------------------- image


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint not installed (pip install '.[test]')")
def test_dockerfile_passes_hadolint():
    result = subprocess.run(
        ["hadolint", "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_is_slim_pinned_non_root_and_healthchecked():
    instructions = dockerfile_instructions()
    bases = [arg for name, arg in instructions if name == "FROM"]
    assert all(re.match(r"python:\d+\.\d+\.\d+-slim-\w+", b) for b in bases) and len(bases) == 2
    assert ("USER", "10001:10001") in instructions
    assert any(name == "HEALTHCHECK" and "/healthz" in arg for name, arg in instructions)
    assert ("ENTRYPOINT", '["container-bot"]') in instructions and ("CMD", '["serve"]') in instructions
    assert f"container-bot[redis,postgres]=={bot.__version__}" in DOCKERFILE  # the pin follows the version
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", "tests", "bench"} <= set(ignored)
    # the package's data files are links to the repository root's: the build stage must copy each of them
    copied = " ".join(arg for name, arg in instructions if name == "COPY").split()
    for data in ("knowledge.yaml", "examples.yaml"):
        assert (ROOT / "bot" / data).resolve() == ROOT / data and data in copied
    # the wheel carries the trained model (setup.py), so the build stage copies setup.py; an answer checks it
    assert "setup.py" in copied and 'container-bot ask "ecs or eks?"' in DOCKERFILE
    assert "CONTAINER_BOT_CACHE=/tmp/container-bot" in DOCKERFILE


def test_exact_entry_point_and_environment_run_outside_a_container(fake, tmp_path):
    """Run what the image runs: ENTRYPOINT + CMD with the image's ENV, then its HEALTHCHECK command."""
    instructions = dockerfile_instructions()
    image_env = {}
    for name, arg in instructions:
        if name == "ENV":
            image_env.update(dict(pair.split("=", 1) for pair in shlex.split(arg)))
    command = json.loads(dict(instructions)["ENTRYPOINT"]) + json.loads(dict(instructions)["CMD"])
    healthcheck = next(arg for name, arg in instructions if name == "HEALTHCHECK")
    check = json.loads(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    from tests.fakes.process import Served, env_for

    env = env_for(fake, **image_env)
    env["PORT"] = "0"  # never a fixed port in tests; the image's default is 3000
    env["CONTAINER_BOT_CACHE"] = str(tmp_path)  # the image's is filled at build; here, a place of the test's
    served = Served(env, *command[2:])  # Served runs `container-bot serve`
    try:
        port = served.wait_line(r"listening on http://[\d.]+:(\d+)").group(1)
        assert subprocess.run(check, env={**env, "PORT": port}, timeout=10).returncode == 0
        assert (
            send_event(f"http://127.0.0.1:{port}/slack/events", event_envelope(mention_event("what is ecr")))[
                0
            ]
            == 200
        )
        assert fake.wait_for("chat.postMessage")
    finally:
        assert served.stop() == 0
    assert subprocess.run(check, env={**env, "PORT": port}, capture_output=True, timeout=10).returncode != 0


# ------------------------------------------------------------------------------------------ Kubernetes


def k8s_documents():
    for path in sorted(K8S.rglob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path, doc


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(K8S.rglob("*.yaml")) if p.name != "kustomization.yaml"],
    ids=lambda p: str(p.relative_to(K8S)),
)
def test_every_manifest_is_valid_kubernetes(path):
    import kubernetes_validate

    for doc in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_validator_catches_a_mistake():
    import kubernetes_validate

    doc = yaml.safe_load((K8S / "deployment.yaml").read_text())
    doc["spec"]["replicaz"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize(
    "kustomization",
    [K8S / "kustomization.yaml", K8S / "socket-mode/kustomization.yaml"],
    ids=["http", "socket-mode"],
)
def test_kustomizations_list_existing_resources(kustomization):
    data = yaml.safe_load(kustomization.read_text())
    assert data["kind"] == "Kustomization"
    for resource in data["resources"]:
        assert (kustomization.parent / resource).is_file(), resource


def deployments():
    return {doc["metadata"]["name"]: doc for _, doc in k8s_documents() if doc["kind"] == "Deployment"}


def test_http_deployment_is_production_shaped():
    deployment = deployments()["container-bot"]
    assert deployment["spec"]["replicas"] >= 2
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] and container["securityContext"]["readOnlyRootFilesystem"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["requests"] and container["resources"]["limits"]
    secrets = {e["name"] for e in container["env"] if "valueFrom" in e}
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"} <= secrets
    assert not any(str(e.get("value", "")).startswith(("xoxb-", "xapp-")) for e in container["env"])
    kinds = {doc["kind"] for _, doc in k8s_documents()}
    assert {"Service", "HorizontalPodAutoscaler", "Ingress", "PodDisruptionBudget"} <= kinds


def test_socket_mode_variant_respects_slacks_connection_limit():
    deployment = deployments()["container-bot-socket"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    links = int({e["name"]: e.get("value") for e in container["env"]}["SOCKET_MODE_CONNECTIONS"])
    assert 1 <= deployment["spec"]["replicas"] * links <= 10  # Slack allows 10 links per app
    env = {e["name"] for e in container["env"]}
    assert "SLACK_APP_TOKEN" in env and "METRICS_PORT" in env and "SLACK_SIGNING_SECRET" not in env
    assert container["readinessProbe"]["httpGet"]["port"] == "metrics"


# ------------------------------------------------------------------------------------------------ ECS


def ecs_input_shape(operation: str):
    from botocore.session import get_session

    return get_session().get_service_model("ecs").operation_model(operation).input_shape


@pytest.mark.parametrize(
    "file, operation", [("task-definition.json", "RegisterTaskDefinition"), ("service.json", "CreateService")]
)
def test_ecs_definitions_match_the_ecs_api_model(file, operation):
    from botocore.validate import validate_parameters

    validate_parameters(json.loads((ECS / file).read_text()), ecs_input_shape(operation))


def test_the_ecs_model_catches_a_mistake():
    from botocore.exceptions import ParamValidationError
    from botocore.validate import validate_parameters

    task = json.loads((ECS / "task-definition.json").read_text())
    task["containerDefinitions"][0]["memoryReservationz"] = 1
    with pytest.raises(ParamValidationError):
        validate_parameters(task, ecs_input_shape("RegisterTaskDefinition"))


def test_fargate_task_and_service_are_production_shaped():
    task = json.loads((ECS / "task-definition.json").read_text())
    service = json.loads((ECS / "service.json").read_text())
    (container,) = task["containerDefinitions"]
    assert task["networkMode"] == "awsvpc" and task["requiresCompatibilities"] == ["FARGATE"]
    assert container["healthCheck"]["command"][0] == "CMD" and container["readonlyRootFilesystem"]
    assert container["user"].split(":")[0] != "0" and container["logConfiguration"]["logDriver"] == "awslogs"
    assert {s["name"] for s in container["secrets"]} == {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}
    assert all(s["valueFrom"].startswith("arn:aws:secretsmanager:") for s in container["secrets"])
    assert service["desiredCount"] >= 2 and service["loadBalancers"]
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {
        "enable": True,
        "rollback": True,
    }


def test_no_deployment_file_holds_anything_that_looks_like_a_token():
    for path in list((ROOT / "deploy").rglob("*")) + [ROOT / "Dockerfile"]:
        if path.is_file():
            assert not re.search(r"xox[bpa]-\d|xapp-\d", path.read_text()), path
