"""The model cache cannot be turned against the bot: only a directory and a file of ours (or root's, or the
code owner's) that no one else can write are read, each through one handle opened without following a link;
a file whose checksum fails is ignored and the bot trains again; only the newest few files are kept. And a
cache written by another user (root, as at image build time) gives a warm start as uid 10001."""

import os
import stat

import pytest

from bot.understanding import cache
from bot.understanding.training import Learned

needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(where))
    monkeypatch.setattr(cache, "PACKAGED", tmp_path / "no-package")  # the source tree ships no model
    return where


def test_a_warm_start_reads_what_the_first_one_saved(cache_dir, knowledge):
    assert Learned(knowledge).training_seconds > 0
    assert Learned(knowledge).training_seconds == 0
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700


@pytest.mark.parametrize("offset", [20, 1000, -5])
def test_a_corrupt_file_is_ignored_and_the_bot_retrains(cache_dir, knowledge, offset):
    Learned(knowledge)
    (path,) = cache_dir.glob("model-*.bin")
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x80  # one flipped bit: a sign, a count, a byte of the checksum
    path.write_bytes(bytes(data))
    again = Learned(knowledge)
    assert again.training_seconds > 0
    assert again.kind_model is not None


def test_a_directory_others_can_write_is_never_read(cache_dir, knowledge):
    Learned(knowledge)
    cache_dir.chmod(0o777)  # a pre-created /tmp/container-bot anyone may write: anyone could swap the file
    assert Learned(knowledge).training_seconds > 0
    cache_dir.chmod(0o700)
    assert Learned(knowledge).training_seconds == 0


def test_a_link_in_place_of_the_file_is_not_followed(cache_dir, knowledge, tmp_path):
    Learned(knowledge)
    (path,) = cache_dir.glob("model-*.bin")
    elsewhere = tmp_path / "elsewhere.bin"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    assert Learned(knowledge).training_seconds > 0


@needs_root
def test_a_file_of_another_user_is_not_read(cache_dir, knowledge):
    Learned(knowledge)
    (path,) = cache_dir.glob("model-*.bin")
    os.chown(path, 4242, 4242)
    assert Learned(knowledge).training_seconds > 0


def test_only_the_newest_files_are_kept(cache_dir, knowledge):
    cache_dir.mkdir(mode=0o700)
    for n in range(8):  # files an older knowledge or code left behind, 1 MiB each
        old = cache_dir / f"model-{n:032x}.bin"
        old.write_bytes(b"\0" * 1024 * 1024)
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    Learned(knowledge)
    kept = sorted(p.name for p in cache_dir.glob("model-*.bin"))
    assert len(kept) == cache.KEEP
    assert f"model-{7:032x}.bin" in kept and f"model-{0:032x}.bin" not in kept
    assert cache.load(cache.key_for(knowledge.checksum)) is not None  # the one just written is always kept
    assert sum(p.stat().st_size for p in cache_dir.iterdir()) < 8 * 1024 * 1024


def run_as(uid: int, work) -> object:
    """Run `work()` in a forked child as `uid` (as a container's non-root user); its result, or its error."""
    import pickle

    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to uid, do the work, report, and leave without running any cleanup
        try:
            os.close(reader)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            result = ("ok", work())
        except BaseException as exc:  # noqa: BLE001  (reported to the parent)
            result = ("error", repr(exc))
        os.write(writer, pickle.dumps(result))
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as stream:
        data = stream.read()
    os.waitpid(pid, 0)
    kind, value = pickle.loads(data)
    assert kind == "ok", value
    return value


@needs_root
def test_a_cache_written_by_root_at_build_time_starts_uid_10001_warm(knowledge, monkeypatch):
    """As the image does: root trains into the image's cache at build time (then the directory is made
    readable, as `chmod -R a+rX` does); the container runs as 10001 and loads it without training."""
    import shutil
    import tempfile
    from pathlib import Path

    image = Path(tempfile.mkdtemp(prefix="container-bot-image-", dir="/tmp"))
    try:
        image.chmod(0o755)
        where = image / "cache"
        monkeypatch.setenv(cache.ENV, str(where))
        monkeypatch.setattr(cache, "PACKAGED", image / "no-package")
        assert Learned(knowledge).training_seconds > 0  # as root, at build time
        for path in [where, *where.iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        cache.fingerprint()  # read the code now: the child cannot reach /root's Python
        seconds = run_as(10001, lambda: Learned(knowledge).training_seconds)
        assert seconds == 0
        # and a cache another ordinary user wrote is not trusted by 10001
        os.chown(where, 10002, 10002)
        for path in where.iterdir():
            os.chown(path, 10002, 10002)
        assert run_as(10001, lambda: cache.load(cache.key_for(knowledge.checksum))) is None
    finally:
        shutil.rmtree(image, ignore_errors=True)


@needs_root
def test_the_built_package_starts_uid_10001_warm_from_a_root_owned_install(built_package, knowledge):
    """The image: the wheel installed by root, the bot run as 10001 with the image's environment. The
    packaged model is read (it is root's and no one else can write it): no training."""
    import shutil
    import tempfile
    from pathlib import Path

    install = Path(tempfile.mkdtemp(prefix="container-bot-site-", dir="/tmp"))
    try:
        shutil.copytree(built_package, install, dirs_exist_ok=True)
        for path in [install, *install.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        probe = f"""
import os, sys
for name in [m for m in sys.modules if m == "bot" or m.startswith("bot.")]:
    del sys.modules[name]
sys.path.insert(0, {str(install)!r})
os.environ["CONTAINER_BOT_CACHE"] = "/opt/container-bot/cache"  # the image's ENV; absent, unwritable here
from bot.knowledge import load_knowledge
from bot.understanding.training import Learned
import bot
assert bot.__file__.startswith({str(install)!r}), bot.__file__
result = Learned(load_knowledge()).training_seconds
"""

        def work():
            scope: dict = {}
            exec(probe, scope)  # noqa: S102  (our own probe, run in the child)
            return scope["result"]

        # everything the probe needs from the standard library and the dependencies is imported already
        import bot.knowledge  # noqa: F401
        import bot.understanding.training  # noqa: F401

        assert run_as(10001, work) == 0
    finally:
        shutil.rmtree(install, ignore_errors=True)
