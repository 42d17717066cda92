"""Fixtures any test may use: a clean environment, the shipped knowledge and its engine, the fake Slack, the
real app against it over HTTP or Socket Mode, and a throwaway redis-server. Helpers that are not fixtures are
in helpers.py; the fake Slack and the installed command are in fakes/."""

import os
import shutil
import subprocess
import time

import pytest

pytest.register_assert_rewrite("tests.helpers")  # its asserts (ok, payload_of ...) explain themselves too

from bot.answering.engine import AnswerEngine  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from tests.helpers import KNOWLEDGE, free_port, start_bot, start_socket_bot  # noqa: E402
from tests.helpers import ROOT as ROOT_DIR  # noqa: E402


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """Bolt and our settings read SLACK_* implicitly; tests start from a clean slate."""
    for name in list(os.environ):
        if name.startswith("SLACK_") or name in ("KNOWLEDGE_FILE", "REDIS_URL", "ANSWER_THRESHOLD", "PORT"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def knowledge():
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="session")
def engine(knowledge):
    return AnswerEngine(knowledge)


# ------------------------------------------------------------------------------------ Slack end to end


@pytest.fixture
def fake():
    from tests.fakes.slack import FakeSlack

    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def bot(fake, knowledge):
    running = start_bot(fake, knowledge)
    yield running
    running.server.close()
    running.app.container_bot.outbox.shutdown(wait=True)  # no reply of this test outlives it


@pytest.fixture
def socket_bot(fake, knowledge):
    """The real app in Socket Mode, connected to a local WebSocket server that speaks Slack's protocol; yields
    that server (send envelopes, read acks)."""
    ws, app, handler = start_socket_bot(fake, knowledge)
    yield ws
    ws.close()  # first: the client then closes in a second instead of three
    handler.close()
    app.container_bot.outbox.shutdown(wait=False)


# ---------------------------------------------------------------------------------------------- Redis


@pytest.fixture
def redis_url():
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


# ----------------------------------------------------------------------------------------- PostgreSQL


def postgres_binaries():
    """The directory of initdb, pg_ctl and postgres: on PATH, else Debian's /usr/lib/postgresql/N/bin."""
    import glob

    found = shutil.which("pg_ctl")
    if found:
        return os.path.dirname(os.path.realpath(found))
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(versions[-1]) if versions else None


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server on 127.0.0.1 (initdb into a temporary directory, then pg_ctl start), as
    the tests start redis-server; its URL, postgresql://... . PostgreSQL refuses to run as root, so as root it
    runs as the `postgres` user the Debian package creates (or nobody)."""
    import pwd
    import tempfile

    binaries = postgres_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed (.ci/run installs it: apt-get install postgresql)")
    user = None
    if os.geteuid() == 0:
        for name in ("postgres", "nobody"):
            try:
                user = pwd.getpwnam(name)
                break
            except KeyError:
                continue
    home = tempfile.mkdtemp(prefix="container-bot-pg-", dir="/tmp")
    os.chmod(home, 0o755)
    data, port = os.path.join(home, "data"), free_port()
    if user is not None:
        os.chown(home, user.pw_uid, user.pw_gid)
    as_user = {"user": user.pw_uid, "group": user.pw_gid} if user is not None else {}

    def run(*args):
        return subprocess.run(
            [os.path.join(binaries, args[0]), *args[1:]],
            check=True,
            capture_output=True,
            timeout=120,
            cwd=home,
            **as_user,
        )

    run("initdb", "-D", data, "-U", "bot", "--auth=trust", "--no-sync", "-E", "UTF8")
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    run("pg_ctl", "-D", data, "-o", options, "-l", os.path.join(home, "log"), "-w", "-t", "60", "start")
    try:
        yield f"postgresql://bot@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [os.path.join(binaries, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "-t", "30", "stop"],
            capture_output=True,
            timeout=60,
            cwd=home,
            **as_user,
        )
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def installation_store_url(request, tmp_path):
    """The same install tests on both stores: a SQLite file, and a real PostgreSQL server (a fresh database
    each test)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'installations.db'}"
    base = request.getfixturevalue("postgres_url")
    import sqlalchemy

    name = f"t{os.getpid()}_{next(_databases)}"
    engine = sqlalchemy.create_engine(
        base.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


_databases = __import__("itertools").count(1)


# ------------------------------------------------------------------------------------ the built package


@pytest.fixture(scope="session")
def built_package(tmp_path_factory):
    """The wheel `pip install .` builds (setup.py trains the model into it), unpacked as pip would install
    it: a directory for PYTHONPATH."""
    import sys
    import zipfile

    wheels = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            ".",
        ],
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = wheels.glob("*.whl")
    target = tmp_path_factory.mktemp("installed")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target
