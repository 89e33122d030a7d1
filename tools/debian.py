"""Debian programs the stack or the tests need (redis-server, nginx), installed when
missing if we are root, as tests/api/postgres.py does for PostgreSQL.

Installing a Debian server package normally starts its system service at once: Debian's
redis-server on 127.0.0.1:6379 without a password, nginx's default site on every
address's port 80. Neither may run here (Redis always needs a password, and nothing but
the API faces people), and we start our own instances with our own configuration. So
the install runs with a policy-rc.d that forbids starting services (the interface
Debian's maintainer scripts ask before they start one: exit 101 means "not now"), and
on a machine booted with systemd the units are disabled afterwards so that a reboot does
not start them either.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
SBIN = ("/usr/sbin", "/usr/bin", "/sbin", "/bin")


class MissingProgram(RuntimeError):
    """A program is not installed and we are not root to install it."""


def find(program: str) -> Path | None:
    # /usr/sbin is not on every user's PATH, and nginx lives there.
    found = shutil.which(program) or shutil.which(program, path=os.pathsep.join(SBIN))
    return Path(found) if found else None


@contextlib.contextmanager
def services_not_started() -> Iterator[None]:
    if POLICY_RC_D.exists():  # a container's own policy (usually the same: exit 101)
        yield
        return
    POLICY_RC_D.write_text("#!/bin/sh\n# written by tools/debian.py during an install\nexit 101\n")
    POLICY_RC_D.chmod(0o755)
    try:
        yield
    finally:
        POLICY_RC_D.unlink(missing_ok=True)


def ensure(program: str, package: str, units: tuple[str, ...] = ()) -> Path:
    """The path of `program`, installing Debian's `package` first if it is missing."""
    path = find(program)
    if path is not None:
        return path
    if os.geteuid() != 0:
        raise MissingProgram(f"{program} is not installed: run  sudo apt-get install -y "
                             f"{package}  (or run this as root, which installs it)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with services_not_started():
        subprocess.run(["apt-get", "update"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", package],
                       check=True, env=env)
    if units and Path("/run/systemd/system").is_dir():
        subprocess.run(["systemctl", "disable", "--now", *units], check=False)
    path = find(program)
    if path is None:
        raise MissingProgram(f"{program} is still missing after installing {package}")
    return path


def redis_server() -> Path:
    return ensure("redis-server", "redis-server", ("redis-server.service",))


def nginx() -> Path:
    return ensure("nginx", "nginx", ("nginx.service",))
