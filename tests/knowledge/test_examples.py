"""examples.yaml is checked like the knowledge file: FILE:LINE for a bad group, limits of its own, and an
example whose pick the criteria contradict is refused."""

from tests.helpers import EXAMPLES, copy_knowledge


def test_check_reports_a_bad_example_with_file_and_line(tmp_path):
    from tests.fakes.process import run_cli

    copy_knowledge(tmp_path)
    bad = EXAMPLES.read_text(encoding="utf-8") + "\n- kind: definiton\n  say: [what is ecs]\n"
    (tmp_path / "examples.yaml").write_text(bad, encoding="utf-8")
    line = len(bad.splitlines()) - 1
    result = run_cli("check", str(tmp_path / "knowledge.yaml"))
    assert result.returncode == 1
    assert f"{tmp_path / 'examples.yaml'}:{line}: example group: unknown kind 'definiton'" in result.stderr


def test_the_examples_file_has_limits_of_its_own(tmp_path):
    """Larger than a knowledge file may be (1 MiB) but within the examples' 8 MiB: checked, not refused;
    a group with `pick: null` keeps the lines of its problems."""
    from tests.fakes.process import run_cli

    copy_knowledge(tmp_path)
    examples = EXAMPLES.read_text(encoding="utf-8") + "# " + "padding " * 150_000 + "\n"
    (tmp_path / "examples.yaml").write_text(examples, encoding="utf-8")
    assert (tmp_path / "examples.yaml").stat().st_size > 1024 * 1024
    result = run_cli("check", str(tmp_path / "knowledge.yaml"))
    assert result.returncode == 0, result.stderr
    bad = (
        "- kind: recommendation\n  topics: [ecs, eks]\n  pick: null\n"
        "  situation: {nonsense: 'yes'}\n  say: [zzz]\n"
    )
    (tmp_path / "examples.yaml").write_text(examples + bad, encoding="utf-8")
    line = len(examples.splitlines()) + 4
    result = run_cli("check", str(tmp_path / "knowledge.yaml"))
    assert f"examples.yaml:{line}: example group: unknown criterion 'nonsense'" in result.stderr


def test_check_refuses_an_example_whose_pick_the_criteria_contradict(tmp_path):
    from tests.fakes.process import run_cli

    copy_knowledge(tmp_path)
    bad = EXAMPLES.read_text(encoding="utf-8") + (
        "\n- kind: recommendation\n  topics: [ecs, eks]\n  situation: {k8s_ecosystem: 'yes'}\n  pick: ecs\n"
        "  say: [our vendor ships only a helm chart, ecs please]\n"
    )
    (tmp_path / "examples.yaml").write_text(bad, encoding="utf-8")
    result = run_cli("check", str(tmp_path / "knowledge.yaml"))
    assert result.returncode == 1
    assert f"{tmp_path / 'examples.yaml'}:{len(bad.splitlines())}: example 'our vendor ships" in result.stderr
    assert "decides eks" in result.stderr
