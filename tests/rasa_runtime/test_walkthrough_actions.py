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
    ActionAskLookedAfter,
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


ENGINE = ("questionnaire_misses", "questionnaire_prefill")


def tracker(
    slots: dict[str, Any], intent: str, requested: str | None,
    latest_action: str = "search_walkthrough_form", text: str | None = None,
) -> Tracker:
    # A button sends its payload ("/deny") as the message text.
    return Tracker(
        "carer", {**slots, "requested_slot": requested},
        {"intent": {"name": intent}, "entities": [],
         "text": f"/{intent}" if text is None else text}, [], False, None,
        {"name": "search_walkthrough_form"}, latest_action,
    )


def validate(
    slots: dict[str, Any], intent: str, requested: str | None,
    latest_action: str = "search_walkthrough_form", text: str | None = None,
    dispatcher: CollectingDispatcher | None = None,
) -> dict[str, Any]:
    events = asyncio.run(
        ValidateSearchWalkthroughForm().run(
            dispatcher or CollectingDispatcher(),
            tracker(slots, intent, requested, latest_action, text), DOMAIN,
        )
    )
    return {e["name"]: e["value"] for e in events
            if e["event"] == "slot" and e["name"] not in ENGINE}


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


def test_unclear_answer_fills_nothing_and_counts_a_miss() -> None:
    slots = {"immediate_danger": False, "looked_after": False}
    assert validate(slots, "greet", "step_reason", text="hmm") == {
        "step_reason": None, "requested_slot": "step_reason"}


def test_no_i_dont_think_she_is_in_danger_is_a_no_not_a_crisis() -> None:
    dispatcher = CollectingDispatcher()
    text = ("no, I don't think she's in any immediate danger, I think she's probably at a "
            "friend's house")
    state = tracker({}, "crisis", "immediate_danger", text=text)
    state.latest_message["entities"] = [{"entity": "crisis_type", "value": "danger"}]
    events = asyncio.run(ValidateSearchWalkthroughForm().run(dispatcher, state, DOMAIN))
    slots = {e["name"]: e["value"] for e in events}
    assert slots["immediate_danger"] is False
    assert slots["requested_slot"] == "looked_after"
    assert dispatcher.messages == []


def test_natural_step_answers_are_kept_as_notes() -> None:
    slots = {"immediate_danger": False, "looked_after": False, "step_reason": "done"}
    result = validate(slots, "step_done", "step_contact", text="I've rung him loads, no answer")
    assert result["step_contact"] == "done: I've rung him loads, no answer"
    result = validate({**slots, "step_contact": "done"}, "out_of_scope", "step_locality",
                      text="we went round the park and the shops")
    assert result["step_locality"].startswith("done")


def test_steps_already_done_are_ticked_from_what_was_said() -> None:
    dispatcher = CollectingDispatcher()
    text = "no, she lives at home, I've rung her and texted her friends"
    result = validate({"immediate_danger": False}, "deny", "looked_after", text=text,
                      dispatcher=dispatcher)
    assert result["looked_after"] is False
    assert result["step_contact"].startswith("done")
    assert result["step_people"].startswith("done")
    assert result["requested_slot"] == "step_reason"
    assert "ticked" in dispatcher.messages[0]["text"]


def test_looked_after_heard_in_the_first_message_is_confirmed_not_asked_cold() -> None:
    state = tracker({}, "report_missing", None,
                    text="my foster son who is 14 went missing last night around 11pm")
    events = asyncio.run(
        ValidateSearchWalkthroughForm().run(CollectingDispatcher(), state, DOMAIN))
    prefill = next(e["value"] for e in reversed(events) if e["name"] == "questionnaire_prefill")
    assert prefill["looked_after"] is True
    assert prefill["last_seen"].endswith("23:00:00+00:00")
    ask = CollectingDispatcher()
    ActionAskLookedAfter().run(ask, tracker({"questionnaire_prefill": prefill}, "x", None), {})
    assert "From what you said, I think yes" in ask.messages[0]["text"]


def test_no_question_is_asked_a_third_time() -> None:
    slots: dict[str, Any] = {"immediate_danger": False}
    first = validate(slots, "out_of_scope", "looked_after", text="hmm")
    assert first["looked_after"] is None
    ask = CollectingDispatcher()
    ActionAskLookedAfter().run(
        ask, tracker({"questionnaire_misses": {"looked_after": 1}}, "x", None), {})
    text = ask.messages[0]["text"]
    assert text.startswith("I couldn't tell if that was a yes or a no")
    assert text.count("Is the child looked after") == 1
    dispatcher = CollectingDispatcher()
    second = validate({**slots, "questionnaire_misses": {"looked_after": 1}}, "out_of_scope",
                      "looked_after", text="hmm", dispatcher=dispatcher)
    assert second["looked_after"] == {"as_written": "hmm"}
    assert second["requested_slot"] == "step_reason"
    assert "as you wrote it" in dispatcher.messages[0]["text"]


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


def test_the_walkthrough_opens_with_who_to_ring() -> None:
    from actions.walkthrough import route_in_short

    home = route_in_short(looked_after=False)
    assert "101" in home and "999" in home and "Emergency Duty Team" not in home
    care = route_in_short(looked_after=True)
    assert "social worker" in care and "0121 675 4806" in care
    # Whoever reads only the opening still knows what to check before ringing.
    for opening in (home, care):
        assert "social media" in opening and "friends and family" in opening


def test_a_young_person_gets_help_for_themselves_not_the_carers_steps() -> None:
    slots = {"audience": "young_person"}
    text = "i left my care home last night n stayed at my mates"
    assert validate(slots, "report_missing", None, text=text)["requested_slot"] is None
    dispatcher = CollectingDispatcher()
    ActionWalkthroughSummary().run(
        dispatcher, tracker(slots, "report_missing", None, text=text), {})
    said = "\n".join(m["text"] for m in dispatcher.messages)
    assert "116 000" in said and "0800 1111" in said
    assert "Step" not in said and "Tell the police" not in said


def test_saying_the_police_already_know_ends_it_with_what_is_due() -> None:
    # "We reported it on Tuesday night": the steps are for before reporting, so the
    # walkthrough ends at any question and the missing clock counts from the time said.
    said = "we reported it to police on tuesday night. its friday night now so about 3 days"
    slots = {"looked_after": True}
    events = asyncio.run(ValidateSearchWalkthroughForm().run(
        CollectingDispatcher(), tracker(slots, "inform", "immediate_danger", text=said), DOMAIN))
    result = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert result["walkthrough_report_now"] is True and result["requested_slot"] is None
    ended = tracker({**slots, **result}, "inform", None, text=said)
    dispatcher = CollectingDispatcher()
    ActionWalkthroughSummary().run(dispatcher, ended, {})
    text = "\n".join(m["text"] for m in dispatcher.messages)
    assert "police already know" in text and "Tell the police" not in text
    assert "Tuesday" in text and "72 hours" in text  # counted from what was said
    assert "strategy meeting" in text and "5 working days" in text
    assert "Emergency Duty Team" in text


@pytest.mark.parametrize(
    "said",
    ["we haven't reported it to the police yet", "should we have reported it already?",
     "i've rung her friends and her phone"],
)
def test_not_yet_reported_keeps_the_walkthrough_going(said: str) -> None:
    result = validate({}, "inform", "immediate_danger", text=said)
    assert "walkthrough_report_now" not in result


def test_who_to_ring_opens_the_walkthrough_once_not_at_every_ask() -> None:
    """Asked again within the same walkthrough, the question stands alone; a walkthrough
    started again later opens with who to ring once more."""
    from rasa_sdk.events import ActiveLoop, BotUttered

    from actions.walkthrough import FORM, ActionAskImmediateDanger

    first = CollectingDispatcher()
    ActionAskImmediateDanger().run(first, tracker({}, "report_missing", None), {})
    said = first.messages[0]["text"]
    assert said.startswith("In short")
    again = tracker({}, "inform", "immediate_danger")
    again.events += [ActiveLoop(FORM), BotUttered(said)]
    second = CollectingDispatcher()
    ActionAskImmediateDanger().run(second, again, {})
    assert not second.messages[0]["text"].startswith("In short")
    later = tracker({}, "report_missing", None)
    later.events += [ActiveLoop(FORM), BotUttered(said), ActiveLoop(None), ActiveLoop(FORM)]
    third = CollectingDispatcher()
    ActionAskImmediateDanger().run(third, later, {})
    assert third.messages[0]["text"].startswith("In short")


def test_the_walkthrough_opening_answers_what_the_first_message_says() -> None:
    """ "my husband says shes nearly an adult ... is he right?": the opening says who to
    ring, and that 15 to 17-year-olds are not adults."""
    from actions.walkthrough import ActionAskImmediateDanger

    said = ("my daughter is 16 and has gone off since last night not answering. my husband "
            "says shes nearly an adult and the police wont bother with a 16 yr old. is he "
            "right?")
    dispatcher = CollectingDispatcher()
    ActionAskImmediateDanger().run(dispatcher, tracker({}, "report_missing", None, text=said),
                                   {})
    text = dispatcher.messages[0]["text"]
    assert text.startswith("In short") and "18th birthday" in text
    assert text.rstrip().endswith("?")


@pytest.mark.parametrize(("said", "looked_after"), [
    ("im a kinship carer for my niece (13), she hasnt come back", True),
    ("he's 13, been with me 4 months, never done this before", True),
    ("my son is 13 and hasnt come back from school", False),
])
def test_looked_after_is_heard_in_a_kinship_carers_words(said: str,
                                                         looked_after: bool) -> None:
    from actions.episode_clock import now_uk
    from actions.questionnaire import listen, load_table

    question = load_table("walkthrough").question("looked_after")
    assert question is not None
    assert listen(question, said, now_uk()) is looked_after
