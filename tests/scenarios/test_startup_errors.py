"""`container-bot serve` refuses to start with one line naming the problem and a non-zero exit: a missing or
malformed setting, a token Slack rejects, Slack or Redis out of reach, a busy port, no Redis client."""

import pytest

from tests.fakes.process import installed_command
from tests.helpers import free_port

EXE = installed_command()


pytestmark = pytest.mark.skipif(EXE is None, reason="container-bot is not installed (pip install .)")


def test_unreachable_redis_at_start_is_one_line(fake):
    from tests.fakes.process import env_for, run_serve

    result, _ = run_serve(env_for(fake, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))
    assert result.returncode == 2 and "REDIS_URL is unreachable" in result.stderr
