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


@lru_cache
def get_settings() -> Settings:
    return Settings()
