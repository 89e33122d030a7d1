"""How the referral form reads answers: every re-prompt case and "not known"."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from actions.referral import build_payload, read_answer
from actions.referral_fields import (
    NOT_KNOWN,
    AdultError,
    FieldError,
    contact,
    dob_or_age,
    missing_since,
    risk_indicators,
)
from missing_clock import LONDON

TODAY = date(2026, 11, 22)


def test_contact_accepts_uk_phone_and_email() -> None:
    assert contact("07700 900123") == {"phone": "07700900123"}
    assert contact("jo@example.org, 0121 303 1888") == {
        "email": "jo@example.org", "phone": "01213031888",
    }
    with pytest.raises(FieldError, match="UK phone number"):
        contact("ring me")


def test_age_and_date_of_birth() -> None:
    assert dob_or_age("14", TODAY) == {"age": 14}
    assert dob_or_age("aged 9", TODAY) == {"age": 9}
    assert dob_or_age("12/03/2011", TODAY) == {"date_of_birth": "2011-03-12"}


def test_future_date_of_birth_is_asked_again() -> None:
    with pytest.raises(FieldError, match="in the future"):
        dob_or_age("01/01/2030", TODAY)


@pytest.mark.parametrize("answer", ["18", "19 years old", "01/01/2000"])
def test_adults_are_explained_not_referred(answer: str) -> None:
    with pytest.raises(AdultError, match="under 18"):
        dob_or_age(answer, TODAY)


def test_missing_since_uses_the_clock_parser_and_refuses_the_future() -> None:
    now = datetime(2026, 11, 22, 20, 0, tzinfo=LONDON)
    assert missing_since("50 hours ago", now) == "2026-11-20T18:00:00+00:00"
    with pytest.raises(FieldError, match="later than now"):
        missing_since("tomorrow at 9pm", now)


def test_risk_indicators_named_none_and_not_known() -> None:
    named = risk_indicators("CSE and drugs, and he's run off lots of times")
    assert named["cse"] is True and named["substance_misuse"] is True
    assert named["more_than_2_episodes"] is True
    assert named["domestic_violence"] == NOT_KNOWN
    assert set(risk_indicators("none").values()) == {False}
    assert set(risk_indicators("not known").values()) == {NOT_KNOWN}
    with pytest.raises(FieldError):
        risk_indicators("purple")


@pytest.mark.parametrize("slot", ["child_name", "child_gender", "police_informed", "risks"])
def test_every_question_accepts_not_known(slot: str) -> None:
    value = read_answer(slot, "not_known", "/not_known")
    assert value == NOT_KNOWN or set(value.values()) == {NOT_KNOWN}


def test_contact_cannot_be_not_known() -> None:
    with pytest.raises(FieldError, match="call you back"):
        read_answer("referrer_contact", "not_known", "not known")


def test_roles_from_buttons_and_words() -> None:
    assert read_answer("referrer_role", None, "Foster carer") == "foster_carer"
    assert read_answer("referrer_role", None, "I'm his mum") == "parent"
    assert read_answer("referrer_role", None, "youth worker") == "other"


def test_payload_fills_gaps_with_not_known() -> None:
    from rasa_sdk import Tracker

    slots = {"referral_key": "0b7c2d5e-2a61-4d0e-9e0e-3f8f2c6a1d11", "child_name": "A",
             "referrer_contact": {"phone": "07700900123"}, "police_informed": False,
             "searches_done": ["searched the local area"]}
    tracker = Tracker("x", slots, {}, [], False, None, {}, "")
    payload = build_payload(tracker)
    assert payload["child"]["name"] == "A"
    assert payload["child"]["gender"] == NOT_KNOWN
    assert payload["referrer"]["phone"] == "07700900123"
    assert payload["actions_taken"] == {
        "searches_done": ["searched the local area"], "police_informed": False,
        "police_reference": None,
    }
