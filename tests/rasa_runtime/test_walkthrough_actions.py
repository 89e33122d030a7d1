"""The search walkthrough's validation and summary, with real trackers."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.walkthrough import (
    ASK_STEP_ACTIONS,
    ActionWalkthroughSummary,
    ValidateSearchWalkthroughForm,
    report_reply,
)
from actions.walkthrough_steps import load_walkthrough
from tools.paths import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
DOMAIN = {
    "forms": {
        "search_walkthrough_form": {
            "required_slots": [
                "immediate_danger", "looked_after",
                *(step.slot for step in load_walkthrough().steps),
            ]
        }
    }
}


def tracker(
    slots: dict[str, Any], intent: str, requested: str | None,
    latest_action: str = "search_walkthrough_form",
) -> Tracker:
    return Tracker(
        "carer", {**slots, "requested_slot": requested},
        {"intent": {"name": intent}, "entities": [], "text": ""}, [], False, None,
        {"name": "search_walkthrough_form"}, latest_action,
    )


def validate(
    slots: dict[str, Any], intent: str, requested: str | None,
    latest_action: str = "search_walkthrough_form",
) -> dict[str, Any]:
    events = asyncio.run(
        ValidateSearchWalkthroughForm().run(
            CollectingDispatcher(), tracker(slots, intent, requested, latest_action), DOMAIN
        )
    )
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_an_answer_is_taken_once_not_again_by_slot_extraction() -> None:
    # Rasa also calls the validation from action_extract_slots (latest action is then
    # action_listen); taking the answer there too would skip the next question.
    assert validate({}, "deny", "immediate_danger", latest_action="action_listen") == {}
    assert validate({}, "deny", "immediate_danger")["immediate_danger"] is False


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).lower()


def test_every_step_is_worded_as_in_the_guidance() -> None:
    seed = normalise((SEEDS / "000_62c70a9be4e01631.txt").read_text(encoding="utf-8"))
    steps = load_walkthrough().steps
    assert len(steps) == 10
    for step in steps:
        seed_phrase = normalise(step_seed(step.slot))
        assert seed_phrase in seed, step.slot


def step_seed(slot: str) -> str:
    import yaml

    data = yaml.safe_load((ROOT / "guidance_corpus" / "walkthrough.yml").read_text())
    return next(s["seed"] for s in data["steps"] if s["slot"] == slot)


def test_danger_first_then_looked_after_then_steps() -> None:
    assert validate({}, "deny", "immediate_danger") == {
        "immediate_danger": False, "requested_slot": "looked_after",
    }
    slots = validate({"immediate_danger": False}, "deny", "looked_after")
    assert slots == {"looked_after": False, "requested_slot": "step_reason"}


def test_yes_to_danger_ends_the_walkthrough() -> None:
    assert validate({}, "affirm", "immediate_danger") == {
        "immediate_danger": True, "requested_slot": None,
    }


def test_report_now_ends_the_walkthrough_from_any_step() -> None:
    slots = {"immediate_danger": False, "looked_after": True, "step_reason": "done"}
    result = validate(slots, "report_now", "step_contact")
    assert result["walkthrough_report_now"] is True
    assert result["requested_slot"] is None


def test_parent_gets_six_steps_looked_after_child_gets_ten() -> None:
    base = {"immediate_danger": False, "looked_after": False}
    done = {step.slot: "done" for step in load_walkthrough().steps_for(False)}
    assert validate({**base, **done}, "step_done", "step_education")["requested_slot"] is None
    lac = {**base, "looked_after": True, **done}
    remaining = asyncio.run(
        ValidateSearchWalkthroughForm().required_slots(
            [], CollectingDispatcher(), tracker(lac, "step_done", "step_education"), DOMAIN
        )
    )
    assert [slot for slot in remaining if slot not in lac] == [
        "step_relatives", "step_other_homes", "step_professionals", "step_on_call_manager",
    ]


def test_ticked_steps_are_kept_for_the_referral() -> None:
    slots = {"immediate_danger": False, "looked_after": False, "step_reason": "done",
             "step_contact": "couldnt"}
    result = validate(slots, "step_done", "step_locality")
    assert result["step_locality"] == "done"
    assert result["searches_done"] == [
        "thought about the likely reason and intentions", "searched the local area",
    ]


def test_unrelated_message_fills_nothing() -> None:
    slots = {"immediate_danger": False, "looked_after": False}
    assert validate(slots, "greet", "step_reason") == {"requested_slot": "step_reason"}


def test_step_question_numbers_steps_and_offers_report_now() -> None:
    ask = ASK_STEP_ACTIONS["step_places"]()
    dispatcher = CollectingDispatcher()
    ask.run(dispatcher, tracker({"looked_after": True}, "step_done", "step_places"), {})
    [message] = dispatcher.messages
    assert message["text"].startswith("Step 4 of 10: Check the places")
    assert [b["title"] for b in message["buttons"]] == ["Done", "Couldn't", "Skip", "Report now"]


@pytest.mark.parametrize("in_office_hours", [True, False])
def test_looked_after_route_names_police_social_worker_and_edt_out_of_hours(
    in_office_hours: bool,
) -> None:
    text = report_reply(looked_after=True, in_office_hours=in_office_hours)
    assert "999" in text and "101" in text
    assert "social worker" in text
    assert "Vulnerable" not in text or "photo" in text
    assert ("0121 675 4806" in text) is (not in_office_hours)
    assert "does not define office hours" in text


def test_parent_route_is_police_who_contact_mash() -> None:
    text = report_reply(looked_after=False, in_office_hours=True)
    assert "999" in text and "101" in text
    assert "MASH" in text
    assert "social worker" not in text
    assert "0121 675 4806" not in text


def test_summary_after_danger_says_999_now() -> None:
    dispatcher = CollectingDispatcher()
    ActionWalkthroughSummary().run(
        dispatcher, tracker({"immediate_danger": True}, "affirm", None), {}
    )
    assert dispatcher.messages[0]["text"].startswith("Phone 999 now")
    assert "crime in action" in dispatcher.messages[0]["text"]


def test_danger_described_in_words_counts_as_yes() -> None:
    assert validate({}, "crisis", "immediate_danger")["immediate_danger"] is True
