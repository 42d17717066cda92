"""How fast the terminal face is: 1,000 questions piped to `container-bot ask --json`, and one whole
`container-bot ask` process against `python -c "import slack_bolt"`. Prints figures; never fails."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.process import installed_command  # noqa: E402


def questions(n: int) -> str:
    rows = [
        " ".join(json.loads(line)["q"].split())
        for name in ("blind.jsonl", "blind2.jsonl")
        for line in (ROOT / "tests/data" / name).read_text().splitlines()
        if line.strip()
    ]
    return "\n".join(rows[i % len(rows)] for i in range(n)) + "\n"


def timed(cmd: list[str], stdin: str | None = None, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True, timeout=120)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    exe = installed_command()
    if exe is None:
        sys.exit("install first: pip install .")
    batch = timed([exe, "ask", "--json"], questions(1000), runs=3)
    one = timed([exe, "ask", "ecs or eks?"])
    bolt = timed([sys.executable, "-c", "import slack_bolt"])
    bare = timed([sys.executable, "-c", "pass"])
    print(f"1,000 questions piped to container-bot ask --json: {batch:.2f} s (median of 3)")
    print(f'container-bot ask "ecs or eks?" whole process:   {one * 1000:.0f} ms (median of 5)')
    print(f'python -c "import slack_bolt":                    {bolt * 1000:.0f} ms')
    print(f"python -c pass:                                    {bare * 1000:.0f} ms")


if __name__ == "__main__":
    main()
