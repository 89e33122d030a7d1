"""API keys: generation, salted hashing and constant-time checks.

A user key looks like ``mca_<prefix>_<secret>``. The prefix is stored in clear to find
the user's row; the whole key is stored only as a salted scrypt hash, so a copy of the
database does not give anyone a working key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Final, Literal

Role = Literal["staff", "admin", "service", "none"]
USER_ROLES: Final = ("staff", "admin")

KEY_SCHEME: Final = "mca"
PREFIX_BYTES: Final = 6  # 8 URL-safe characters: enough to make lookups unique
SECRET_BYTES: Final = 32

# scrypt cost: interactive-login strength (RFC 7914 suggests N=2**14 for this use).
_SCRYPT_N: Final = 2**14
_SCRYPT_R: Final = 8
_SCRYPT_P: Final = 1


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user (staff/admin) or the action server (service)."""

    username: str
    role: Role


SERVICE_PRINCIPAL: Final = Principal(username="service:action-server", role="service")
# Who a failed authentication is recorded as in the audit trail.
ANONYMOUS: Final = Principal(username="anonymous", role="none")


def new_api_key() -> tuple[str, str]:
    """A fresh key and its lookup prefix. The key is shown to its owner once."""
    prefix = secrets.token_urlsafe(PREFIX_BYTES).replace("_", "x").replace("-", "y")
    return f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}", prefix


def key_prefix(key: str) -> str | None:
    """The lookup prefix of a user key, or None if the key is not in our format."""
    scheme, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != KEY_SCHEME or not prefix or not secret:
        return None
    return prefix


def hash_api_key(key: str) -> str:
    """``scrypt$N$r$p$salt$hash`` with a fresh random salt per key."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(key, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_api_key(key: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(key, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, bytes.fromhex(digest))


def is_service_key(presented: str, configured: str) -> bool:
    """Constant-time comparison; an unset service key never matches anything."""
    if not configured:
        return False
    return hmac.compare_digest(presented.encode(), configured.encode())


def _scrypt(key: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(key.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024)
