"""The referral's question table, read through the questionnaire engine."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.answers import NOT_KNOWN
from actions.questionnaire import AdultError, listen, read
from actions.referral import TABLE, build_payload
from missing_clock import LONDON

NOW = datetime(2026, 11, 22, 20, 0, tzinfo=LONDON)


def answer(slot: str, text: str) -> Any:
    question = TABLE.question(slot)
    assert question is not None, slot
    return read(question, text, NOW)


@pytest.mark.parametrize(
    ("slot", "text", "value"),
    [
        ("referrer_name", "My name is Sandra Okafor.", "Sandra Okafor"),
        ("referrer_role", "I'm her foster carer.", "foster_carer"),
        ("referrer_role", "I'm his mum", "parent"),
        ("referrer_role", "I'm the designated safeguarding lead.", "teacher"),
        ("referrer_role", "youth worker", "other"),
        ("referrer_role", "Foster carer", "foster_carer"),
        ("referrer_contact", "You can email me at dsl@example.org", {"email": "dsl@example.org"}),
        ("child_name", "Her name is Chloe Mason.", "Chloe Mason"),
        ("child_dob_or_age", "she's 14, born in March 2012", {"age": 14}),
        ("child_dob_or_age", "12th of May 2012", {"date_of_birth": "2012-05-12"}),
        ("child_gender", "She's a girl.", "female"),
        ("child_looked_after", "yes, she's looked after by Birmingham", True),
        ("child_looked_after", "No, she lives at home with her mum and stepdad.", False),
        ("social_worker_known", "Her social worker is Jo Patel, I left her a voicemail", True),
        ("social_worker_known", "She doesn't have a social worker at the moment", False),
        ("missing_since", "About half past eight last night, she went out after tea.",
         "2026-11-21T20:30:00+00:00"),
        ("missing_since", "50 hours ago", "2026-11-20T18:00:00+00:00"),
        ("last_seen_with", "no idea to be honest", NOT_KNOWN),
        ("police_informed", "yes I rang 101, the log number is 1234", True),
        ("police_informed", "No, as far as I know nobody has reported her to the police.",
         False),
        ("police_reference", "I don't have the log number", NOT_KNOWN),
        ("family_told", "Her mum knows we're making the referral and she's agreed to it.",
         True),
        ("consent_to_share", "Her mum knows, and she's happy for me to do this.", True),
        ("harm_suspected", "I'm not sure, sorry.", NOT_KNOWN),
    ],
)
def test_natural_answers(slot: str, text: str, value: Any) -> None:
    assert answer(slot, text) == value


def test_risks_named_in_a_sentence_none_and_not_known() -> None:
    named = answer("risks", "CSE and drugs, and he's run off lots of times")
    assert named["cse"] is True and named["substance_misuse"] is True
    assert named["more_than_2_episodes"] is True
    assert named["domestic_violence"] == NOT_KNOWN
    assert set(answer("risks", "none").values()) == {False}
    assert set(answer("risks", "not known").values()) == {NOT_KNOWN}
    assert answer("risks", "purple") is None


@pytest.mark.parametrize("text", ["18", "19 years old", "01/01/2000"])
def test_adults_are_explained_not_referred(text: str) -> None:
    with pytest.raises(AdultError):
        answer("child_dob_or_age", text)


def test_a_time_later_than_now_is_no_answer() -> None:
    assert answer("missing_since", "tomorrow at 9pm") is None


def test_contact_is_never_not_known() -> None:
    assert answer("referrer_contact", "not known") is None


@pytest.mark.parametrize("slot", ["child_name", "child_gender", "police_informed", "risks",
                                  "child_dob_or_age", "missing_since", "child_school"])
def test_every_other_question_accepts_not_known(slot: str) -> None:
    value = answer(slot, "not known")
    assert value == NOT_KNOWN or set(value.values()) == {NOT_KNOWN}


def test_answers_given_in_passing_are_heard() -> None:
    first = ("I'm a foster carer and I'd like to make a referral to MASH please. The girl I "
             "look after didn't come back last night.")
    heard = {q.slot: listen(q, first, NOW) for q in TABLE.questions if q.listen}
    assert heard["referrer_role"] == "foster_carer"
    assert heard["child_looked_after"] is True
    assert heard["missing_since"] == "2026-11-21T22:00:00+00:00"
    assert heard["child_dob_or_age"] is None
    school = "A Year 9 girl hasn't been in school for three days, she's 14"
    role = TABLE.question("referrer_role")
    assert role is not None and listen(role, school, NOW) is None


def test_payload_fills_gaps_with_not_known() -> None:
    slots = {"referral_key": "0b7c2d5e-2a61-4d0e-9e0e-3f8f2c6a1d11", "child_name": "A",
             "referrer_contact": {"phone": "07700900123"}, "police_informed": False,
             "searches_done": ["searched the local area"],
             "child_gender": {"as_written": "prefer not to say"}, "family_told": False,
             "family_not_told_reason": "it would put her at risk"}
    payload = build_payload(Tracker("x", slots, {}, [], False, None, {}, ""))
    assert payload["child"]["name"] == "A"
    assert payload["child"]["gender"] == "prefer not to say"
    assert payload["child"]["looked_after"] == NOT_KNOWN
    assert payload["referrer"]["phone"] == "07700900123"
    assert payload["actions_taken"] == {
        "searches_done": ["searched the local area"], "police_informed": False,
        "police_reference": None,
    }
    assert payload["consent"]["family_not_told_reason"] == "it would put her at risk"
    assert set(payload["risk_indicators"].values()) == {NOT_KNOWN}


def referral_turn(slots: dict[str, Any], requested: str, text: str,
                  intent: str = "inform") -> tuple[dict[str, Any], list[str]]:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    from actions.referral import ValidateReferralForm

    state = Tracker(
        "s", {"referral_key": "k", "audience": "carer", "requested_slot": requested, **slots},
        {"text": text, "intent": {"name": intent}, "entities": []},
        [], False, None, {"name": "referral_form"}, "referral_form",
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateReferralForm().run(dispatcher, state, {}))
    return {e["name"]: e["value"] for e in events}, [m["text"] for m in dispatcher.messages]


def test_yes_with_more_words_prefills_the_next_question() -> None:
    slots, said = referral_turn({}, "child_looked_after", "yes, Birmingham City Council")
    assert slots["child_looked_after"] is True
    assert slots["questionnaire_prefill"]["child_local_authority"] == "Birmingham City Council"
    assert said == []
    slots, _ = referral_turn({"child_looked_after": True,
                              "questionnaire_prefill": {"child_local_authority": "Sandwell"}},
                             "child_local_authority",
                             "Yes, that's all correct, please go ahead and send it.")
    assert slots["child_local_authority"] == "Sandwell"


def test_police_told_with_a_log_number() -> None:
    slots, _ = referral_turn({}, "police_informed",
                             "yes I rang 101, the log number is 1234")
    assert slots["police_informed"] is True
    assert slots["questionnaire_prefill"]["police_reference"] == "1234"


def test_a_name_the_classifier_calls_a_crisis_is_just_a_name() -> None:
    slots, said = referral_turn({}, "referrer_name", "My name is Sandra Okafor.", "crisis")
    assert slots["referrer_name"] == "Sandra Okafor"
    assert said == []


def test_stop_leaves_the_referral() -> None:
    slots, _ = referral_turn({}, "child_name", "stop")
    assert slots["questionnaire_stopped"] == "referral_form"
    assert slots["requested_slot"] is None


def test_no_changes_needed_means_send() -> None:
    slots, _ = referral_turn({}, "referral_confirmed",
                             "No changes needed, it's all correct, please send it.")
    assert slots["referral_confirmed"] is True
