"""What only a real PostgreSQL server can show: concurrent submissions and row locks.

The route tests in test_referrals.py also run on PostgreSQL (their ``api`` fixture is
parametrised over both databases).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from api import db
from api.models import Referral as ReferralRow
from tests.api.postgres import api_on, missing_child, postgres_server


def test_postgres_tests_never_skip_as_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("only root is guaranteed a PostgreSQL server")
    server = postgres_server()  # would install the package if it were missing
    assert server.run_as is not None  # initdb refuses root: an unprivileged user runs it


def test_concurrent_resubmissions_make_one_referral(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with api_on("postgresql", tmp_path, monkeypatch) as api:
        assert db.get_engine().dialect.name == "postgresql"
        payload = missing_child()
        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(pool.map(lambda _: api.submit(payload), range(8)))
        assert sorted(r.status_code for r in responses).count(201) == 1
        assert {r.json()["reference"] for r in responses} == {responses[0].json()["reference"]}
        with Session(db.get_engine()) as session:
            assert session.scalar(select(func.count()).select_from(ReferralRow)) == 1


def test_concurrent_status_changes_move_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with api_on("postgresql", tmp_path, monkeypatch) as api:
        reference = api.submit(missing_child()).json()["reference"]
        url = f"/referrals/{reference}"
        with ThreadPoolExecutor(max_workers=6) as pool:
            codes = list(
                pool.map(
                    lambda _: (
                        api.client.patch(
                            url, json={"status": "in_progress"}, headers=api.staff
                        ).status_code
                    ),
                    range(6),
                )
            )
        assert sorted(codes) == [200] + [409] * 5


def test_migration_makes_timezone_aware_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with api_on("postgresql", tmp_path, monkeypatch):
        columns = {c["name"]: c for c in inspect(db.get_engine()).get_columns("referrals")}
        assert columns["created_at"]["type"].timezone is True
        assert str(columns["body"]["type"]) == "JSON"
