"""A message that is not a carer's report of a child still missing is a question
(rasa_addons/question_not_report.py), alone and through the trained model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.question_not_report import QuestionNotReport


def as_parsed(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    return message


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("she came back to the placement late last night after going missing on friday, "
         "how quickly do I have to see her", "guidance"),
        ("the police brought him home this morning, what happens now", "guidance"),
        # Still missing, or gone again after a return: the walkthrough stays.
        ("she hasn't come back and her phone is off", "report_missing"),
        ("he came back on monday but went missing again tonight", "report_missing"),
        # Asked by someone who does not look after the child: the guidance answers.
        ("15 yr old patient in surgery says she walked out from home 2 nights ago and is "
         "staying with an older man. what is my responsibility here", "guidance"),
        ("looked after boy, missing since tuesday. is there a point where this has to go "
         "above me?", "guidance"),
        # The person's own child, or no question: the walkthrough stays.
        ("my 14 year old hasnt come home, what do i do", "report_missing"),
        ("one of our residents hasnt come back, who do we ring", "report_missing"),
        ("a girl from the estate hasnt been home for two days", "report_missing"),
    ],
)
def test_only_a_carers_report_of_a_child_still_missing_stays_one(text: str, intent: str) -> None:
    message = as_parsed(text, [("report_missing", 0.62), ("guidance", 0.19), ("affirm", 0.01)])
    QuestionNotReport().process([message])
    assert message.get("intent")["name"] == intent
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == intent
    assert [r["confidence"] for r in ranking] == sorted(
        (r["confidence"] for r in ranking), reverse=True)


def test_other_intents_are_left_alone() -> None:
    message = as_parsed("she came back, can I refer her to MASH", [("make_referral", 0.9)])
    QuestionNotReport().process([message])
    assert message.get("intent")["name"] == "make_referral"


def test_through_the_trained_model(parse_data: Callable[[str], dict[str, Any]]) -> None:
    back = parse_data("our 13 year old got back to the home at 2am after being gone since "
                      "friday, how soon does her social worker have to visit her")
    assert back["intent"]["name"] != "report_missing"
    gp = parse_data("15 yr old patient in surgery this morning, says she walked out from "
                    "home 2 nights ago and is staying with a 24 yr old man. What is my "
                    "responsibility here")
    assert gp["intent"]["name"] != "report_missing"
    gone = parse_data("my daughter hasn't come home and it's gone midnight")
    assert gone["intent"]["name"] == "report_missing"
