"""Every setting of the Rasa side (Rasa launcher, action server, actions, retention,
outbox), read once from the environment, like the API's `api/core/config.py`.

The two sides run in different interpreters (Rasa pins pydantic 1), so this is a plain
frozen dataclass rather than pydantic-settings; `get_settings()` reads the environment on
first use and never again, so nothing reads `os.environ` in the middle of a function.
The README's environment table lists each variable.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"

LOOPBACK = "127.0.0.1"
# Resident memory of one Rasa worker with our model loaded (measured: about 1.5 GB).
RASA_WORKER_BYTES = 1_600_000_000
SHARED_LOCK_STORE_SCHEMES = ("redis", "rediss")


def is_shared_lock_store(url: str) -> bool:
    """Whether the lock store at `url` is shared between processes (Redis), so that
    more than one Rasa process may serve the same conversations."""
    return url.split("://", 1)[0].lower() in SHARED_LOCK_STORE_SCHEMES


def machine_rasa_workers(cpus: int | None = None, memory_bytes: int | None = None) -> int:
    """The number of Rasa workers this machine is sized for: one per core, because a
    worker is one event loop whose model inference keeps one core busy (the profile in
    issue 13: Rasa at 100% of one core while the second idled), and more workers than
    cores add memory but no throughput; and no more than fit in half the memory, because
    every worker loads its own copy of the model and the rest of the stack needs room."""
    if cpus is None:
        cpus = len(os.sched_getaffinity(0))
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(1, min(cpus, memory_bytes // 2 // RASA_WORKER_BYTES))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name}={raw!r} is not a whole number of at least 1")
    return int(raw)


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise ValueError(f"{name}={raw!r} is not a number") from error
    if value <= 0:
        raise ValueError(f"{name} must be greater than 0")
    return value


@dataclass(frozen=True)
class Settings:
    # Address Rasa and the action server listen on. Loopback unless a multi-host
    # deployment opens them (INTERNAL_HOST=0.0.0.0); they authenticate either way.
    internal_host: str = LOOPBACK
    # Shared secret Rasa presents to the action server (Authorization: Bearer ...).
    action_server_token: str = ""
    # Largest request body the action server reads (Rasa sends the whole tracker).
    action_server_max_body_bytes: int = 2_000_000
    # Token for Rasa's HTTP API; with INTERNAL_HOST open, it also guards the chat channel.
    rasa_token: str = ""
    tracker_db_url: str = f"sqlite:///{VAR / 'tracker.db'}"
    # Where Rasa keeps its per-conversation ticket locks (rasa_addons/lock_store.py):
    # memory:// for one Rasa process, redis://... when several serve the same people.
    lock_store_url: str = "memory://"
    # Rasa (Sanic) worker processes of one `rasa run`; more than one needs a shared lock
    # store. Default: sized to the machine with a shared lock store, else 1.
    rasa_workers: int = 1
    conversation_retention_days: float = 30.0
    # Where the action server sends referrals; empty outside the running stack.
    referral_api_url: str = ""
    service_api_key: str = ""
    referral_outbox_path: Path = VAR / "referral_outbox.db"
    referral_retry_seconds: float = 30.0
    # Delivered outbox rows (key, reference, times: no personal data) and items the API
    # refused for good (payload kept for an operator to act on) are deleted after these.
    outbox_delivered_retention_days: float = 30.0
    outbox_failed_retention_days: float = 14.0

    @property
    def internal_open(self) -> bool:
        return not is_loopback(self.internal_host)

    @property
    def shared_lock_store(self) -> bool:
        return is_shared_lock_store(self.lock_store_url)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = cls()
        lock_store_url = env.get("LOCK_STORE_URL", "").strip() or defaults.lock_store_url
        return cls(
            internal_host=env.get("INTERNAL_HOST", "").strip() or defaults.internal_host,
            action_server_token=env.get("ACTION_SERVER_TOKEN", ""),
            action_server_max_body_bytes=int(
                _number(env, "ACTION_SERVER_MAX_BODY_BYTES", defaults.action_server_max_body_bytes)
            ),
            rasa_token=env.get("RASA_TOKEN", ""),
            tracker_db_url=env.get("TRACKER_DB_URL", "").strip() or defaults.tracker_db_url,
            lock_store_url=lock_store_url,
            rasa_workers=_count(
                env, "RASA_WORKERS",
                machine_rasa_workers() if is_shared_lock_store(lock_store_url) else 1,
            ),
            conversation_retention_days=_number(
                env, "CONVERSATION_RETENTION_DAYS", defaults.conversation_retention_days
            ),
            referral_api_url=env.get("REFERRAL_API_URL", "").strip().rstrip("/"),
            service_api_key=env.get("SERVICE_API_KEY", ""),
            referral_outbox_path=Path(
                env.get("REFERRAL_OUTBOX_PATH", "").strip() or defaults.referral_outbox_path
            ),
            referral_retry_seconds=_number(
                env, "REFERRAL_RETRY_SECONDS", defaults.referral_retry_seconds
            ),
            outbox_delivered_retention_days=_number(
                env, "OUTBOX_DELIVERED_RETENTION_DAYS", defaults.outbox_delivered_retention_days
            ),
            outbox_failed_retention_days=_number(
                env, "OUTBOX_FAILED_RETENTION_DAYS", defaults.outbox_failed_retention_days
            ),
        )


@lru_cache
def get_settings() -> Settings:
    return Settings.from_env()
