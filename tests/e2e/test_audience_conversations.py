"""Each audience asks in its own words and gets the key fact with its citation."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import Chat

GUIDANCE = "From: Missing from Home or Care (Under 18 years) — Practice Guidance"


def choose(chat: Chat, audience: str) -> None:
    chat.say("hello")
    chat.say(f'/choose_audience{{"audience": "{audience}"}}')


@pytest.mark.parametrize(
    ("audience", "question", "facts", "citation"),
    [
        ("carer", "what am I meant to check before I ring the police?",
         ["search", "social media"], GUIDANCE),
        ("professional", "how soon does the independent return interview need to happen",
         ["72 hours"], "From: "),
        ("professional", "what does the MASH red rating mean",
         ["4 hours"], GUIDANCE),
        ("licence_holder", "who do I contact if I'm worried about CSE at my hotel",
         ["0121 303 9611"], "From: "),
        ("professional", "when must a school refer a missing pupil to the CME team",
         ["(5|five) days"], "From: "),
        ("carer", "what happens if a looked after child is still missing after 48 hours",
         ["Executive Director"], GUIDANCE),
    ],
)
def test_adult_questions_get_the_fact_and_the_citation(
    chat: Chat, audience: str, question: str, facts: list[str], citation: str
) -> None:
    choose(chat, audience)
    messages = chat.say(question)
    text = "\n".join(m.get("text", "") for m in messages)
    for fact in facts:
        assert re.search(fact, text, re.IGNORECASE), text
    assert citation in text
    titles = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert "Read the full guidance" in titles


def test_young_person_asking_for_help_tonight_gets_the_runaway_helpline(chat: Chat) -> None:
    choose(chat, "young_person")
    text = chat.say_text("where can i get help tonight")
    assert "116 000" in text


def test_young_person_gets_plain_words_about_return_interviews(chat: Chat) -> None:
    choose(chat, "young_person")
    text = chat.say_text("wot is a return interview")
    assert "From: " in text
    assert "72 hours" in text or "talk" in text.lower()


def test_full_record_is_shown_from_the_button(chat: Chat) -> None:
    choose(chat, "professional")
    messages = chat.say("how soon does the independent return interview need to happen")
    payload = next(b["payload"] for m in messages for b in m.get("buttons", []))
    full = chat.say_text(payload)
    assert "From: " in full
    assert len(full) > len(messages[0]["text"]) // 2


def test_unknown_question_is_not_guessed(chat: Chat) -> None:
    choose(chat, "carer")
    text = chat.say_text("what's the capital of peru")
    assert "999" in text
    assert "From: " not in text


def test_a_social_workers_follow_ups_each_get_something_new(chat: Chat) -> None:
    """The third question is read with the two before it, and is not answered with the
    record given two messages back; "should I let her parents know?" is a question, not a
    request for the assistant to contact them."""
    first = chat.say_text(
        "my foster daughter came home today after two nights away, im her social worker, "
        "what now?")
    second = chat.say_text("should I let her parents know?")
    assert "can't contact anyone" not in second
    assert "parents" in second
    third = chat.say_text("when do i have to visit her?")
    assert third.split("\n")[0] != first.split("\n")[0]
    assert re.search(r"three days|3 days", third)
