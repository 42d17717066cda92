"""What the benchmarks share with the tests, with no test framework in it: `python bench/run.py` works after a
plain `pip install .` (no pytest), run from the repository checkout."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


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
