"""The answer readers (actions/answers.py): people's own sentences, read as meant."""

from __future__ import annotations

from datetime import date

import pytest

from actions import answers
from actions.answers import NOT_KNOWN

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "value", "rest"),
    [
        ("yes, Birmingham City Council", True, "Birmingham City Council"),
        ("yes I rang 101, the log number is 1234", True, "I rang 101, the log number is 1234"),
        ("Yeah", True, ""),
        ("no, I don't think she's in danger", False, "I don't think she's in danger"),
        ("No, she isn't here any more, this was last night.", False,
         "she isn't here any more, this was last night"),
        ("Not that I know of, no.", False, None),
        ("nope", False, ""),
        ("I don't think so", False, None),
        ("no idea", NOT_KNOWN, None),
        ("dunno", NOT_KNOWN, None),
        ("not sure", NOT_KNOWN, None),
        ("I'm not sure, sorry.", NOT_KNOWN, None),
        ("We honestly don't know, nobody has seen her since Friday", NOT_KNOWN, None),
        ("she went to the shops", None, None),
    ],
)
def test_yes_no_is_read_from_the_words_and_keeps_the_rest(
    text: str, value: object, rest: str | None
) -> None:
    reading = answers.yes_no(text)
    assert reading.value == value
    if rest is not None:
        assert reading.rest == rest


def test_the_questions_own_words_answer_it() -> None:
    no_when = ("lives? at home",)
    yes_when = ("\\bfoster",)
    assert answers.yes_no("she lives at home with me", yes_when, no_when).value is False
    assert answers.yes_no("I'm her foster carer", yes_when, no_when).value is True
    # A leading yes or no still wins.
    assert answers.yes_no("no, she's with a foster family", yes_when, no_when).value is False


@pytest.mark.parametrize(
    "text", ["not known", "Not known.", "no idea to be honest", "dunno", "idk", "n/k",
             "I don't know", "not sure", "no clue"]
)
def test_not_known(text: str) -> None:
    assert answers.is_not_known(text)


@pytest.mark.parametrize("text", ["yes", "Birmingham", "as far as I know she lives at home"])
def test_not_not_known(text: str) -> None:
    assert not answers.is_not_known(text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("You can email me at dsl@example.org", {"email": "dsl@example.org"}),
        ("Email is best for me, it's sandra.okafor@example.org.",
         {"email": "sandra.okafor@example.org"}),
        ("ring me on 0121 303 1888 please", {"phone": "01213031888"}),
        ("+44 7700 900123 or jo@example.org",
         {"phone": "07700900123", "email": "jo@example.org"}),
        ("ring me", None),
        ("my number is 12345", None),
    ],
)
def test_phone_and_email_inside_a_sentence(text: str, found: dict[str, str] | None) -> None:
    assert answers.find_contact(text) == found


@pytest.mark.parametrize(
    ("text", "age", "born"),
    [
        ("14", 14, None),
        ("she's 14", 14, None),
        ("He's 13.", 13, None),
        ("aged 9", 9, None),
        ("fourteen", 14, None),
        ("a 14 year old girl", 14, None),
        ("15 yrs", 15, None),
        ("12/03/2011", 15, date(2011, 3, 12)),
        ("12th of May 2012", 14, date(2012, 5, 12)),
        ("She's 14, her date of birth is the 12th of May 2012.", 14, date(2012, 5, 12)),
        ("May 12, 2012", 14, date(2012, 5, 12)),
        ("born in March 2012", 14, None),
        ("she's 14, born in March 2012", 14, None),
        ("born in 2012", 13, None),
    ],
)
def test_ages_and_dates_of_birth_in_every_common_form(
    text: str, age: int, born: date | None
) -> None:
    found = answers.age_or_dob(text, TODAY)
    assert found is not None
    assert found.age == age
    assert found.born == born


def test_no_age_in_words_without_one() -> None:
    assert answers.age_or_dob("she has long dark hair", TODAY) is None


def test_a_whole_date_of_birth_is_sent_rather_than_the_age() -> None:
    found = answers.age_or_dob("12/03/2011", TODAY)
    assert found is not None and found.as_payload() == {"date_of_birth": "2011-03-12"}
    found = answers.age_or_dob("she's 14", TODAY)
    assert found is not None and found.as_payload() == {"age": 14}


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("yes I rang 101, the log number is 1234", "1234"),
        ("reference 1234 of 21/11", "1234 of 21/11"),
        ("the crime number is CRI-556677", "CRI-556677"),
        ("log no. 0456", "0456"),
        ("they didn't give me one", None),
    ],
)
def test_police_reference_inside_a_sentence(text: str, ref: str | None) -> None:
    assert answers.reference(text) == ref


def test_local_authority() -> None:
    assert answers.local_authority("yes, Birmingham City Council") == "Birmingham City Council"
    assert answers.local_authority("she's looked after by Sandwell") == "Sandwell"
    assert answers.local_authority("yes") is None


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("I've rung him loads, no answer", "done"),
        ("yes, I've texted her", "done"),
        ("we couldn't, his phone is off", "couldnt"),
        ("It's the weekend so school's no help", "couldnt"),
        ("skip", "skipped"),
        ("not relevant, she's not at school", "skipped"),
        ("no", "couldnt"),
        ("hmm", None),
    ],
)
def test_step_result_from_what_the_carer_did(text: str, result: str | None) -> None:
    assert answers.step_result(text) == result


@pytest.mark.parametrize("text", ["stop", "Cancel", "forget it", "cancel the referral",
                                  "stop this please"[:9]])
def test_stop(text: str) -> None:
    assert answers.is_stop(text)


@pytest.mark.parametrize("text", ["stop asking me about danger, she's at a friend's",
                                  "she stopped answering"])
def test_not_stop(text: str) -> None:
    assert not answers.is_stop(text)


def test_off_script_questions() -> None:
    assert answers.is_question("what if she's with her boyfriend?")
    assert answers.is_question("do I have to ring the police?")
    assert not answers.is_question("she's with her boyfriend")


def test_the_place_last_seen_said_in_passing() -> None:
    assert answers.place("she was last seen outside the Co-op near school, about 3") == (
        "outside the Co-op near school")
    assert answers.place("last seen walking towards the bus stop on Gravelly Hill.") == (
        "towards the bus stop on Gravelly Hill")
    assert answers.place("she went out last night") is None
