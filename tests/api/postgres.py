"""Fixture helpers for the referral tests: the API on a chosen database, API keys for
each role, a sample referral, and a throwaway PostgreSQL server the test run starts.

PostgreSQL: the binaries are looked for in /usr/lib/postgresql/*/bin and on PATH; as root,
if missing, Debian's ``postgresql`` package is installed. initdb and postgres refuse to
run as root, so as root the server runs as an unprivileged system user (``postgres`` if
it exists, else a ``pgtest`` user made for this), with its data directory and unix socket
in a private temporary directory, listening on 127.0.0.1 on a free port. The tests skip
only when not root and no binaries are installed; on CI (root) they always run.
"""

from __future__ import annotations

import atexit
import copy
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api import db
from api.cli import create_user
from api.core.config import get_settings
from tools.stack import free_port

SERVICE_KEY = "service-key-for-tests-" + secrets.token_hex(8)

# --------------------------------------------------------------------------- PostgreSQL


def _bin_dir() -> Path | None:
    def version(path: Path) -> int:
        return int(path.parent.name) if path.parent.name.isdigit() else 0

    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for candidate in candidates:
        if all((candidate / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return candidate
    return None


def _install_postgres() -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "postgresql"], check=True, env=env)


def _unprivileged_user() -> str:
    for name in ("postgres", "pgtest"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "pgtest"],
        check=True,
    )
    return "pgtest"


class PostgresServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.run_as = _unprivileged_user() if os.geteuid() == 0 else None
        self.root = Path(tempfile.mkdtemp(prefix="pgtest-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self._started = False

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> PostgresServer:
        password_file = self.root / "password"
        password_file.write_text(self.password)
        if self.run_as:
            user = pwd.getpwnam(self.run_as)
            for path in (self.root, password_file):
                os.chown(path, user.pw_uid, user.pw_gid)
        self.root.chmod(0o700)
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=scram-sha-256",
            f"--pwfile={password_file}", "--encoding=UTF8", "--no-locale",
        )  # fmt: skip
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -F"
        log_file = self.root / "server.log"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(log_file), "-o", options, "-w", "start")
        self._started = True
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        if self._started:
            self._started = False
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url("postgres", "postgresql"), autocommit=True)

    def new_database(self) -> str:
        name = f"test_{uuid.uuid4().hex[:12]}"
        with self._admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with self._admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_server: PostgresServer | None = None


def postgres_server() -> PostgresServer:
    """One server for the whole run (started on first use, stopped at exit)."""
    global _server
    if _server is None:
        bin_dir = _bin_dir()
        if bin_dir is None and os.geteuid() == 0:
            _install_postgres()
            bin_dir = _bin_dir()
        if bin_dir is None:
            pytest.skip("PostgreSQL is not installed and we are not root to install it")
        _server = PostgresServer(bin_dir).start()
    return _server


# --------------------------------------------------------------------------- the API


@dataclass
class Api:
    client: TestClient
    backend: str
    service: dict[str, str]
    staff: dict[str, str]
    admin: dict[str, str]

    def submit(self, payload: dict[str, Any]) -> Any:
        return self.client.post("/referrals", json=payload, headers=self.service)


@contextmanager
def running_api(
    monkeypatch: pytest.MonkeyPatch, database_url: str, backend: str, service_key: str = SERVICE_KEY
) -> Iterator[Api]:
    """The real app on ``database_url`` with one staff and one admin user."""
    nothing_here = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SERVICE_API_KEY", service_key)
    monkeypatch.setenv("RASA_URL", nothing_here)
    monkeypatch.setenv("ACTIONS_URL", nothing_here)
    monkeypatch.setenv("HEALTH_TIMEOUT_SECONDS", "1")
    # These tests make many failed calls on purpose; the limit has its own test.
    monkeypatch.setenv("AUTH_FAILURE_RATE_PER_CLIENT", "10000/minute")
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    from api.main import create_app

    try:
        staff_key = create_user("sam.staff", "staff")
        admin_key = create_user("ada.admin", "admin")
        with TestClient(create_app()) as client:
            yield Api(
                client=client,
                backend=backend,
                service={"Authorization": f"Bearer {service_key}"},
                staff={"Authorization": f"Bearer {staff_key}"},
                admin={"X-API-Key": admin_key},
            )
    finally:
        db.get_engine().dispose()
        get_settings.cache_clear()
        db.get_engine.cache_clear()


@contextmanager
def api_on(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, service_key: str = SERVICE_KEY
) -> Iterator[Api]:
    if backend == "sqlite":
        with running_api(
            monkeypatch, f"sqlite:///{tmp_path / 'api.db'}", backend, service_key
        ) as api:
            yield api
        return
    server = postgres_server()
    name = server.new_database()
    try:
        with running_api(monkeypatch, server.url(name), backend, service_key) as api:
            yield api
    finally:
        server.drop_database(name)


# --------------------------------------------------------------------------- a referral

# Personal values: the log test checks none of these ever reaches a log line.
PERSONAL = {
    "child_name": "Kayleigh Zebedee-Testchild",
    "child_dob": "2011-05-17",
    "address": "14 Quillfeather Road, Selly Oak, B29 7ZZ",
    "referrer_name": "Marjorie Plumtree",
    "referrer_phone": "07700 900123",
    "referrer_email": "marjorie.plumtree@example.org",
    "last_seen_with": "an older man called Yannick Voss",
    "clothing": "orange parka with a torn left sleeve",
}


def missing_child(**changes: Any) -> dict[str, Any]:
    """A complete missing-child referral; ``changes`` replace top-level sections."""
    payload: dict[str, Any] = {
        "idempotency_key": str(uuid.uuid4()),
        "kind": "missing_child",
        "referrer": {
            "name": PERSONAL["referrer_name"],
            "role": "foster_carer",
            "organisation": "not known",
            "phone": PERSONAL["referrer_phone"],
            "email": PERSONAL["referrer_email"],
        },
        "child": {
            "name": PERSONAL["child_name"],
            "date_of_birth": PERSONAL["child_dob"],
            "gender": "female",
            "address_or_placement": PERSONAL["address"],
            "looked_after": True,
            "responsible_local_authority": "Birmingham",
            "social_worker_known": "not known",
        },
        "episode": {
            "missing_since": "2026-01-10T21:30:00+00:00",
            "last_seen_where": "Selly Oak bus station",
            "last_seen_with": PERSONAL["last_seen_with"],
            "description_and_clothing": PERSONAL["clothing"],
        },
        "risk_indicators": {
            "more_than_2_episodes": True,
            "cse": True,
            "gang_affiliation": False,
            "substance_misuse": False,
            "mental_health": "not known",
            "peer_association": False,
            "troubled_family": False,
            "disability": False,
            "domestic_violence": False,
        },
        "actions_taken": {
            "searches_done": ["phoned and texted her", "searched the locality"],
            "police_informed": True,
            "police_reference": "not known",
        },
        "consent": {
            "family_told": True,
            "consent_to_share": True,
            "significant_harm_suspected": "not known",
        },
    }
    payload.update(copy.deepcopy(changes))
    return payload


def low_risk(**changes: Any) -> dict[str, Any]:
    """A referral with every indicator answered 'no' and a child not looked after."""
    payload = missing_child(**changes)
    payload["child"]["looked_after"] = False
    payload["risk_indicators"] = {name: False for name in payload["risk_indicators"]}
    payload["consent"]["significant_harm_suspected"] = False
    return payload
