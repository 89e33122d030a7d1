"""A licence holder's concern: partial registrations, anonymity, and the route."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.licence_concern import build_concern_payload, route, vehicles
from actions.referral_fields import NOT_KNOWN


def test_partial_registrations_count() -> None:
    assert vehicles("silver Ford Focus, AB12 C??") == [
        {"description": "silver Ford Focus", "registration": "AB12 C??"}
    ]
    assert vehicles("black taxi, didn't see the plate") == [
        {"description": "black taxi, didn't see the plate", "registration": NOT_KNOWN}
    ]
    assert vehicles("none") == []


def test_anonymous_concern_carries_no_identity() -> None:
    slots = {"concern_key": "k", "concern_anonymous": True, "concern_what_seen": "x",
             "concern_name": "should not be sent"}
    payload = build_concern_payload(Tracker("s", slots, {}, [], False, None, {}, ""))
    assert payload["kind"] == "licence_holder_concern"
    assert payload["referrer"] == {"anonymous": True, "role": "other", "organisation": NOT_KNOWN}


def test_route_names_999_101_the_licensing_team_and_crimestoppers() -> None:
    text = route()
    for fact in ("999", "101", "0121 303 9611", "licensing@birmingham.gov.uk", "0800 555 111"):
        assert fact in text
