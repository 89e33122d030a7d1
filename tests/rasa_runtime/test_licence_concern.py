"""A licence holder's concern: partial registrations, anonymity, and the route."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.answers import NOT_KNOWN
from actions.licence_concern import build_concern_payload, route, vehicles


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


def test_a_crisis_worded_description_gets_999_and_is_kept_as_the_answer() -> None:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    from actions.licence_concern import ValidateLicenceConcernForm

    text = "two men took a girl who looked about 13 up to a room"
    state = Tracker(
        "s", {"concern_key": "k", "concern_danger_now": False,
              "requested_slot": "concern_what_seen", "audience": "licence_holder"},
        {"text": text, "intent": {"name": "crisis"},
         "entities": [{"entity": "crisis_type", "value": "exploitation"}]},
        [], False, None, {"name": "licence_concern_form"}, "licence_concern_form",
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateLicenceConcernForm().run(dispatcher, state, {}))
    assert dispatcher.messages[0]["text"].splitlines()[0].count("999") == 1
    assert {"event": "slot", "name": "concern_what_seen", "value": text,
            "timestamp": None} in events


def concern_turn(slots: dict[str, object], requested: str, text: str) -> dict[str, object]:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    from actions.licence_concern import ValidateLicenceConcernForm

    state = Tracker(
        "s", {"concern_key": "k", "requested_slot": requested, **slots},
        {"text": text, "intent": {"name": "deny"}, "entities": []},
        [], False, None, {"name": "licence_concern_form"}, "licence_concern_form",
    )
    events = asyncio.run(ValidateLicenceConcernForm().run(CollectingDispatcher(), state, {}))
    return {e["name"]: e["value"] for e in events}


def test_a_sentence_answers_the_danger_question() -> None:
    slots = concern_turn({}, "concern_danger_now",
                         "No, she isn't here any more, this was last night.")
    assert slots["concern_danger_now"] is False
    assert slots["requested_slot"] == "concern_what_seen"


def test_vehicle_heard_early_is_offered_for_confirmation() -> None:
    slots = concern_turn({"concern_danger_now": False}, "concern_what_seen",
                         "two men took her upstairs, one had a silver BMW, partial plate FN67")
    assert slots["concern_what_seen"].startswith("two men")
    prefill = slots["questionnaire_prefill"]
    assert isinstance(prefill, dict) and prefill["concern_vehicles"][0]["registration"] == "FN67"



def test_one_action_asks_whether_to_stay_anonymous() -> None:
    # The question with Crimestoppers named first: no generated ask action of the same
    # name is made beside it, even for a moment (the SDK could find that one instead).
    import gc

    from actions.licence_concern import ANONYMOUS_SLOT, TABLE, AskConcernAnonymous
    from actions.questionnaire import AskQuestion, ask_actions

    gc.disable()
    try:
        made = ask_actions(TABLE, __name__, own=frozenset({ANONYMOUS_SLOT}))
        askers = [c for c in AskQuestion.__subclasses__()
                  if getattr(c, "slot", None) == ANONYMOUS_SLOT]
    finally:
        gc.enable()
    assert ANONYMOUS_SLOT not in made and set(made) == set(TABLE.slots) - {ANONYMOUS_SLOT}
    assert askers == [AskConcernAnonymous]

TAXI_DRIVER = ("im a taxi driver, i keep picking up young girls from a takeaway late at night "
               "and dropping them at houses with older blokes. who do i tell")


def opening_turn(text: str, intent: str = "report_licence_concern") -> dict[str, object]:
    """The turn that starts the form: nothing asked yet."""
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    from actions.licence_concern import ValidateLicenceConcernForm

    state = Tracker(
        "s", {}, {"text": text, "intent": {"name": intent}, "entities": []},
        [], False, None, {"name": "licence_concern_form"}, "licence_concern_form",
    )
    events = asyncio.run(ValidateLicenceConcernForm().run(CollectingDispatcher(), state, {}))
    return {e["name"]: e["value"] for e in events}


def ask(action: object, slots: dict[str, object]) -> dict[str, object]:
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    action.run(dispatcher, Tracker("s", slots, {}, [], False, None, {}, ""), {})  # type: ignore[attr-defined]
    return dispatcher.messages[0]


def test_who_to_tell_comes_before_the_first_question() -> None:
    from actions.licence_concern import AskConcernDangerNow

    first = ask(AskConcernDangerNow(), {})["text"]
    for fact in ("999", "101", "0121 303 9611", "0800 555 111", "MASH", "stop"):
        assert fact in first, fact
    assert first.rstrip().endswith("Is a child in danger right now?")
    # Asked again after an answer it could not read: the question and its hint only.
    again = ask(AskConcernDangerNow(), {"questionnaire_misses": {"concern_danger_now": 1}})
    assert "0121 303 9611" not in again["text"] and "danger right now" in again["text"]


def test_what_was_seen_in_the_first_message_is_offered_back_not_asked_again() -> None:
    from actions.licence_concern import ASK_CONCERN_ACTIONS

    slots = opening_turn(TAXI_DRIVER)
    prefill = slots["questionnaire_prefill"]
    assert isinstance(prefill, dict) and prefill["concern_what_seen"] == TAXI_DRIVER
    asked = ask(ASK_CONCERN_ACTIONS["concern_what_seen"](),
                {"concern_danger_now": False, "questionnaire_prefill": prefill})
    assert f'"{TAXI_DRIVER}"' in asked["text"] and "pass that on" in asked["text"]
    # A request to report, with nothing yet said of what was seen, is asked plainly.
    plain = opening_turn("I am a taxi driver and want to report a concern about a passenger")
    assert "concern_what_seen" not in (plain.get("questionnaire_prefill") or {})


def test_yes_keeps_the_description_heard_and_more_words_are_added_to_it() -> None:
    prefill = {"concern_what_seen": TAXI_DRIVER}
    kept = concern_turn({"concern_danger_now": False, "questionnaire_prefill": prefill},
                        "concern_what_seen", "yes")
    assert kept["concern_what_seen"] == TAXI_DRIVER
    added = concern_turn({"concern_danger_now": False, "questionnaire_prefill": prefill},
                         "concern_what_seen", "yes, and the girls looked drunk")
    assert added["concern_what_seen"] == f"{TAXI_DRIVER} and the girls looked drunk"
    replaced = concern_turn({"concern_danger_now": False, "questionnaire_prefill": prefill},
                            "concern_what_seen", "a boy in school uniform got in with two men")
    assert replaced["concern_what_seen"] == "a boy in school uniform got in with two men"
