"""A hotel manager reports a CSE concern anonymously, through the running stack."""

from __future__ import annotations

import re

from tests.e2e.conftest import Chat


def test_anonymous_hotel_concern_is_recorded_with_the_route(chat: Chat) -> None:
    chat.say('/choose_audience{"audience": "licence_holder"}')
    first = chat.say_text("I want to report a concern about something I saw at my hotel")
    assert "danger right now" in first
    answers = [
        "/deny",
        "a girl who looked very young came in with two men and went to a room",
        "the Example Hotel, reception",
        "last night about 11",
        "about 14",
        "two men in their 30s, one called Baz",
        "grey Vauxhall AB12 C??",
    ]
    for answer in answers:
        chat.say(answer)
    anonymous = chat.say_text("/affirm")  # stay anonymous: no name or contact asked
    assert "Here is what will be sent" in anonymous
    assert "AB12 C??" in anonymous
    sent = chat.say_text("/affirm")
    assert re.search(r"MR-\d{4}-\d{6}", sent), sent
    for fact in ("999", "101", "0121 303 9611", "0800 555 111"):
        assert fact in sent


def test_danger_now_gets_999_first(chat: Chat) -> None:
    chat.say('/choose_audience{"audience": "licence_holder"}')
    chat.say("I'd like to log a concern as a licence holder")
    assert chat.say_text("/affirm").startswith("Phone 999 now")


def test_a_taxi_driver_asking_who_to_tell_is_told_first_and_not_asked_twice(chat: Chat) -> None:
    first = chat.say_text(
        "im a taxi driver, i keep picking up young girls from a takeaway late at night and "
        "dropping them at houses with older blokes. who do i tell")
    for fact in ("101", "0121 303 9611", "0800 555 111", "danger right now"):
        assert fact in first, first
    seen = chat.say_text("not right now no")
    assert "picking up young girls" in seen and "pass that on" in seen, seen
    where = chat.say_text("yes")
    assert "Where was this" in where, where
