"""Referral routes on the real app, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import db
from api.models import Referral as ReferralRow
from api.schemas import TRIAGE_LABEL
from tests.api.postgres import PERSONAL, Api, api_on, low_risk, missing_child

REFERENCE = re.compile(r"^MR-(\d{4})-\d{6}$")


@pytest.fixture(params=["sqlite", "postgresql"])
def api(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Api]:
    with api_on(request.param, tmp_path, monkeypatch) as running:
        yield running


def _rows() -> int:
    with Session(db.get_engine()) as session:
        return session.scalar(select(func.count()).select_from(ReferralRow)) or 0


def _submitted(api: Api, payload: dict[str, Any] | None = None) -> str:
    response = api.submit(payload or missing_child())
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def _audit(api: Api, reference: str | None = None) -> list[dict[str, Any]]:
    params = {"reference": reference} if reference else {}
    response = api.client.get("/audit", params=params, headers=api.admin)
    assert response.status_code == 200, response.text
    return response.json()["items"]


# --------------------------------------------------------------------------- schema


def test_schema_is_public_and_lets_every_field_be_not_known(api: Api) -> None:
    response = api.client.get("/referrals/schema")
    assert response.status_code == 200
    schema = response.json()
    assert "idempotency_key" in schema["required"]
    child = schema["$defs"]["Child"]["properties"]
    assert {"const": "not known", "type": "string"} in child["looked_after"]["anyOf"]
    assert set(schema["$defs"]["RiskIndicators"]["properties"]) >= {
        "more_than_2_episodes", "cse", "gang_affiliation", "substance_misuse", "mental_health",
        "peer_association", "troubled_family", "disability", "domestic_violence",
    }  # fmt: skip
    # The OpenAPI document is off by default (tests/api/test_hardening.py); built, it
    # still has the referral models in it.
    assert "/referrals/{reference}/print" in api.client.app.openapi()["paths"]


# --------------------------------------------------------------------------- submit


def test_submit_answers_201_with_reference_triage_and_status(api: Api) -> None:
    response = api.submit(missing_child())
    assert response.status_code == 201, response.text
    body = response.json()
    match = REFERENCE.match(body["reference"])
    assert match and int(match.group(1)) == dt.datetime.now(dt.UTC).year
    assert body["status"] == "received"
    assert body["triage"]["level"] == "red"
    assert body["triage"]["label"] == TRIAGE_LABEL == "Suggestion for MASH, not a decision"
    codes = {reason["code"] for reason in body["triage"]["reasons"]}
    assert {"cse", "several_indicators", "indicators_not_known"} <= codes
    assert all(reason["source"] for reason in body["triage"]["reasons"])
    assert "strategy meeting is held within 4 hours" in body["triage"]["if_mash_agrees"]


def test_references_are_unique_and_sequential(api: Api) -> None:
    first, second = _submitted(api), _submitted(api)
    assert first != second
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


def test_resubmission_returns_the_same_referral_and_stores_one_row(api: Api) -> None:
    payload = missing_child()
    first = api.submit(payload)
    again = api.submit(payload)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert _rows() == 1


def test_same_idempotency_key_with_a_different_body_is_refused(api: Api) -> None:
    payload = missing_child()
    assert api.submit(payload).status_code == 201
    payload["episode"]["last_seen_where"] = "somewhere else"
    response = api.submit(payload)
    assert response.status_code == 409
    assert "idempotency_key" in response.json()["detail"]
    assert _rows() == 1


def _fields(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {error["field"]: error["msg"] for error in response.json()["detail"]}


def test_invalid_input_is_422_naming_each_field(api: Api) -> None:
    payload = missing_child()
    payload["referrer"]["phone"] = "12345"
    payload["referrer"]["email"] = "marjorie-at-example"
    payload["child"]["date_of_birth"] = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    payload["episode"]["missing_since"] = "2026-01-10T21:30:00"  # no time zone
    payload["risk_indicators"]["cse"] = "maybe"
    payload["child"]["favourite_colour"] = "blue"
    response = api.submit(payload)
    fields = _fields(response)
    assert "UK phone number" in fields["referrer.phone"]
    assert "e-mail" in fields["referrer.email"]
    assert "in the future" in fields["child.date_of_birth"]
    assert "timezone" in fields["episode.missing_since"]
    assert "not known" in fields["risk_indicators.cse"]
    assert "child.favourite_colour" in fields
    # What was submitted (personal data) is not echoed back.
    assert PERSONAL["child_name"] not in response.text
    assert "marjorie-at-example" not in response.text
    assert _rows() == 0


@pytest.mark.parametrize(
    ("child", "message"),
    [
        ({"age": 18, "date_of_birth": None}, "under-18s"),
        ({"date_of_birth": "2000-01-01"}, "under-18s"),
        ({"date_of_birth": None}, "date of birth or the age"),
        ({"name": "   "}, "blank"),
    ],
)
def test_child_rules(api: Api, child: dict[str, Any], message: str) -> None:
    payload = missing_child()
    payload["child"].update(child)
    payload["child"] = {k: v for k, v in payload["child"].items() if v is not None}
    fields = _fields(api.submit(payload))
    assert any(message in msg and field.startswith("child.") for field, msg in fields.items())


def test_not_known_is_an_answer_but_a_missing_field_is_not(api: Api) -> None:
    payload = missing_child()
    payload["child"]["gender"] = "Not Known"
    assert api.submit(payload).status_code == 201
    payload = missing_child()
    del payload["child"]["gender"]
    assert "child.gender" in _fields(api.submit(payload))


def test_sections_required_by_kind(api: Api) -> None:
    payload = missing_child()
    del payload["episode"]
    assert "episode" in _fields(api.submit(payload))


def test_referrer_must_be_reachable_unless_an_anonymous_licence_holder(api: Api) -> None:
    payload = missing_child()
    del payload["referrer"]["phone"], payload["referrer"]["email"]
    assert "referrer.phone" in _fields(api.submit(payload))

    payload = missing_child()
    payload["referrer"] = {"anonymous": True, "role": "other", "organisation": "not known"}
    assert "referrer.anonymous" in _fields(api.submit(payload))

    licence = {
        "idempotency_key": str(uuid.uuid4()),
        "kind": "licence_holder_concern",
        "referrer": {"anonymous": True, "role": "other", "organisation": "a city hotel"},
        "licence_holder": {
            "what_seen": "a girl who looked about 14 taken to a room by two adults",
            "where": "hotel reception",
            "when": "2026-01-09T23:10:00+00:00",
            "apparent_age": "about 14",
            "adults_description": "two men in their 30s",
            "vehicles": [{"description": "silver saloon", "registration": "bd5? x*"}],
        },
    }
    response = api.submit(licence)
    assert response.status_code == 201, response.text
    assert response.json()["triage"]["level"] == "red"
    reference = response.json()["reference"]
    stored = api.client.get(f"/referrals/{reference}", headers=api.staff).json()["referral"]
    assert stored["licence_holder"]["vehicles"][0]["registration"] == "BD5? X*"


def test_consent_is_needed_unless_significant_harm_is_suspected(api: Api) -> None:
    payload = missing_child()
    payload["consent"] = {
        "family_told": False,
        "family_not_told_reason": "the family may be involved",
        "consent_to_share": False,
        "significant_harm_suspected": False,
    }
    assert "consent.consent_to_share" in _fields(api.submit(payload))
    payload["consent"]["significant_harm_suspected"] = True
    payload["idempotency_key"] = str(uuid.uuid4())
    assert api.submit(payload).status_code == 201


# --------------------------------------------------------------------------- read


def test_read_returns_the_referral_with_triage_and_labels(api: Api) -> None:
    reference = _submitted(api)
    response = api.client.get(f"/referrals/{reference}", headers=api.staff)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["referral"]["child"]["name"] == PERSONAL["child_name"]
    assert body["referral"]["child"]["social_worker_known"] == "not known"
    assert "idempotency_key" not in body["referral"]
    assert body["triage"]["label"] == TRIAGE_LABEL
    missing = "/referrals/MR-2026-999999"
    assert api.client.get(missing, headers=api.staff).status_code == 404
    patch = api.client.patch(missing, json={"status": "in_progress"}, headers=api.staff)
    assert patch.status_code == 404
    trail = _audit(api, "MR-2026-999999")
    assert [(e["action"], e["details"]) for e in reversed(trail)] == [
        ("referral.read", {"found": False}),
        ("referral.status_refused", {"found": False}),
    ]
    assert api.client.get("/referrals/not-a-reference", headers=api.staff).status_code == 422


def test_list_filters_by_status_triage_and_date_and_holds_no_personal_data(api: Api) -> None:
    red = _submitted(api)
    green = _submitted(api, low_risk())
    api.client.patch(f"/referrals/{red}", json={"status": "in_progress"}, headers=api.staff)

    def refs(**params: str) -> list[str]:
        response = api.client.get("/referrals", params=params, headers=api.staff)
        assert response.status_code == 200, response.text
        assert PERSONAL["child_name"] not in response.text
        return [item["reference"] for item in response.json()["items"]]

    assert refs() == [green, red]  # newest first
    assert refs(status="in_progress") == [red]
    assert refs(triage="green") == [green]
    today = dt.date.today()
    assert refs(created_from=(today - dt.timedelta(days=1)).isoformat()) == [green, red]
    assert refs(created_to=(today - dt.timedelta(days=2)).isoformat()) == []
    assert refs(created_from=(today + dt.timedelta(days=2)).isoformat()) == []
    assert api.client.get("/referrals?status=lost", headers=api.staff).status_code == 422


# --------------------------------------------------------------------------- status


def test_status_moves_forward_only_and_records_who_and_when(api: Api) -> None:
    reference = _submitted(api)
    url = f"/referrals/{reference}"
    assert api.client.patch(url, json={"status": "closed"}, headers=api.staff).status_code == 409
    response = api.client.patch(url, json={"status": "in_progress"}, headers=api.staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["status_changed_by"] == "sam.staff"
    changed = dt.datetime.fromisoformat(body["status_changed_at"])
    assert abs(dt.datetime.now(dt.UTC) - changed) < dt.timedelta(minutes=1)
    assert (
        api.client.patch(url, json={"status": "in_progress"}, headers=api.staff).status_code == 409
    )
    assert api.client.patch(url, json={"status": "received"}, headers=api.admin).status_code == 409
    closed = api.client.patch(url, json={"status": "closed"}, headers=api.admin)
    assert closed.json()["status"] == "closed"
    assert closed.json()["status_changed_by"] == "ada.admin"
    refused = api.client.patch(url, json={"status": "in_progress"}, headers=api.staff)
    assert refused.status_code == 409
    assert "closed" in refused.json()["detail"]
    assert api.client.patch(url, json={"status": "done"}, headers=api.staff).status_code == 422


# --------------------------------------------------------------------------- export, print


def test_export_json_is_a_complete_download(api: Api) -> None:
    reference = _submitted(api)
    response = api.client.get(f"/referrals/{reference}/export.json", headers=api.staff)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="{reference}.json"'
    body = response.json()
    assert body["reference"] == reference
    assert body["exported_by"] == "sam.staff"
    assert body["referral"]["episode"]["description_and_clothing"] == PERSONAL["clothing"]
    assert body["triage"]["label"] == TRIAGE_LABEL


def test_print_page_escapes_everything_and_loads_nothing(api: Api) -> None:
    payload = missing_child()
    payload["child"]["name"] = '<script>alert("x")</script>'
    payload["episode"]["last_seen_where"] = "<img src=x onerror=alert(1)>"
    reference = _submitted(api, payload)
    response = api.client.get(f"/referrals/{reference}/print", headers=api.staff)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = response.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<script" not in page and "<img" not in page
    # No tag loads anything (the escaped text may say "src=", a tag may not).
    assert not re.search(r"<[^>]*\b(src|href|action)=|@import|url\(", page)
    assert TRIAGE_LABEL in page
    assert "<em>Not known</em>" in page
    assert "10 January 2026, 21:30 (Europe/London)" in page


# --------------------------------------------------------------------------- audit


def test_every_read_and_change_is_audited(api: Api) -> None:
    reference = _submitted(api)
    url = f"/referrals/{reference}"
    api.client.get(url, headers=api.staff)
    api.client.get("/referrals", headers=api.staff)
    api.client.patch(url, json={"status": "in_progress"}, headers=api.staff)
    api.client.patch(url, json={"status": "received"}, headers=api.staff)
    api.client.get(f"{url}/export.json", headers=api.admin)
    api.client.get(f"{url}/print", headers=api.staff)
    api.submit(missing_child())  # another referral: not in this referral's trail

    trail = list(reversed(_audit(api, reference)))
    assert [(e["action"], e["actor"]) for e in trail] == [
        ("referral.created", "service:action-server"),
        ("referral.read", "sam.staff"),
        ("referral.status_changed", "sam.staff"),
        ("referral.status_refused", "sam.staff"),
        ("referral.exported", "ada.admin"),
        ("referral.printed", "sam.staff"),
    ]
    assert trail[2]["details"] == {"from": "received", "to": "in_progress"}
    assert all(dt.datetime.fromisoformat(e["at"]).tzinfo for e in trail)

    everything = _audit(api)
    actions = [e["action"] for e in everything]
    assert "referral.listed" in actions
    assert actions[0] == "audit.read"  # reading the audit is audited too
    assert PERSONAL["child_name"] not in str(everything)


# --------------------------------------------------------------------------- auth

REF = "MR-2026-000001"
ROUTES = [
    ("POST", "/referrals"),
    ("GET", "/referrals"),
    ("GET", f"/referrals/{REF}"),
    ("PATCH", f"/referrals/{REF}"),
    ("GET", f"/referrals/{REF}/export.json"),
    ("GET", f"/referrals/{REF}/print"),
    ("GET", "/audit"),
]
ALLOWED = {
    "service": {"POST /referrals"},
    "staff": {f"{m} {p}" for m, p in ROUTES if p != "/audit" and m != "POST"},
    "admin": {f"{m} {p}" for m, p in ROUTES if m != "POST"},
}


def _call(api: Api, method: str, path: str, headers: dict[str, str]) -> Any:
    body = missing_child() if method == "POST" else {"status": "in_progress"}
    json = body if method in ("POST", "PATCH") else None
    return api.client.request(method, path, json=json, headers=headers)


def test_no_or_wrong_credentials_are_401_on_every_route(api: Api) -> None:
    for method, path in ROUTES:
        for headers in (
            {},
            {"Authorization": "Bearer nonsense"},
            {"X-API-Key": "mca_abcdefgh_not-the-secret"},
            {"Authorization": "Basic c2FtOnNhbQ=="},
        ):
            response = _call(api, method, path, headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
    assert _rows() == 0


def test_wrong_role_is_403_on_every_route(api: Api) -> None:
    for role in ("service", "staff", "admin"):
        for method, path in ROUTES:
            response = _call(api, method, path, getattr(api, role))
            if f"{method} {path}" in ALLOWED[role]:
                assert response.status_code not in (401, 403), (role, method, path)
            else:
                assert response.status_code == 403, (role, method, path, response.text)


def test_both_header_forms_work(api: Api) -> None:
    key = api.staff["Authorization"].removeprefix("Bearer ")
    assert api.client.get("/referrals", headers={"X-API-Key": key}).status_code == 200
    assert (
        api.client.get("/referrals", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    )


def test_referral_intake_is_refused_not_open_without_a_service_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with api_on("sqlite", tmp_path, monkeypatch, service_key="") as api:
        for headers in ({}, {"Authorization": "Bearer "}, api.admin):
            response = api.client.post("/referrals", json=missing_child(), headers=headers)
            assert response.status_code == 503
            assert "SERVICE_API_KEY" in response.json()["detail"]
        assert _rows() == 0
        # Staff routes are unaffected.
        assert api.client.get("/referrals", headers=api.staff).status_code == 200
