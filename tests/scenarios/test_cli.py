"""The installed `container-bot` command, run as a user runs it: ask (any bytes, in any locale), check and
choose."""

import json
import os
import subprocess
import sys

import pytest

from tests.fakes.process import installed_command, run_cli
from tests.helpers import KNOWLEDGE, needs_command, write_knowledge

EXE = installed_command()
pytestmark = pytest.mark.skipif(EXE is None, reason="container-bot is not installed (pip install .)")
CONTRACT_KEYS = {"kind", "topics", "attribute", "recommendation", "confidence", "text", "suggestions"}


def test_version_and_help():
    assert run_cli("--version").stdout.startswith("container-bot ")
    assert "ask" in run_cli("--help").stdout


def test_ask_renders_for_a_terminal():
    result = run_cli("ask", "ecs or eks?")
    assert result.returncode == 0
    assert "Amazon ECS" in result.stdout and "/container-choice" in result.stdout


def test_ask_json_follows_the_contract():
    result = run_cli("ask", "--json", "small team, all in on AWS, want it simple")
    (line,) = result.stdout.splitlines()
    answer = json.loads(line)
    assert set(answer) == CONTRACT_KEYS
    assert answer["kind"] == "recommendation" and answer["recommendation"] == "ecs"
    assert answer["topics"] == ["ecs", "eks"] and 0 <= answer["confidence"] <= 1


def test_ask_json_reads_questions_from_stdin_in_order():
    questions = ["what is ecr", "lunch?", "ecs vs eks learning curve", "", "hi"]
    result = run_cli("ask", "--json", stdin="\n".join(questions) + "\n")
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["kind"] for a in answers] == ["definition", "fallback", "comparison", "help", "help"]
    assert answers[2]["attribute"] == "learning_curve"
    assert all(a["recommendation"] is None for a in answers)


def test_ask_survives_a_40000_character_message():
    result = run_cli("ask", "--json", "ecs " + "blah " * 8000)
    # it names ECS and nothing puts it out of scope: what ECS is, or an honest "not sure", never a crash
    assert result.returncode == 0 and json.loads(result.stdout)["kind"] in ("definition", "fallback")


def test_check_passes_the_shipped_file():
    result = run_cli("check")
    assert result.returncode == 0 and "OK" in result.stdout


def test_check_reports_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        KNOWLEDGE.read_text().replace("    category: registry\n", "    category: registry\n    colour: x\n")
    )
    result = run_cli("check", str(bad))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{bad}:") and "unknown key 'colour'" in result.stderr


def test_check_reports_confusable_phrasings(tmp_path):
    bad = write_knowledge(
        tmp_path / "confusing.yaml",
        KNOWLEDGE.read_text().replace(
            "aliases: [fargate, aws fargate,", "aliases: [fargate, elastic kubernets service,"
        ),
    )
    result = run_cli("check", str(bad))
    assert result.returncode == 1
    assert (
        "'elastic kubernets service' of 'fargate' can be confused with 'elastic kubernetes service' of 'eks'"
        in result.stderr
    )


def test_knowledge_file_from_the_environment(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: [1\n")
    env = {"KNOWLEDGE_FILE": str(broken), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    env["PATH"] = f"{__import__('os').path.dirname(EXE)}:{env['PATH']}"
    result = run_cli("ask", "what is ecs", env=env)
    assert result.returncode == 1 and f"{broken}:" in result.stderr and "Traceback" not in result.stderr


def _typed(knowledge, team):
    """What someone who knows only `team` types at each question of the guided choice."""
    from bot.answering.guided import Progress, answer, live_ticks, next_step, respondent
    from bot.knowledge.model import Checklist

    reply, progress, lines = respondent(knowledge, team), Progress(), []
    while (step := next_step(knowledge, progress)) is not None:
        ticks = live_ticks(knowledge, step, progress) if isinstance(step, Checklist) else ()
        said = reply(step, ticks)
        if isinstance(step, Checklist):
            lines.append(" ".join(str(ticks.index(t) + 1) for t in said))
        else:
            lines.append(said or "not sure")
        progress = answer(knowledge, progress, step, said)
    return lines


def test_choose_in_a_terminal_asks_a_few_questions_and_ends_at_eks_for_a_kubernetes_team(knowledge):
    typed = _typed(knowledge, {"kubernetes": "yes", "k8s_ecosystem": "yes"})
    assert len(typed) == 1  # a hard requirement settles it at once
    result = run_cli("choose", stdin="".join(n + "\n" for n in typed) + "n\n")
    assert result.returncode == 0, result.stdout
    assert "Do any of these hard requirements apply?" in result.stdout
    assert "That settles it: Amazon EKS. Answer more to be sure?" in result.stdout
    assert "(1) " in result.stdout and "(2) " not in result.stdout
    assert "Recommendation: Amazon EKS" in result.stdout and "k8s_ecosystem=yes" in result.stdout
    assert "This decides it: You must run software that exists only for Kubernetes" in result.stdout


def test_choose_settles_a_small_aws_team_in_two_questions_and_answers_more_to_be_sure(knowledge):
    typed = _typed(knowledge, {"simplicity": "yes", "aws_invested": "yes", "team_k8s": "no"})
    assert typed == ["", ""]  # no hard requirement, nothing that pulls to EKS: ECS whatever else is said
    more = ["y"] + ["not sure"] * len(knowledge.criteria)
    result = run_cli("choose", stdin="".join(line + "\n" for line in typed + more))
    assert result.returncode == 0, result.stdout
    assert "That settles it: Amazon ECS." in result.stdout and "(3) " in result.stdout  # more, one at a time
    assert "Recommendation: Amazon ECS" in result.stdout
    assert "kubernetes=" not in result.stdout and "_k8s" not in result.stdout.split("Answer code")[0]


def test_choose_replays_an_answer_code():
    code = (
        "kubernetes=no k8s_ecosystem=no multi_cloud=no own_hardware=no disconnected=no want_k8s=no "
        "team_k8s=no learn_k8s=no "
        "aws_invested=yes simplicity=yes cost=yes windows=no serverless=yes gpu=no daemons=no "
        "avoid_upgrades=yes multi_tenancy=no"
    )
    result = run_cli("choose", "--answers", code)
    assert "Recommendation: Amazon ECS" in result.stdout


def test_python_module_entry_point_matches():
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "what is fargate"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(result.stdout)["topics"] == ["fargate"]


def test_the_core_never_imports_slack():
    code = (
        "import sys; from bot.cli import main; main(['ask', '--json', 'ecs or eks?']); "
        "assert not [m for m in sys.modules if m.startswith(('slack_bolt', 'slack_sdk'))], 'slack imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_check_warns_about_old_facts_but_does_not_fail(tmp_path):
    old = write_knowledge(tmp_path / "old.yaml", KNOWLEDGE.read_text())
    claims = tmp_path / "claims" / "ecs.yaml"
    text = claims.read_text()
    start = text.index("  - id: ecs.cost\n")
    at = text.index("as_of: 2026-11-29", start)
    claims.write_text(text[:at] + "as_of: 2020-01-15" + text[at + len("as_of: 2026-11-29") :])
    line = text[:at].count("\n") + 1
    result = run_cli("check", str(old))
    assert result.returncode == 0 and "OK" in result.stdout
    assert result.stderr == (
        f"{claims}:{line}: warning: claim ecs.cost was last checked on 2020-01-15, more than 365 days ago; "
        "re-read https://aws.amazon.com/ecs/pricing/ and update its as_of\n"
    )
    assert run_cli("check", "--max-age", "100000", str(old)).stderr == ""
    assert run_cli("check", "--max-age", "soon", str(old)).returncode == 2


def test_check_passes_the_shipped_file_without_warnings_this_year():
    result = run_cli("check", "--max-age", "365")
    assert result.returncode == 0 and "warning" not in result.stderr


# Facts AWS added since the seed note, asked the way people ask, through the installed command.
NEW_FACTS = [
    ("what is eks auto mode", "definition", ["eks_auto_mode"], None, "built on Karpenter"),
    (
        "does eks fargate support daemonsets",
        "attribute",
        ["fargate", "eks"],
        "fargate_limits",
        "can't run DaemonSets",
    ),
    ("can ecr scan images", "attribute", ["ecr"], "scanning", "billed through Amazon Inspector"),
    ("how often do we have to upgrade eks", "attribute", ["eks"], "upgrades", "every four months"),
    ("what is ecs managed instances", "definition", ["ecs_managed_instances"], None, "full range of EC2"),
    ("what is ecs express mode", "definition", ["ecs_express_mode"], None, "HTTPS Application Load"),
    ("is aws copilot still supported", "attribute", ["copilot"], "upgrades", "12 June 2026"),
    (
        "is app mesh still supported",
        "attribute",
        ["app_mesh"],
        "upgrades",
        "discontinued it on 30 September",
    ),
    ("what is eks hybrid nodes", "definition", ["eks_hybrid_nodes"], None, "reliable connection"),
    ("what is karpenter", "definition", ["karpenter"], None, "EKS Auto Mode builds on it"),
    ("what is ecs service connect", "definition", ["service_connect"], None, "short names"),
    ("can ecs run windows containers", "attribute", ["ecs"], "windows", "Windows Server"),
    ("does eks support gpus", "attribute", ["eks"], "gpu", "Inferentia"),
    ("how much does an eks cluster cost", "attribute", ["eks"], "cost", "$0.60 in extended support"),
    ("ecs vs eks cost", "comparison", ["ecs", "eks"], "cost", "Fargate Spot"),
    ("ecs vs eks upgrades", "comparison", ["ecs", "eks"], "upgrades", "no cluster version to upgrade"),
    ("does ecs support blue green deployments", "attribute", ["ecs"], "deployments", "canary"),
    ("can ecr replicate images to another region", "attribute", ["ecr"], "replication", "other AWS Regions"),
    ("can ecr store helm charts", "attribute", ["ecr"], "artifacts", "Helm charts"),
    ("does ecr have lifecycle policies", "attribute", ["ecr"], "lifecycle", "within 24 hours"),
    ("how do pods on eks get iam permissions", "attribute", ["eks"], "identity", "Pod Identity"),
    (
        "ecs anywhere vs eks anywhere",
        "comparison",
        ["ecs_anywhere", "eks_anywhere"],
        None,
        "customer-managed",
    ),
]


def test_new_facts_are_answered_with_their_checked_date():
    questions = "".join(q + "\n" for q, *_ in NEW_FACTS)
    result = run_cli("ask", "--json", stdin=questions)
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    wrong = []
    for (question, kind, topics, attribute, says), answer in zip(NEW_FACTS, answers, strict=True):
        got = (answer["kind"], answer["topics"], answer["attribute"])
        if got != (kind, topics, attribute) or says not in answer["text"]:
            wrong.append((question, got, answer["text"][:120]))
        elif "Sources (checked 2026-" not in answer["text"]:
            wrong.append((question, "no checked date in the sources line"))
    assert wrong == []


# ---------------------------------------------------------------------------------- ask reads any bytes


def ask_stdin(data: bytes, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [EXE, "ask", "--json"], input=data, capture_output=True, timeout=30, env={**os.environ, **env}
    )


@needs_command
@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "utf-8"},
        {"PYTHONIOENCODING": "latin-1"},
        {"LC_ALL": "C", "PYTHONIOENCODING": "ascii"},
    ],
    ids=["utf-8", "latin-1", "ascii"],
)
def test_ask_reads_invalid_utf8_from_stdin_in_any_locale(env):
    result = ask_stdin(b"what is ecs \xff\nwhat is \xc3\xa9ks\n", **env)
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["topics"] == ["ecs"] and json.loads(lines[1])["text"]


@needs_command
def test_ask_treats_cr_only_line_endings_as_line_breaks():
    result = ask_stdin(b"what is ecs\rwhat is eks\r\nwhat is ecr\r")
    topics = [json.loads(line)["topics"] for line in result.stdout.decode().splitlines()]
    assert result.returncode == 0 and topics == [["ecs"], ["eks"], ["ecr"]]


@needs_command
def test_ask_takes_an_argument_that_is_not_utf8():
    result = subprocess.run([EXE, "ask", "--json", b"what is ecs \xff"], capture_output=True, timeout=30)
    assert result.returncode == 0 and json.loads(result.stdout)["topics"] == ["ecs"], result.stderr


def test_ask_short_is_the_short_answer_and_the_full_text_stays_the_default():
    full = run_cli("ask", "--json", "ecs vs eks")
    short = run_cli("ask", "--json", "--short", "ecs vs eks")
    full_text, short_text = json.loads(full.stdout)["text"], json.loads(short.stdout)["text"]
    assert set(json.loads(short.stdout)) == CONTRACT_KEYS
    assert "Key differences:" in full_text and "Key differences:" not in short_text
    assert short_text.startswith("Amazon ECS vs Amazon EKS") and len(short_text) <= 700 < len(full_text)
