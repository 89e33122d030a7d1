"""The carer walkthrough and the missing clock, through the REST channel."""

from __future__ import annotations

from tests.e2e.conftest import Chat


def buttons(messages: list[dict]) -> list[str]:
    return [b["title"] for m in messages for b in m.get("buttons", [])]


def test_parent_route_from_first_message_to_what_to_do_now(chat: Chat) -> None:
    first = chat.say("my son hasn't come home and it's nearly midnight")
    assert "immediate danger" in first[0]["text"]
    assert buttons(first) == ["Yes", "No"]
    assert "looked after" in chat.say_text("/deny")
    step = chat.say("/deny")
    assert step[0]["text"].startswith("Step 1 of 6")
    assert buttons(step) == ["Done", "Couldn't", "Skip", "Report now"]
    assert chat.say_text("/step_done").startswith("Step 2 of 6")
    summary = chat.say_text("/report_now")
    assert "999" in summary and "101" in summary
    assert "MASH" in summary
    assert "thought about the likely reason" in summary
    assert "When was the child last seen" in summary


def test_who_to_ring_is_said_once_when_the_danger_question_is_asked_again(chat: Chat) -> None:
    first = chat.say_text("my son hasn't come home and it's nearly midnight")
    assert first.startswith("In short")
    again = chat.say_text("hmm")
    assert "immediate danger" in again and "In short" not in again


def test_a_young_person_who_left_gets_help_not_the_search_walkthrough(chat: Chat) -> None:
    # Classified as a report of a missing child; the writer is the one who left.
    reply = chat.say_text(
        "i left my care home last nite coz staff were on at me. im at a mates now")
    assert "Step" not in reply and "immediate danger" not in reply
    assert "116 000" in reply and "0800 1111" in reply


def test_looked_after_child_has_ten_steps_and_the_edt(chat: Chat) -> None:
    chat.say("the girl we foster hasn't come back to the house")
    chat.say("/deny")
    step = chat.say_text("/affirm")
    assert step.startswith("Step 1 of 10")
    for _ in range(9):
        step = chat.say_text("/step_skip")
    assert step.startswith("Step 10 of 10") and "on call manager" in step
    summary = chat.say_text("/step_done")
    assert "social worker" in summary
    assert "does not define office hours" in summary


def test_danger_stops_the_walkthrough_with_999(chat: Chat) -> None:
    chat.say("my daughter is missing")
    text = chat.say_text("/affirm")
    assert text.startswith("Phone 999 now")
    assert "Step" not in text


def test_crisis_mid_walkthrough_then_back_to_the_same_step(chat: Chat) -> None:
    chat.say("my son hasn't come home")
    chat.say("/deny")
    assert chat.say_text("/deny").startswith("Step 1 of 6")
    crisis = chat.say("he just texted me saying he wants to kill himself")
    assert "999" in crisis[0]["text"].splitlines()[0]
    assert any(m.get("text", "").startswith("Step 1 of 6") for m in crisis)
    assert chat.say_text("/step_done").startswith("Step 2 of 6")


def test_the_clock_reads_back_and_says_what_is_due(chat: Chat) -> None:
    chat.say("the boy we foster has not come home")
    chat.say("/deny")
    chat.say("/affirm")
    chat.say("/report_now")
    readback = chat.say("50 hours ago")
    assert readback[0]["text"].startswith("So since ")
    assert "50 hours ago?" in readback[0]["text"]
    clock = chat.say_text("/affirm")
    assert "Executive Director" in clock
    assert "From: " in clock


def test_a_future_time_is_asked_again(chat: Chat) -> None:
    chat.say("my son hasn't come home")
    chat.say("/report_now")
    text = chat.say_text("tomorrow at 9pm")
    assert "later than now" in text or "couldn't work out" in text
