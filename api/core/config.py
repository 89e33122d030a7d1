"""Every setting of the API, read once from the environment (see the README table)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'var' / 'api.db'}"
    rasa_url: str = "http://127.0.0.1:5005"
    # Token for Rasa's HTTP API (model status); the supervisor generates one if unset.
    rasa_token: str = ""
    actions_url: str = "http://127.0.0.1:5055"
    # Seconds to wait for Rasa before the chat answers with the safe fallback reply.
    chat_timeout_seconds: float = 30.0
    health_timeout_seconds: float = 3.0
    # Key the action server presents to POST /referrals. Empty means referral intake is
    # refused (503): the endpoint is never open without a key.
    service_api_key: SecretStr = SecretStr("")
    # Printed and exported referrals show times in the local time MASH works in.
    referral_timezone: str = "Europe/London"

    # Signs the conversation ids issued to the page (api/conversations.py). Every API
    # replica must share it; the supervisor keeps one in var/ when it is not set.
    conversation_secret: SecretStr = SecretStr("")
    # A conversation id is refused after this, like the conversation it names.
    conversation_retention_days: float = 30.0
    # Largest request body the API reads (413 beyond it).
    max_body_bytes: int = 256_000
    # Rate limits (the `limits` library's notation): per conversation and per client
    # address on /chat, and failed authentications per client address.
    # (A person pressing buttons through a form sends one message every second or two;
    # many people can share one address behind a school's or an office's router.)
    chat_rate_per_conversation: str = "60/minute"
    chat_rate_per_client: str = "300/minute"
    auth_failure_rate_per_client: str = "10/minute"
    # Empty: in memory, per process. A redis:// URL shares the counts between replicas.
    rate_limit_storage_url: str = "memory://"
    # /docs, /redoc and /openapi.json are off unless this is set (the docs pages load
    # scripts from a CDN, on the origin where staff use their keys).
    api_docs: bool = False
    # Referrals are deleted this long after their last change (MASH copies what it
    # keeps into its own case system); audit rows are kept longer, then deleted too.
    referral_retention_days: float = 90.0
    audit_retention_days: float = 400.0


@lru_cache
def get_settings() -> Settings:
    return Settings()
