"""The store behind duplicate suppression and thread memory. In the process: claims and values expire and
keep at most max_keys, dropping the oldest and the expired first. In Redis: claims are atomic across
clients and expire; Redis falling over is one warning line per call, and the process's memory answers."""

import logging
import time

import pytest

from bot.slack.store import MemoryStore


def test_claims_keep_at_most_max_keys_the_oldest_going_first():
    now = [0.0]
    store = MemoryStore(max_keys=3, clock=lambda: now[0])
    assert all(store.claim(k) for k in "abc") and list(store._seen) == ["a", "b", "c"]
    assert store.claim("d") and list(store._seen) == ["b", "c", "d"]
    assert not store.claim("c", ttl=5) and list(store._seen) == ["c", "d"]  # room made first: b went
    assert store.claim("e", ttl=5) and list(store._seen) == ["c", "d", "e"]
    now[0] = 601  # all three expired
    assert store.claim("f") and list(store._seen) == ["f"]


def test_values_keep_at_most_max_keys_the_oldest_going_first():
    now = [0.0]
    store = MemoryStore(max_keys=3, clock=lambda: now[0])
    for key in "abc":
        store.put(key, key, ttl=10)
    assert list(store._values) == ["a", "b", "c"]
    store.put("d", "d", ttl=10)
    assert list(store._values) == ["b", "c", "d"]
    store.put("b", "B", ttl=20)  # replaced: now the newest
    assert list(store._values) == ["c", "d", "b"] and store.get("b") == "B"
    now[0] = 15
    store.put("e", "e", ttl=10)
    assert list(store._values) == ["b", "e"]


def test_redis_down_is_one_warning_and_the_processs_memory(caplog):
    pytest.importorskip("redis")
    from bot.slack.store import RedisStore

    store = RedisStore("redis://127.0.0.1:1/0", timeout=0.5)  # nothing listens on port 1
    caplog.set_level(logging.WARNING, logger="container_bot.dedupe")
    assert store.claim("k") and not store.claim("k")
    store.put("t", "1.2", ttl=60)
    assert store.get("t") == "1.2"
    messages = [r.getMessage() for r in caplog.records]
    assert (
        messages[:2]
        == ["redis unavailable for duplicate suppression (ConnectionError); using this process's memory"] * 2
    )
    assert (
        messages[2:]
        == ["redis unavailable for thread memory (ConnectionError); using this process's memory"] * 2
    )


def test_memory_deduper_forgets_after_its_time_limit():
    now = [1000.0]
    dedupe = MemoryStore(clock=lambda: now[0])
    assert dedupe.claim("k", ttl=10) and not dedupe.claim("k", ttl=10)
    now[0] += 11
    assert dedupe.claim("k", ttl=10)


def test_memory_store_keeps_values_for_a_while():
    from bot.slack.store import MemoryStore

    now = [0.0]
    store = MemoryStore(max_keys=3, clock=lambda: now[0])
    store.put("a", "1.1", ttl=10)
    assert store.get("a") == "1.1" and store.get("b") is None
    now[0] = 11
    assert store.get("a") is None
    for key in "bcde":
        store.put(key, key, ttl=100)
    assert store.get("b") is None and store.get("e") == "e"  # bounded: the oldest go first


def test_redis_claims_are_atomic_across_clients(redis_url):
    from concurrent.futures import ThreadPoolExecutor

    from bot.slack.store import RedisStore

    clients = [RedisStore(redis_url) for _ in range(4)]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda i: clients[i % 4].claim("event:Ev1"), range(64)))
    assert results.count(True) == 1


def test_redis_claims_expire(redis_url):
    from bot.slack.store import RedisStore

    dedupe = RedisStore(redis_url)
    assert dedupe.claim("k", ttl=1) and not dedupe.claim("k", ttl=1)
    time.sleep(1.2)
    assert dedupe.claim("k", ttl=1)
