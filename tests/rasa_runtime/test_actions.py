"""Custom actions, run with real trackers and the real corpus contacts."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import audience
from actions.conversation import ActionGreet, ActionSetAudience
from actions.fallback import ActionCannotHelp
from actions.handoff import ActionTalkToSomeone, people_to_talk_to
from actions.safety import ActionSafetyResponse
from guidance_corpus.loader import AUDIENCES, load_corpus


def tracker(
    audience: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    text: str = "",
    input_problem: str | None = None,
    active_loop: str | None = None,
) -> Tracker:
    latest = {"text": text, "intent": {"name": "crisis"}, "entities": entities or []}
    if input_problem:
        latest["input_problem"] = input_problem
    loop = {"name": active_loop} if active_loop else {}
    return Tracker("tester", {"audience": audience}, latest, [], False, None, loop, "")


def run(action: Any, state: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, state, {})
    return dispatcher.messages


def crisis(kind: str) -> list[dict[str, Any]]:
    return [{"entity": "crisis_type", "value": kind}]


CONTACTS = load_corpus().contacts


def test_greeting_has_999_and_four_audience_buttons() -> None:
    [message] = run(ActionGreet(), tracker())
    assert CONTACTS["police_emergency"].phone in message["text"]
    assert [b["payload"] for b in message["buttons"]] == [
        '/choose_audience{"audience": "carer"}',
        '/choose_audience{"audience": "young_person"}',
        '/choose_audience{"audience": "licence_holder"}',
        '/choose_audience{"audience": "professional"}',
    ]


def test_the_audiences_offered_are_the_corpus_audiences() -> None:
    assert set(audience.LABELS) == AUDIENCES
    assert set(audience.WHAT_I_CAN_DO) == AUDIENCES


@pytest.mark.parametrize(
    ("kind", "numbers"),
    [
        ("self_harm", ["116 123", "85258", "0800 1111"]),
        ("no_safe_place", ["116 000", "0800 1111"]),
        ("trafficking", ["0808 800 5000", "0800 1111"]),
        ("abuse", ["0800 1111"]),
        ("danger", ["0800 1111", "116 000"]),
    ],
)
def test_young_person_crisis_gets_999_first_then_the_right_lines(
    kind: str, numbers: list[str]
) -> None:
    [message] = run(ActionSafetyResponse(), tracker("young_person", crisis(kind)))
    first, *rest = message["text"].splitlines()
    assert "999" in first
    for number in numbers:
        assert number in "\n".join(rest)
    assert "fault" not in first  # reassurance comes after the emergency route


def test_abuse_disclosure_is_met_without_blame() -> None:
    [message] = run(ActionSafetyResponse(), tracker("young_person", crisis("abuse")))
    assert "not your fault" in message["text"]


def test_adult_crisis_gets_999_101_mash_and_edt() -> None:
    [message] = run(ActionSafetyResponse(), tracker("carer", crisis("danger")))
    text = message["text"]
    assert "999" in text.splitlines()[0]
    for number in ("101", "0121 303 1888", "0121 675 4806"):
        assert number in text


def test_licence_holder_crisis_includes_the_licensing_team() -> None:
    [message] = run(ActionSafetyResponse(), tracker("licence_holder", crisis("abuse")))
    assert "0121 303 9611" in message["text"]
    assert "999" in message["text"].splitlines()[0]


def test_unknown_audience_gets_both_routes() -> None:
    [message] = run(ActionSafetyResponse(), tracker(None, crisis("self_harm")))
    text = message["text"]
    assert "999" in text.splitlines()[0]
    for number in ("0800 1111", "116 000", "0121 303 1888", "116 123"):
        assert number in text


@pytest.mark.parametrize(
    ("who", "payloads"),
    [
        ("carer", ["/report_missing"]),
        (None, ["/report_missing"]),
        ("professional", ["/report_missing", "/make_referral"]),
        ("licence_holder", ["/report_licence_concern"]),
        ("young_person", []),
    ],
)
def test_adult_crisis_outside_a_form_offers_a_way_on(
    who: str | None, payloads: list[str]
) -> None:
    [message] = run(ActionSafetyResponse(), tracker(who, crisis("danger")))
    assert [b["payload"] for b in message["buttons"]] == payloads


def test_crisis_inside_a_form_offers_no_other_route() -> None:
    state = tracker("carer", crisis("danger"), active_loop="search_walkthrough_form")
    [message] = run(ActionSafetyResponse(), state)
    assert not message["buttons"]


@pytest.mark.parametrize(
    ("problem", "opening"),
    [
        ("empty", "didn't receive any words"),
        ("markup_only", "code or markup"),
        (None, "can't help"),
    ],
)
def test_cannot_help_is_honest_and_gives_999(problem: str | None, opening: str) -> None:
    [message] = run(ActionCannotHelp(), tracker(input_problem=problem))
    assert opening in message["text"]
    assert "999" in message["text"]
    assert len(message["buttons"]) == 4


def test_a_request_the_classifier_put_out_of_scope_is_refused_then_answered() -> None:
    # A licence holder asking for a man to be checked: "I can't" and who can, then who
    # the letter says to tell, as the guidance action would refuse and answer.
    latest = {"text": "i manage a pub, can you check if hes on the sex offenders register",
              "intent": {"name": "out_of_scope"}, "entities": []}
    state = Tracker("tester", {"audience": None}, latest, [], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    events = ActionCannotHelp().run(dispatcher, state, {})
    reply = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert "can't look up" in reply and CONTACTS["licensing_team"].phone in reply
    assert {"event": "slot", "name": "last_record", "value": "licence-who-to-contact",
            "timestamp": None} in events


def test_what_is_not_covered_still_gets_the_lines_the_message_calls_for() -> None:
    # Nothing answers it, but someone who keeps running from home is given the helplines
    # and the Charter's presumption, not only what the assistant cannot do.
    latest = {"text": "ive run off like 5 times this yr, r they gonna send me somewhere "
                      "i just cant be at home", "intent": {"name": "out_of_scope"}, "entities": []}
    state = Tracker("tester", {"audience": None}, latest, [], False, None, {}, "")
    [message] = run(ActionCannotHelp(), state)
    assert "can't help" in message["text"]
    assert "116 000" in message["text"] and "0800 1111" in message["text"]
    assert "significant harm" in message["text"]


def test_a_carers_child_not_back_the_classifier_could_not_place_starts_the_walkthrough() -> None:
    # Nothing answers it with confidence, but a foster carer whose child is not back asks
    # what to do: the walkthrough, which opens with who to ring, not "I can't help".
    latest = {"text": "sat nite 10pm, my foster daugter (14) hasnt come back from her mates, "
                      "her sw is off til monday what do i do now",
              "intent": {"name": "nlu_fallback"}, "entities": []}
    state = Tracker("tester", {"audience": None}, latest, [], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    events = ActionCannotHelp().run(dispatcher, state, {})
    assert events == [{"event": "followup", "name": "search_walkthrough_form",
                       "timestamp": None}]
    assert not dispatcher.messages


def test_young_person_is_told_no_name_needed_and_that_this_is_not_a_person() -> None:
    [message] = run(ActionSetAudience(), tracker("young_person"))
    assert "don't need to give your name" in message["text"]
    assert "not a person" in message["text"]


def test_talk_to_someone_is_honest_and_gives_people_by_audience() -> None:
    [adult] = run(ActionTalkToSomeone(), tracker("carer"))
    assert "not a person" in adult["text"]
    assert "0121 303 1888" in adult["text"] and "999" in adult["text"]
    [young] = run(ActionTalkToSomeone(), tracker("young_person"))
    assert "116 000" in young["text"] and "0800 1111" in young["text"]
    assert "0121 303 1888" not in young["text"]
    assert "don't have to give your name" in young["text"]


@pytest.mark.parametrize(("in_hours", "edt"), [(True, False), (False, True)])
def test_emergency_duty_team_is_offered_outside_office_hours(in_hours: bool, edt: bool) -> None:
    assert ("0121 675 4806" in people_to_talk_to("professional", in_hours)) is edt


def test_talk_to_someone_during_a_referral_offers_the_answers_to_read_out() -> None:
    state = Tracker(
        "tester", {"audience": "carer", "child_name": "Sam", "child_gender": "male"},
        {"text": "", "intent": {"name": "ask_human"}, "entities": []}, [], False, None,
        {"name": "referral_form"}, "",
    )
    dispatcher = CollectingDispatcher()
    ActionTalkToSomeone().run(dispatcher, state, {})
    assert len(dispatcher.messages) == 2
    assert "read them what you've told me" in dispatcher.messages[1]["text"]
    assert "Sam" in dispatcher.messages[1]["text"]


def test_a_question_spanning_two_records_offers_both() -> None:
    from actions.guidance import choose

    question = "what am I meant to check before I ring the police?"
    record, also = choose(question, "carer", {})
    assert record is not None and record.id == "carer-steps-before-reporting"
    # A foster carer's question spans two records (the checks before ringing, and the
    # looked-after child's extra steps): both reach the person.
    record, also = choose(
        "my foster child is missing, what should I check before ringing the police?", "carer", {}
    )
    assert record is not None and record.id == "carer-steps-looked-after-child"
    assert "carer-steps-before-reporting" in {r.id for r in also}


def test_a_question_naming_two_related_records_gets_both() -> None:
    # "debrief / safe and well check": two names of one police visit, each with its own
    # record; the name in its title and questions pulls one far ahead, but the person
    # named both, so the related one is shown beside it, not left as a button.
    from actions.guidance import choose

    record, also = choose(
        "the police are coming to do a debrief / safe and well check on my son, what is it for",
        "carer", {},
    )
    assert record is not None
    assert {record.id, *(r.id for r in also[:1])} == {
        "safe-and-well-check", "police-missing-debrief"
    }


def test_nothing_close_gets_no_record() -> None:
    from actions.guidance import choose

    assert choose("what is the capital of peru", None, {"charter-act": 0.05}) == (None, [])


def test_the_action_server_registers_every_custom_action_in_the_domain() -> None:
    from rasa.shared.core.domain import Domain
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")  # raises if any action class cannot register
    domain = Domain.load("bot/domain")
    custom = {
        name for name in domain.user_actions
        if not name.startswith("utter_") and name not in domain.form_names
    }
    assert custom <= set(executor.actions), custom - set(executor.actions)


@pytest.mark.parametrize(("intent", "reverted"), [
    ("nlu_fallback", False), ("out_of_scope", False), ("affirm", True),
])
def test_cannot_help_takes_the_message_back_only_as_the_core_fallback(
    intent: str, reverted: bool
) -> None:
    # As the core fallback (no rule for this state) the message is taken back, so the
    # next prediction is made from a state the policies know, not this action again.
    state = Tracker("t", {}, {"text": "x", "intent": {"name": intent}, "entities": []},
                    [], False, None, {}, "")
    events = ActionCannotHelp().run(CollectingDispatcher(), state, {})
    assert any(e["event"] == "rewind" for e in events) is reverted


def test_only_form_validations_are_named_by_slot_mappings() -> None:
    # Rasa runs a custom mapping's action on every user message (action_extract_slots):
    # anything but a form's own validation action would run out of turn.
    from rasa.shared.core.domain import Domain

    domain = Domain.load("bot/domain")
    named = {
        mapping["action"] for slot in domain.slots for mapping in slot.mappings
        if mapping.get("action")
    }
    assert named <= {f"validate_{form}" for form in domain.form_names}, named


def test_a_referral_answer_worded_as_a_crisis_gets_999_and_is_kept() -> None:
    import asyncio

    from actions.referral import ValidateReferralForm

    text = "with older men who give her drugs"
    state = Tracker(
        "s", {"referral_key": "k", "requested_slot": "last_seen_with", "audience": "carer"},
        {"text": text, "intent": {"name": "crisis"}, "entities": []},
        [], False, None, {"name": "referral_form"}, "referral_form",
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateReferralForm().run(dispatcher, state, {}))
    assert "999" in dispatcher.messages[0]["text"].splitlines()[0]
    assert any(e.get("name") == "last_seen_with" and e.get("value") == text for e in events)


def clock_tracker(text: str, slots: dict[str, Any] | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": "ask_what_is_due"}, "entities": []}
    return Tracker("tester", slots or {}, latest, [], False, None, {}, "")


def test_the_clock_counts_from_a_time_given_in_the_question_itself() -> None:
    from actions.episode_clock import ActionMissingClock

    dispatcher = CollectingDispatcher()
    events = ActionMissingClock().run(dispatcher, clock_tracker(
        "she's been gone since monday teatime and the police know, it's wednesday night now, "
        "does anything else need to happen?", {"looked_after": True}), {})
    [message] = dispatcher.messages
    text = message["text"]
    assert "Counting from what you said: since Monday" in text and "17:00" in text
    assert "the time you gave as now" in text and "Wednesday" in text
    # Missing over 48 hours on Wednesday night: the Executive Director step has been reached.
    assert "Executive Director" in text
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    from datetime import datetime

    seen, now = (datetime.fromisoformat(slots[k]) for k in ("last_seen", "clock_now"))
    assert (seen.strftime("%A %H:%M"), now.strftime("%A")) == ("Monday 17:00", "Wednesday")


def test_the_clock_asks_for_the_time_when_the_question_has_none_or_only_a_number() -> None:
    from actions.episode_clock import ASK_AGAIN, ActionMissingClock

    for text in ("what should be happening by now", "she is 14, what is due now"):
        dispatcher = CollectingDispatcher()
        events = ActionMissingClock().run(dispatcher, clock_tracker(text), {})
        assert [m["text"] for m in dispatcher.messages] == [ASK_AGAIN], text
        assert events == []


def test_a_child_who_is_back_gets_what_follows_a_return_not_the_missing_clock() -> None:
    from actions.episode_clock import ActionLastSeenReadback, ActionMissingClock

    # The clock's intent, with times in it ("an hour ago" is when the police came).
    dispatcher = CollectingDispatcher()
    ActionMissingClock().run(dispatcher, clock_tracker(
        "our son (14) came back this morning, he'd been gone since saturday night. police "
        "came round about an hour ago and had a word with him. is anything else supposed to "
        "happen now or is that it?"), {})
    text = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert "return interview" in text and "72 hours" in text, text
    assert "Counting from what you said" not in text and "lead the search" not in text, text
    # A short return read as a time last seen: answered, not read back (and it does not go
    # round between the clock and the guidance action).
    latest = {"text": "she got back at 2am", "intent": {"name": "inform_last_seen"},
              "entities": []}
    dispatcher = CollectingDispatcher()
    events = ActionLastSeenReadback().run(
        dispatcher, Tracker("tester", {}, latest, [], False, None, {}, ""), {})
    assert dispatcher.messages and not any(
        e.get("name") == "last_seen" and e.get("value") for e in events), events
    assert "So since" not in dispatcher.messages[0].get("text", "")
    # Still missing: the clock as before.
    dispatcher = CollectingDispatcher()
    ActionMissingClock().run(dispatcher, clock_tracker(
        "she went missing on saturday night and hasn't come back, what is due now?"), {})
    assert "Counting from what you said" in dispatcher.messages[0]["text"]


def test_a_question_with_a_time_in_it_is_answered_not_read_back() -> None:
    from actions.episode_clock import ActionLastSeenReadback

    latest = {"text": "she said she was going to a mates about 2 hours ago, now not answering. "
                      "do I have to report it or wait 24 hours?",
              "intent": {"name": "inform_last_seen"}, "entities": []}
    dispatcher = CollectingDispatcher()
    events = ActionLastSeenReadback().run(
        dispatcher, Tracker("tester", {}, latest, [], False, None, {}, ""), {})
    text = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert "So since" not in text and "waiting period" in text, text
    assert not any(e.get("name") == "last_seen" and e.get("value") for e in events), events


@pytest.mark.parametrize("table_name", ["referral", "licence_concern", "walkthrough"])
def test_each_question_table_is_its_forms_slots_in_the_domain(table_name: str) -> None:
    # The table (bot/questions) is where a question is added; the domain must name its
    # slot, list it in the form in the table's order, and have its ask action.
    from rasa.shared.core.domain import Domain

    from actions.questionnaire import load_table

    table = load_table(table_name)
    domain = Domain.load("bot/domain")
    required = domain.required_slots_for_form(table.form)
    assert [slot for slot in required if slot in table.slots] == table.slots
    slots = {slot.name: slot for slot in domain.slots}
    for name in table.slots:
        assert name in slots, name
        assert f"action_ask_{name}" in domain.user_actions, name
        assert {"type": "custom", "action": f"validate_{table.form}"} in slots[name].mappings


@pytest.mark.parametrize("intent", ["guidance", "nlu_fallback"])
def test_where_things_should_be_up_to_is_the_clocks_question_whatever_the_intent(
    intent: str,
) -> None:
    from actions.episode_clock import ASK_AGAIN
    from actions.guidance import ActionAnswerGuidance

    text = "Can you tell me where things should be up to? The girl I foster is missing."
    latest = {"text": text, "intent": {"name": intent}, "entities": []}
    state = Tracker("tester", {}, latest, [], False, None, {}, "")
    action = ActionAnswerGuidance() if intent == "guidance" else ActionCannotHelp()
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, state, {})
    # Answered by the clock in this same turn: it asks when she was last seen, once.
    assert events == []
    assert [m["text"] for m in dispatcher.messages] == [ASK_AGAIN]


@pytest.mark.parametrize(
    ("intent", "text", "entities", "wanted"),
    [
        # Where the walkthrough asked when he was last seen: a time, whatever the intent.
        ("guidance", "tomorrow at 9pm", ["DAY_REF", "CLOCK_TIME"], "later than now"),
        ("nlu_fallback", "tomorrow at 9pm", ["DAY_REF", "CLOCK_TIME"], "later than now"),
        ("nlu_fallback", "yesterday at 9pm", ["DAY_REF", "CLOCK_TIME"], "So since"),
        # Asking something, or naming no time, is still a question for the guidance.
        ("guidance", "what happens tomorrow at 9pm?", ["DAY_REF", "CLOCK_TIME"], None),
        ("nlu_fallback", "what happens tomorrow at 9pm?", ["DAY_REF", "CLOCK_TIME"], None),
        ("guidance", "zzzz qqqq", [], None),
        ("nlu_fallback", "zzzz qqqq", [], None),
    ],
)
def test_a_message_that_only_states_a_time_is_read_back_whatever_the_intent(
    intent: str, text: str, entities: list[str], wanted: str | None
) -> None:
    from actions.episode_clock import LAST_SEEN_SLOT
    from actions.guidance import ActionAnswerGuidance

    latest = {"text": text, "intent": {"name": intent},
              "entities": [{"entity": name, "value": text} for name in entities]}
    state = Tracker("tester", {}, latest, [], False, None, {}, "")
    action = ActionAnswerGuidance() if intent == "guidance" else ActionCannotHelp()
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, state, {})
    replies = " ".join(m.get("text") or "" for m in dispatcher.messages)
    read_back = any(e.get("name") == LAST_SEEN_SLOT for e in events)
    if wanted is None:
        assert not read_back, (events, replies)
    else:
        assert read_back and wanted in replies, (events, replies)


def test_a_question_in_two_parts_gets_both_parts_answered() -> None:
    import actions.guidance as guidance

    question = (
        "I manage a hotel. What signs of exploitation should my staff look for, "
        "and who do we contact if we are worried?"
    )
    assert guidance.question_parts(question) == [
        "I manage a hotel. What signs of exploitation should my staff look for",
        "who do we contact if we are worried?",
    ]
    record, also = guidance.choose(question, "licence_holder", {})
    assert record is not None and record.id == "licence-what-is-cse"
    assert also and also[0].id == "licence-who-to-contact"
    # One question, or a statement before a question, is not split.
    assert guidance.question_parts("my foster child is missing, what should I check first?") == []
    assert guidance.question_parts("what happens and who does it") == []


@pytest.mark.parametrize("intent", ["guidance", "nlu_fallback"])
def test_how_long_a_child_has_been_missing_is_counted_beside_the_rule(intent: str) -> None:
    # The same reply whether the classifier placed the question or the fallback caught it.
    from actions.guidance import ActionAnswerGuidance

    def answer(text: str) -> tuple[list[str], list[dict[str, Any]]]:
        latest = {"text": text, "intent": {"name": intent}, "entities": []}
        said = [{"event": "user", "text": text, "parse_data": latest}]
        dispatcher = CollectingDispatcher()
        action = ActionAnswerGuidance() if intent == "guidance" else ActionCannotHelp()
        events = action.run(
            dispatcher, Tracker("tester", {}, latest, said, False, None, {}, ""), {})
        return [m["text"] for m in dispatcher.messages], events

    texts, events = answer("my foster daughter has been missing 3 days, "
                           "isnt there supposed to be a meeting?")
    assert {"event": "slot", "name": "last_record", "value": "lac-strategy-meeting-72-hours",
            "timestamp": None} in events
    assert len(texts) == 2 and "strategy meeting" in texts[0], texts
    assert "Counting from what you said" in texts[1] and "5 working days" in texts[1], texts
    # The rule alone when nothing says when she went.
    texts, _events = answer("isnt there supposed to be a strategy meeting for a looked after "
                            "child who stays missing?")
    assert len(texts) == 1 and "strategy meeting" in texts[0], texts


GROOMING_REFERRAL = ("I'm a youth worker and I want to refer a 14 year old girl to MASH, I think "
                     "she's being groomed by older men, she keeps going missing")


def crisis_tracker(text: str, second: tuple[str, float], slots: dict[str, Any] | None = None,
                   loop: str | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": "crisis", "confidence": 1.0},
              "intent_ranking": [{"name": "crisis", "confidence": 1.0},
                                 {"name": second[0], "confidence": second[1]}],
              "entities": [{"entity": "crisis_type", "value": "abuse"}]}
    return Tracker("tester", slots or {}, latest, [], False, None,
                   {"name": loop} if loop else {}, "")


def test_a_request_beside_a_crisis_starts_its_form_after_the_emergency_route() -> None:
    from rasa_sdk.events import FollowupAction

    dispatcher = CollectingDispatcher()
    events = ActionSafetyResponse().run(
        dispatcher, crisis_tracker(GROOMING_REFERRAL, ("make_referral", 0.99)), {})
    assert events == [FollowupAction("referral_form")]
    texts = [m["text"] for m in dispatcher.messages]
    assert "999" in texts[0].splitlines()[0] and "one question at a time" in texts[1], texts

    for tracker in (
        # Not sure enough it is a request,
        crisis_tracker(GROOMING_REFERRAL, ("make_referral", 0.3)),
        # a young person (referrals are made by adults),
        crisis_tracker(GROOMING_REFERRAL, ("make_referral", 0.99), {"audience": "young_person"}),
        # or a form already running: the emergency route alone.
        crisis_tracker(GROOMING_REFERRAL, ("make_referral", 0.99), loop="search_walkthrough_form"),
    ):
        dispatcher = CollectingDispatcher()
        events = ActionSafetyResponse().run(dispatcher, tracker, {})
        assert not any(e.get("event") == "followup" for e in events), events


def test_the_way_on_from_the_emergency_route_suits_who_the_message_says_is_asking() -> None:
    from actions.safety import next_step_buttons

    tracker = crisis_tracker("I'm a youth worker, a girl I work with is being groomed",
                             ("guidance", 0.2))
    payloads = [b["payload"] for b in next_step_buttons(tracker)]
    assert "/make_referral" in payloads


def test_a_sentence_where_a_name_was_asked_is_not_taken_as_the_name() -> None:
    from datetime import datetime

    from actions.questionnaire import load_table, read_name

    question = load_table("referral").question("referrer_name")
    assert question is not None
    now = datetime.now()
    assert read_name(question, "my name is Sam Jones", now) == "Sam Jones"
    assert read_name(question, "Yasmin Begum-Ali", now) == "Yasmin Begum-Ali"
    assert read_name(question, "no she's not in danger at the moment as far as I know",
                     now) is None
    assert read_name(question, "yes", now) is None


@pytest.mark.parametrize("said", ["pls dont tell my social worker",
                                  "will u have to tell my mum where i was",
                                  "please don't tell my foster carers"])
def test_a_young_person_asking_that_no_one_is_told_hears_who_is_told(said: str) -> None:
    # Nothing else in the message is a question the voices are sure of; the Charter asks
    # adults to be honest about what is shared, so the answer is who is told and why.
    from actions.guidance import answer_messages

    messages, record_id, answered = answer_messages(
        {"text": said, "intent": {"name": "nlu_fallback"}, "entities": []}, None)
    assert answered and record_id == "yp-who-gets-told"
    assert "social worker" in messages[0]["text"] and "honest" in messages[0]["text"]
    # In the young people's words, not the professionals'.
    record = load_corpus().records["yp-who-gets-told"]
    assert messages[0]["text"].startswith(record.young_person_answer.strip()[:40])


@pytest.mark.parametrize(("said", "record_id", "says"), [
    ("they moved me out of birmingham, who does my return interview when i get back",
     "out-of-area-return-interviews", "social worker"),
    ("my social worker says she has to see me now im back, how soon does she have to",
     "social-worker-sees-child-three-days", "three days"),
])
def test_a_young_person_gets_the_young_peoples_version(said: str, record_id: str,
                                                       says: str) -> None:
    from actions.guidance import answer_messages

    messages, chosen, _ = answer_messages(
        {"text": said, "intent": {"name": "guidance"}, "entities": []}, None)
    assert chosen == record_id
    record = load_corpus().records[record_id]
    assert messages[0]["text"].startswith(record.young_person_answer.strip()[:40])
    assert says in messages[0]["text"]


@pytest.mark.parametrize(("who", "starts"), [(None, True), ("young_person", False)])
def test_asking_to_be_walked_through_starts_the_walkthrough_for_an_adult(
    who: str | None, starts: bool
) -> None:
    from actions.guidance import ActionAnswerGuidance

    latest = {"text": "foster carer. my girl (12) was due back at 4, no sign. can you walk me "
                      "thru what i should be doing", "intent": {"name": "guidance"},
              "entities": []}
    state = Tracker("tester", {"audience": who}, latest, [], False, None, {}, "")
    events = ActionAnswerGuidance().run(CollectingDispatcher(), state, {})
    walkthrough = {"event": "followup", "name": "search_walkthrough_form", "timestamp": None}
    assert (walkthrough in events) is starts


def test_a_young_person_off_school_hears_what_the_school_does() -> None:
    from actions.guidance import answer_message

    record = load_corpus().records["cme-reasonable-enquiries"]
    said = answer_message(record, "young_person")["text"]
    assert said.startswith(record.young_person_answer.strip()[:40])
    assert "first day" in said and "five days" in said
