"""Submit referrals to the API, and keep them in the outbox until stored if it is down.

    submission = await submit_async(payload)  # payload carries its own idempotency_key
    submission.outcome                        # "stored" | "queued" | "rejected"

An operator sends what waits with ``python -m actions.outbox_operator`` (flush, requeue).

``POST {REFERRAL_API_URL}/referrals`` with ``Authorization: Bearer {SERVICE_API_KEY}``:

* 201 / 200 (resubmission of the same key): stored, with the API's reference.
* 422: rejected, with the field names and the API's messages; the bot names them and asks
  the person to phone MASH instead (nothing is kept here).
* 409 (key reused for a different referral): rejected, naming ``idempotency_key``.
* network error, 5xx (incl. 503 "intake not configured"), 408, 429: queued in the outbox
  and retried by a background thread with exponential backoff per item.
* any other 4xx (401, 403, 404, ...): a configuration fault the user cannot fix;
  rejected without field errors, and kept in the outbox as ``failed_permanently`` so an
  operator can recover it.

Logging names idempotency keys, queue ids, references and status codes only - never
payload contents, names, phone numbers or the API's error messages.

``submit`` blocks for up to ~13 s (connect 3 s + read 10 s); from an ``async`` action use
``await submit_async(payload)`` so the action server's event loop is not held up.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from dataclasses import dataclass
from typing import Any, Final, Literal

import requests

from actions.outbox import DELIVERED, PENDING, Outbox, OutboxItem, now
from rasa_addons.settings import get_settings

log = logging.getLogger(__name__)

API_KEY_ENV: Final = "SERVICE_API_KEY"
DEFAULT_API_URL: Final = "http://127.0.0.1:8000"
# (connect, read): a dead host fails fast; a slow database still gets time to commit.
TIMEOUT: Final = (3.0, 10.0)
# Per-item backoff: 2 s, 4 s, 8 s ... capped at 5 minutes, so a long outage is not
# hammered but a referral is never left waiting longer than the cap once the API is back.
BACKOFF_BASE_SECONDS: Final = 2.0
BACKOFF_CAP_SECONDS: Final = 300.0
# Statuses worth retrying; every other 4xx is a permanent refusal.
RETRYABLE_4XX: Final = frozenset({408, 429})

Outcome = Literal["stored", "queued", "rejected"]


@dataclass(frozen=True)
class FieldError:
    """One 422 error: ``field`` is dotted (``child.date_of_birth``); the API never echoes
    the submitted value in ``message``, so both are safe to show the user."""

    field: str
    message: str


@dataclass(frozen=True)
class Submission:
    outcome: Outcome
    idempotency_key: str
    reference: str | None = None  # when stored
    queue_id: str | None = None  # when queued: short, can be read out to MASH
    errors: tuple[FieldError, ...] = ()  # when rejected for invalid fields
    status_code: int | None = None  # the API's answer, None for a network error


@dataclass(frozen=True)
class _Answer:
    """One attempt's result, classified."""

    kind: Literal["stored", "retry", "invalid", "conflict", "refused"]
    status: int | None
    reason: str  # for the log and the outbox: never personal data
    reference: str | None = None
    errors: tuple[FieldError, ...] = ()


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Exponential per item, capped, with +-10 % jitter so items queued together during an
    outage do not all retry in the same second."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.9, 1.1)


def _key_of(payload: dict[str, Any]) -> str:
    key = payload.get("idempotency_key")
    if not isinstance(key, str) or not key.strip():
        # The key must be made once per referral (and kept in a slot) by the caller: a
        # key made here would differ on every retry and could create a second referral.
        raise ValueError("payload needs an idempotency_key (a UUID made once per referral)")
    return key.strip()


def _field_errors(response: requests.Response) -> tuple[FieldError, ...]:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return ()
    if not isinstance(detail, list):
        return ()
    return tuple(
        FieldError(field=str(item.get("field") or "body"), message=str(item.get("msg") or ""))
        for item in detail
        if isinstance(item, dict)
    )


class ReferralClient:
    """Submits to one API with one outbox. Thread-safe; one per process is the norm."""

    def __init__(
        self,
        api_url: str | None = None,
        api_key: str | None = None,
        outbox: Outbox | None = None,
        *,
        retry_seconds: float | None = None,
        timeout: tuple[float, float] = TIMEOUT,
        backoff_base: float = BACKOFF_BASE_SECONDS,
        backoff_cap: float = BACKOFF_CAP_SECONDS,
        background: bool = True,
    ) -> None:
        settings = get_settings()
        self.api_url = (api_url or settings.referral_api_url or DEFAULT_API_URL).rstrip("/")
        self.api_key = api_key if api_key is not None else settings.service_api_key
        self.outbox = outbox if outbox is not None else Outbox()
        self.retry_seconds = (
            retry_seconds
            if retry_seconds is not None
            else settings.referral_retry_seconds
        )
        self.timeout = timeout
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._background = background
        # One flush at a time in this process: the background thread and an explicit
        # flush() must not both post the same item (harmless thanks to the key, but noisy).
        self._flush_lock = threading.Lock()
        self._thread_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        # requests.Session is not documented as thread-safe; one per thread.
        self._local = threading.local()

    # ------------------------------------------------------------------ public

    def submit(self, payload: dict[str, Any]) -> Submission:
        key = _key_of(payload)
        self.start_background_retry()
        known = self.outbox.get(key)
        if known is not None and known.state == DELIVERED:
            # Already stored (e.g. the user pressed "send" twice): no second POST needed.
            return Submission("stored", key, reference=known.reference, status_code=200)
        if known is not None and known.state == PENDING:
            # Queued earlier: the queued copy is the referral (one key, one referral).
            # Try it now rather than make the user wait for the next background tick.
            answer = self._attempt(known)
            if answer is not None and answer.kind == "invalid":
                return Submission("rejected", key, errors=answer.errors, status_code=422)
            return self._submission_from_item(self.outbox.get(key) or known)
        # New, or failed permanently before (the API stored nothing under this key, so a
        # corrected resubmission with the same key is a fresh attempt).

        answer = self._post(key, payload)
        if answer.kind == "stored":
            assert answer.reference is not None
            self.outbox.record_delivered(key, answer.reference)
            log.info("referral %s stored as %s (HTTP %s)", key, answer.reference, answer.status)
            return Submission("stored", key, reference=answer.reference, status_code=answer.status)
        if answer.kind == "invalid":
            # Not kept: the bot names the fields and sends the person to MASH by phone
            # (a 422 stored nothing on the API, so a corrected resubmission may reuse the key).
            log.info(
                "referral %s rejected (HTTP 422) on fields %s",
                key, ", ".join(error.field for error in answer.errors) or "-",
            )  # fmt: skip
            return Submission("rejected", key, errors=answer.errors, status_code=answer.status)
        if answer.kind == "conflict":
            log.warning("referral %s refused: idempotency_key reused (HTTP 409)", key)
            error = FieldError(
                "idempotency_key", "already used for a different referral; make a new key"
            )
            return Submission("rejected", key, errors=(error,), status_code=answer.status)
        if answer.kind == "refused":
            # 401/403/404...: nothing the user can correct. Keep it for an operator.
            item = self.outbox.record_failed_permanently(
                key, payload, status=answer.status, error=answer.reason
            )
            log.error(
                "referral %s refused by the API (%s); kept in the outbox as %s",
                key, answer.reason, item.queue_id,
            )  # fmt: skip
            return Submission("rejected", key, queue_id=item.queue_id, status_code=answer.status)

        item = self.outbox.enqueue(key, payload, replace_failed=True)
        self.outbox.record_retry(
            key, status=answer.status, error=answer.reason, next_attempt_at=self._next_attempt(1)
        )
        log.warning("referral %s queued as %s (%s)", key, item.queue_id, answer.reason)
        return Submission("queued", key, queue_id=item.queue_id, status_code=answer.status)

    def flush(self, *, force: bool = False) -> int:
        """Retry pending referrals; return how many were stored.

        Items still in their backoff are skipped unless ``force`` (an operator who knows
        the API is back). Safe to call from several processes: the key makes a second
        delivery of the same item a 200 with the same reference, not a second referral.
        """
        self.start_background_retry()
        with self._flush_lock:
            items = self.outbox.pending(due_by=None if force else now())
            delivered = 0
            for item in items:
                answer = self._attempt(item)
                if answer is not None and answer.kind == "stored":
                    delivered += 1
        if items:
            log.info("outbox flush: %d of %d pending referrals stored", delivered, len(items))
        return delivered

    def start_background_retry(self) -> None:
        """Start the retry thread once (idempotent). Called on first use; the action
        server may also call it at start-up so items queued before a restart are sent
        without waiting for a new submission."""
        if not self._background or self._thread is not None:
            return
        with self._thread_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._retry_loop, name="referral-outbox-retry", daemon=True
                )
                self._thread.start()

    def close(self) -> None:
        """Stop the retry thread (tests; a daemon thread otherwise dies with the process)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.timeout[0] + self.timeout[1] + 5)

    # ------------------------------------------------------------------ internals

    def _retry_loop(self) -> None:
        while not self._stop.wait(self.retry_seconds):
            try:
                self.flush()
            except Exception:  # the thread must outlive any one failure
                # exc_info is safe: nothing in the outbox or client puts payloads in
                # exception messages (reprs are redacted, requests errors name the URL).
                log.exception("outbox retry failed; trying again in %ss", self.retry_seconds)

    def _next_attempt(self, attempts: int) -> float:
        return now() + backoff_seconds(attempts, self.backoff_base, self.backoff_cap)

    def _attempt(self, item: OutboxItem) -> _Answer | None:
        """One delivery attempt of a pending item (None if it has nothing to send)."""
        if item.payload is None:
            return None
        key = item.idempotency_key
        answer = self._post(key, item.payload)
        if answer.kind == "stored":
            assert answer.reference is not None
            self.outbox.record_delivered(key, answer.reference)
            log.info(
                "queued referral %s (%s) stored as %s (HTTP %s)",
                key, item.queue_id, answer.reference, answer.status,
            )  # fmt: skip
            return answer
        if answer.kind == "retry":
            self.outbox.record_retry(
                key,
                status=answer.status,
                error=answer.reason,
                next_attempt_at=self._next_attempt(item.attempts + 1),
            )
            log.info(
                "queued referral %s (%s) not yet stored: %s", key, item.queue_id, answer.reason
            )
            return answer
        # invalid / conflict / refused: retrying cannot help. Kept, with the reason.
        self.outbox.record_failed_permanently(key, None, status=answer.status, error=answer.reason)
        log.error(
            "queued referral %s (%s) failed permanently: %s", key, item.queue_id, answer.reason
        )
        return answer

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            # Ignore HTTP(S)_PROXY from the environment: referrals go straight to our API.
            session.trust_env = False
            self._local.session = session
        return session

    def _post(self, key: str, payload: dict[str, Any]) -> _Answer:
        if not self.api_key:
            # Without a key the API answers 401, which would look permanent; this is a
            # deployment fault that a restart with the key fixes, so keep retrying.
            log.error("%s is not set on the action server; referral %s not sent", API_KEY_ENV, key)
            return _Answer("retry", None, f"{API_KEY_ENV} not set")
        try:
            response = self._session().post(
                f"{self.api_url}/referrals",
                json=payload,
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=self.timeout,
                allow_redirects=False,  # a redirected POST would be re-sent as a GET
            )
        except requests.RequestException as exc:
            # The class name only: messages can be long and are no use to the bot.
            return _Answer("retry", None, f"network error ({type(exc).__name__})")
        with response:
            return self._classify(response)

    @staticmethod
    def _classify(response: requests.Response) -> _Answer:
        status = response.status_code
        if status in (200, 201):
            try:
                reference = response.json().get("reference")
            except (ValueError, AttributeError):
                reference = None
            if isinstance(reference, str) and reference:
                return _Answer("stored", status, f"HTTP {status}", reference=reference)
            # A 2xx without a reference is not proof of storage; the key makes a retry safe.
            return _Answer("retry", status, f"HTTP {status} without a reference")
        if status == 422:
            errors = _field_errors(response)
            names = ", ".join(error.field for error in errors) or "-"
            return _Answer("invalid", status, f"HTTP 422 on fields: {names}", errors=errors)
        if status == 409:
            return _Answer("conflict", status, "HTTP 409 idempotency_key reused")
        if 400 <= status < 500 and status not in RETRYABLE_4XX:
            return _Answer("refused", status, f"HTTP {status}")
        # 5xx (incl. 503 while intake is not configured), 408, 429, and 1xx/3xx surprises.
        return _Answer("retry", status, f"HTTP {status}")

    @staticmethod
    def _submission_from_item(item: OutboxItem) -> Submission:
        key = item.idempotency_key
        if item.state == DELIVERED:
            return Submission("stored", key, reference=item.reference, status_code=item.last_status)
        if item.state == PENDING:
            return Submission("queued", key, queue_id=item.queue_id, status_code=item.last_status)
        return Submission("rejected", key, queue_id=item.queue_id, status_code=item.last_status)


# ---------------------------------------------------------------------- module level

_default: ReferralClient | None = None
_default_lock = threading.Lock()


def client() -> ReferralClient:
    """The process's client, configured from the environment on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = ReferralClient()
    return _default


def submit(payload: dict[str, Any]) -> Submission:
    return client().submit(payload)


async def submit_async(payload: dict[str, Any]) -> Submission:
    """``submit`` in a worker thread, for ``async def run`` actions."""
    return await asyncio.get_running_loop().run_in_executor(None, submit, payload)


def start_background_retry() -> None:
    client().start_background_retry()

