"""The lock store chosen by LOCK_STORE_URL, and the worker setting, against a real Redis.

The point of the lock store is that several Rasa processes never run two turns of one
conversation at once; the main test checks exactly that with several processes using
Rasa's own `lock()` algorithm on our store."""

from __future__ import annotations

import asyncio
import multiprocessing
import subprocess
import sys
from collections.abc import Iterator

import pytest
import redis
from rasa.core.lock_store import InMemoryLockStore
from rasa.utils.endpoints import EndpointConfig

from rasa_addons.lock_store import AtomicRedisLockStore, UrlLockStore, lock_store_from_url
from rasa_addons.settings import RASA_WORKER_BYTES, Settings, machine_rasa_workers
from tests.redis_server import RedisServer, redis_server
from tools.paths import ROOT, rasa_env

PROCESSES = 4
TURNS_PER_PROCESS = 25
GB = 1_000_000_000


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with redis_server() as running:
        yield running


def take_turns(url: str, conversation: str, counter: str, start: object) -> None:
    """One 'Rasa process': each turn reads a counter, yields to the event loop (as a
    real turn does while it waits for the action server) and writes it back plus one.
    Two turns at once would both read the same value, and the count would come up short."""
    store = UrlLockStore(EndpointConfig(url=url))
    client = redis.Redis.from_url(url)

    async def turns() -> None:
        for _ in range(TURNS_PER_PROCESS):
            async with store.lock(conversation, wait_time_in_seconds=0.005):
                value = int(client.get(counter) or 0)
                await asyncio.sleep(0.002)  # widens the turn, so an overlap would show
                client.set(counter, value + 1)

    start.wait()  # type: ignore[attr-defined]  # all processes begin together
    asyncio.run(turns())


def test_processes_never_run_one_conversation_at_once(server: RedisServer) -> None:
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES)
    url = server.url(db=1)
    workers = [
        context.Process(target=take_turns, args=(url, "conversation-1", "turns", start))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    client = redis.Redis.from_url(url)
    assert int(client.get("turns")) == PROCESSES * TURNS_PER_PROCESS
    # The last turn out deleted the lock: nothing is left behind for the conversation.
    assert client.keys("lock:*") == []


def test_tickets_are_issued_once_and_the_lock_goes_when_the_last_is_handed_back(
    server: RedisServer,
) -> None:
    store = UrlLockStore(EndpointConfig(url=server.url(db=2)))
    first = store.issue_ticket("conversation-2")
    second = store.issue_ticket("conversation-2")
    assert second == first + 1
    lock = store.get_lock("conversation-2")
    assert lock is not None and not lock.is_locked(first) and lock.is_locked(second)
    store.cleanup("conversation-2", first)
    lock = store.get_lock("conversation-2")
    assert lock is not None and not lock.is_locked(second)
    store.cleanup("conversation-2", second)
    assert store.get_lock("conversation-2") is None


def test_the_url_chooses_the_store() -> None:
    assert isinstance(lock_store_from_url("memory://"), InMemoryLockStore)
    store = lock_store_from_url("rediss://:p%40ss@redis.internal:6380/3?key_prefix=site2")
    assert isinstance(store, AtomicRedisLockStore)
    options = store.red.connection_pool.connection_kwargs
    assert (options["host"], options["port"], options["db"]) == ("redis.internal", 6380, 3)
    assert options["password"] == "p@ss"
    assert store.key_prefix == "site2:lock:"
    assert lock_store_from_url("redis://127.0.0.1").red.connection_pool.connection_kwargs[
        "db"] == 1  # Rasa's default database
    for wrong in ("postgresql://x", "redis://someone:pw@host/1", "redis://host/locks"):
        with pytest.raises(ValueError):
            lock_store_from_url(wrong)


def test_workers_are_sized_to_the_machine() -> None:
    assert machine_rasa_workers(cpus=2, memory_bytes=24 * GB) == 2
    assert machine_rasa_workers(cpus=1, memory_bytes=24 * GB) == 1
    # Every worker loads the model: no more than fit in half the memory.
    assert machine_rasa_workers(cpus=8, memory_bytes=4 * RASA_WORKER_BYTES) == 2
    assert machine_rasa_workers(cpus=8, memory_bytes=GB) == 1


def test_more_than_one_worker_only_with_a_shared_lock_store() -> None:
    assert Settings.from_env({}).rasa_workers == 1
    assert Settings.from_env({"LOCK_STORE_URL": "redis://h/1"}).rasa_workers == \
        machine_rasa_workers()
    assert Settings.from_env({"RASA_WORKERS": "3", "LOCK_STORE_URL": "redis://h/1"}
                             ).rasa_workers == 3
    for wrong in ("0", "two", "-1"):
        with pytest.raises(ValueError):
            Settings.from_env({"RASA_WORKERS": wrong})
    # The launcher refuses two workers that would each keep their own locks.
    result = subprocess.run(
        [sys.executable, "-m", "rasa_addons.serve", "--port", "1"], cwd=ROOT,
        env={**rasa_env(), "RASA_TOKEN": "t" * 32, "RASA_WORKERS": "2", "LOCK_STORE_URL": ""},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "RASA_WORKERS=2 needs a lock store the workers share" in result.stderr
