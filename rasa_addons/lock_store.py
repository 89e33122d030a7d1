"""Rasa's lock store, chosen by one URL, with ticket changes that are atomic in Redis.

Rasa serialises the messages of one conversation with a ticket lock: a message takes a
ticket, waits until its number is served, runs its turn and hands the lock on. With
several Rasa processes (Sanic workers or replicas) the lock must live where all of them
see it, which is Redis.

Why not Rasa's own RedisLockStore as it is: each of its ticket changes is a read, a
change in Python and a write (GET the lock, append a ticket, SET the lock). Inside one
process that is safe, because nothing awaits between the read and the write; across
processes it is not. Two processes taking a ticket for one conversation at the same
moment both read the same lock, both issue the same number and both go ahead: the two
turns interleave, and the tracker store (which appends the events past the count it
already holds) keeps one turn and drops the other. Its clean-up checks that nobody is
waiting and then deletes the lock, in two steps, so it can delete a ticket another
process has just taken, whose message then fails with LockError. This module keeps
Rasa's lock format and algorithm and makes every change one Redis transaction
(WATCH / MULTI / EXEC, run again when another process changed the lock in between:
redis-py's `Redis.transaction`).

    lock_store:                                  # bot/endpoints.yml
      type: rasa_addons.lock_store.UrlLockStore
      url: ${LOCK_STORE_URL}                     # memory:// or redis://:password@host:port/db

`memory://` is Rasa's in-memory store (one process only); `redis://` or `rediss://`
(TLS) the atomic Redis store. The database number is the URL's path (Rasa's default, 1,
when there is none) and `?key_prefix=name` (letters and digits) separates deployments
sharing one Redis.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
# Rasa's RedisLockStore uses database 1 unless told otherwise; so do we.
DEFAULT_REDIS_DB = 1


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket changes cannot be lost to another process's."""

    def _change(self, conversation_id: str,
                change: Callable[[TicketLock | None], tuple[TicketLock | None, T]]) -> T:
        """Read the lock, apply `change` (which returns the lock to keep, None to delete
        it, and a result), and write it back unless another process wrote in between,
        in which case all of it runs again on the new value."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: object) -> T:
            raw = pipe.get(key)  # type: ignore[attr-defined]
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            kept, result = change(lock)
            pipe.multi()  # type: ignore[attr-defined]
            if kept is None:
                pipe.delete(key)  # type: ignore[attr-defined]
            else:
                pipe.set(key, kept.dumps())  # type: ignore[attr-defined]
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as error:  # as Rasa's own issue_ticket does
            message = f"Error while acquiring lock. Error:\n{type(error).__name__}"
            raise LockError(message) from error

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Hand the ticket back, and delete the lock only if nobody holds a ticket,
        in one step (Rasa's takes two, with a gap another process can fall into)."""

        def finish_and_clean(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish_and_clean)


def lock_store_from_url(url: str) -> LockStore:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "memory":
        return InMemoryLockStore()
    if scheme not in ("redis", "rediss"):
        raise ValueError("LOCK_STORE_URL must start with memory://, redis:// or rediss://")
    if parts.username not in (None, "", "default"):
        # Rasa's Redis client sends a password only, which Redis checks as user "default".
        raise ValueError("LOCK_STORE_URL: Redis users other than 'default' are not supported")
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise ValueError("LOCK_STORE_URL: the path must be a Redis database number")
    key_prefix = parse_qs(parts.query).get("key_prefix", [None])[0]
    return AtomicRedisLockStore(
        host=parts.hostname or "localhost",
        port=parts.port or 6379,
        db=int(path) if path else DEFAULT_REDIS_DB,
        password=unquote(parts.password) if parts.password else None,
        use_ssl=scheme == "rediss",
        key_prefix=key_prefix,
    )


class UrlLockStore(LockStore):
    """The lock store `bot/endpoints.yml` names: Rasa builds it from the endpoint
    config, and it hands every lock operation to the store its URL chooses. Rasa's own
    `lock()` and `_acquire_lock()` (inherited) call these."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        self.store = lock_store_from_url(endpoint_config.url or "memory://")

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.store.save_lock(lock)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self.store.issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        self.store.update_lock(conversation_id)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self.store.finish_serving(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self.store.cleanup(conversation_id, ticket_number)

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return self.store.is_someone_waiting(conversation_id)
