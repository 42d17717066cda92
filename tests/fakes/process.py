"""The installed `container-bot`, run as a process: found beside this Python, run once (`run_cli`,
`run_serve`) or kept running (`Served`), with an environment that points it at a fake Slack (`env_for`).
No test framework in here, so the benchmarks use it too after a plain `pip install .` (no pytest)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def installed_command() -> str | None:
    """The installed `container-bot`: beside this Python first (its virtualenv, activated or not, holds the
    code under test), else on PATH. PATH first would run whatever install a shell shim finds: other code."""
    beside = Path(sys.executable).parent / "container-bot"
    return str(beside) if beside.exists() else shutil.which("container-bot")


class Served:
    """A running `container-bot serve`, its standard error read line by line on a thread."""

    def __init__(self, env: dict, *args: str):
        import queue
        import subprocess
        import threading

        exe = installed_command()
        if exe is None:
            raise SystemExit("install first: pip install .")
        self.proc = subprocess.Popen(
            [exe, "serve", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.log.append(line)
            self.lines.put(line)

    def wait_line(self, pattern: str, timeout: float = 15):
        """The first line from now on that matches `pattern` (a regex), as a match; AssertionError if none."""
        import queue
        import re
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"no line matching {pattern!r}; log: {''.join(self.log)}")

    def stop(self, timeout: float = 15) -> int:
        import signal
        import subprocess

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout=5)


def env_for(fake=None, **extra) -> dict:
    """This process's environment without any Slack settings of its own, pointed at `fake` (its tokens and Web
    API URL); `extra` adds or, with None, removes variables."""
    from .slack import BOT_TOKEN, SIGNING_SECRET

    env = {
        k: v for k, v in os.environ.items() if not k.startswith("SLACK_") and k not in ("PORT", "REDIS_URL")
    }
    if fake is not None:
        env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url)
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def run_serve(env: dict, *args: str, timeout: float = 30) -> tuple[subprocess.CompletedProcess, float]:
    """`container-bot serve` run to its end (a start-up that fails): the result, and how long it took."""
    start = time.monotonic()
    result = subprocess.run(
        [installed_command(), "serve", *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    return result, time.monotonic() - start


def run_cli(*args, stdin=None, env=None, timeout=60) -> subprocess.CompletedProcess:
    """`container-bot ARGS...`, as a user runs it, its output as text."""
    return subprocess.run(
        [installed_command(), *args], input=stdin, capture_output=True, text=True, timeout=timeout, env=env
    )
