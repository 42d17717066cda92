"""The knowledge validated once is kept between starts: read back when no file it was built from changed, the
same knowledge as parsing the files; parsed again when any of them changed or the snapshot is damaged."""

import logging

import pytest

from bot.knowledge import load_knowledge
from bot.understanding import cache, snapshot
from tests.helpers import copy_knowledge


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "PACKAGED", tmp_path / "no-package")
    (tmp_path / "k").mkdir()
    return copy_knowledge(tmp_path / "k")


def from_snapshot(path, caplog) -> bool:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="container_bot.model"):
        snapshot.load(path)
    return "knowledge loaded from its snapshot" in caplog.text


def test_the_second_start_reads_the_snapshot_and_gets_the_same_knowledge(files, caplog):
    assert not from_snapshot(files, caplog)
    assert from_snapshot(files, caplog)
    kept, parsed = snapshot.load(files), load_knowledge(files)
    assert kept == parsed and kept.claims == parsed.claims and kept.checksum == parsed.checksum
    assert kept.path == str(files) and kept.claims_files == parsed.claims_files
    assert kept.examples.items == parsed.examples.items  # the examples text travels whole


def test_the_snapshot_follows_the_files_wherever_they_are(files, tmp_path, caplog):
    snapshot.load(files)
    (tmp_path / "elsewhere").mkdir()
    moved = copy_knowledge(tmp_path / "elsewhere")
    assert from_snapshot(moved, caplog)
    assert snapshot.load(moved).claims[0].file.startswith(str(moved.parent))


def test_an_edited_claims_file_is_parsed_again(files, caplog):
    snapshot.load(files)
    claims = files.parent / "claims" / "ecr.yaml"
    claims.write_text(claims.read_text().replace("52,000 MiB", "53,000 MiB"))
    assert not from_snapshot(files, caplog)
    assert any("53,000 MiB" in c.text for c in snapshot.load(files).claims)


def test_a_damaged_snapshot_is_parsed_again(files, tmp_path, caplog):
    snapshot.load(files)
    (path,) = (tmp_path / "cache").glob("knowledge-*.bin")
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x80
    path.write_bytes(bytes(data))
    assert not from_snapshot(files, caplog)
    assert snapshot.load(files) == load_knowledge(files)
