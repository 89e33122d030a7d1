"""What a message says about the situation (actions/situation.py and its phrases), and
how the guidance answer uses it, through the real corpus and the real action."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import situation
from actions.guidance import ActionAnswerGuidance
from actions.safety import ActionSafetyResponse


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("the lad we foster at home has not come back", None),
        ("my foster daughter hasn't come back from college", "carer"),
        ("i ran away from my nan's last week", "young_person"),
        ("ran away from my childrens home on friday and the staff are fuming", "young_person"),
        ("who finds out every time i go missing", "young_person"),
        ("my foster carers keep reporting me to the police", "young_person"),
        ("when the police found me they acted like i was a nuisance", "young_person"),
        ("my foster child ran off again last night", "carer"),
        ("a boy from our children's home ran off", "carer"),
        ("lad from our home is missing but hes 16", "carer"),
        ("a man keeps bringing girls into my bar", "licence_holder"),
        ("we run a little guest house near the station", "licence_holder"),
        ("I own a B&B and something worried me last night", "licence_holder"),
        ("our school has a pupil who has not been seen", "professional"),
        ("one of our pupils has not been in since monday", "professional"),
        ("what is a return interview", None),
        ("do i have to tell the police where i was", "young_person"),
        ("if i go back home will the police be waiting for me", "young_person"),
        ("i dont want to talk to the police about it", "young_person"),
        ("if i run bk 2 my mums will they come and get me", "young_person"),
        ("they moved me 2 a home in stoke and i hate it", "young_person"),
        # A school uniform is not a school asking; a shop's staff are licence holders.
        ("girl in school uniform sat outside our shop for hours, says she ran off",
         "licence_holder"),
        ("EWO: a pupil has been off for a week, who do i refer to", "professional"),
        # A parent's own words about their child stay a parent's.
        ("she won't tell me where she was all night", None),
        ("my son wont tell the police where he was", "carer"),
        ("how are social workers supposed to treat me when i get back", "young_person"),
        ("need help with my school project about children who go missing", "young_person"),
        ("i work at a takeaway in town and something is bothering me", "licence_holder"),
        ("some bloke was buying drinks for a girl who looked about 14", "licence_holder"),
        # A parent telling what was done to their daughter stays unknown, not a licence holder.
        ("older men keep buying my daughter drinks", "carer"),
        # Text-speak and older people doing things for "us": a young person, though "after
        # school" and "care home staff" are in it.
        ("theres a house we go to after school, older lads let us smoke there n stuff. "
         "the staff at my home r always on at me about it", "young_person"),
        ("rock n roll night at my pub, a girl looked about 13", "licence_holder"),
        ("our pupil r smith has not been in school for a week", "professional"),
        # Their own missing school is a young person's; a foster child "had" is a carer's.
        ("been off school a week, will the school ring my mum", "young_person"),
        ("if i skip school for a few days will anyone come looking for me", "young_person"),
        ("had a foster child (12) go missing, tbh im not sure we can keep her safe",
         "carer"),
        ("I want to brief our housekeeping and reception teams on CSE", "licence_holder"),
        ("a child on my caseload was reported missing this morning", "professional"),
        # Their own lateness, and "my carers" with "i'd": a young person.
        ("if i stay out tonight will my mum ring the police", "young_person"),
        ("wat happens if im a couple of hours late back to the home", "young_person"),
        ("my carers would go mad, id never hear the end of it", "young_person"),
        ("my son is always late home and never answers his phone", "carer"),
        ("pls dont tell my social worker", "young_person"),
        ("my keyworker wont let me go out", "young_person"),
        ("Run a boozer in digbeth. same 2 fellas come in with girls who look 14", "licence_holder"),
        ("her key worker says she left at 6, what do we do", None),
        ("dont tell my teacher", "young_person"),
        ("my youth worker said birmingham signed the runaways charter, wat does it mean 4 me",
         "young_person"),
        ("what does the charter mean for someone like me", "young_person"),
        ("what does the charter mean for me as a foster carer", "carer"),
        ("the officer who brought me back said i was wasting police time", "young_person"),
        ("need somewhere 2 stay 2nite", "young_person"),
        ("will we lose the premises licence over this", "licence_holder"),
        ("can they revoke my private hire licence for it", "licence_holder"),
        # What people call themselves comes first: a foster carer's or parent's "her social
        # worker" or "the school" stays theirs.
        ("I'm a foster carer and her social worker isn't picking up", "carer"),
        ("foster carer here, school rang to say he never turned up", "carer"),
        ("im her mum, the school says she wasnt in today", "carer"),
        ("as her social worker who do i notify", "professional"),
        # A parent naming their own son or daughter, or saying who they are: the school or a
        # social worker named after it does not make them a professional.
        ("my son is 14 and hes not come home from school, do i have to wait 24 hrs", "carer"),
        ("mum here, when will his social worker come and talk to him now he's home", "carer"),
        ("Dad: the police brought him home wednesday, should someone have rung by now", "carer"),
        # A social worker's "my child" is the child on their caseload.
        ("social worker: my child is placed in another county and missing", "professional"),
        ("teacher here, one of my year 9s has not been in", "professional"),
        ("my foster carer says im not allowed out", "young_person"),
        # "my social" alone is not their social worker: no young person read from it.
        ("my social media is full of missing posters, is that allowed", None),
        # A school telling of its student, though "tbh" is in it; a student bar is a venue.
        ("student is 15 and stopped coming in tbh we dont know where she is", "professional"),
        ("student bar manager here, what should my staff look for", "licence_holder"),
        ("own an off licence by the station, girls keep hanging round outside", "licence_holder"),
        ("a pub licensee asked me what the letter means", "licence_holder"),
        ("wat does the charter promise kids like me", "young_person"),
        # Licensed premises named as theirs, however sized or kind.
        ("who do i ring about a CSE worry at my b&b, its not an emergency", "licence_holder"),
        ("I manage a 60-room hotel and want my staff trained", "licence_holder"),
        ("something happened at our serviced apartments last weekend", "licence_holder"),
        # A housing officer's hostel is not licensed premises.
        ("Housing officer: a 17 year old in our hostel is paid by a man", None),
        # A parent afraid the child will be taken from them.
        ("are they going to take her off me?? i'm a good mum", "carer"),
        # Their own return still to come, and a friend in text-speak.
        ("do i av to talk 2 the childrens society woman after i come back", "young_person"),
        ("my best m8 hasnt been home in 3 days", "young_person"),
        # ...but a carer's past "when i got home" is not.
        ("when i got home she was gone and her phone is off", None),
        ("taxi firm operator, a driver told me about young passengers", "licence_holder"),
        ("taxi firm says they dropped him at his dads", None),
        # A role first, then the message.
        ("foster carer. my girl (12) was due back from school at 4", "carer"),
        ("Children's home manager: one of our lads went missing", "carer"),
        ("one of my regulars keeps messaging the young kids on the games", "licence_holder"),
        ("I run a youth club and one of our regulars hasn't been seen", None),
    ],
)
def test_who_is_asking(text: str, who: str | None) -> None:
    assert situation.audience_in(text) == who


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("could you give me some money for the bus", "money"),
        ("can u send me £20 so i can get home", "money"),
        ("could you lend me 10 quid", "money"),
        ("how much did the council spend, £2 million?", None),
        ("can you book me a train ticket to london", "ticket"),
        ("can u get me a train to manchester", "ticket"),
        # Training staff, or a child who did not get back on the coach: no ticket asked for.
        ("can I get someone to train my bar staff", None),
        ("foster child didn't get back on the coach after a school trip - term?", None),
        ("please let my foster carer know i am safe", "message_someone"),
        ("can you let my mum know im ok", "message_someone"),
        ("can u msg my mum n tell her im ok. dont tell her where i am tho", "message_someone"),
        ("how much do you get paid a week for fostering a teenager", "allowance"),
        # The person asking whether they should tell someone: a question, not a request.
        ("should I let her parents know?", None),
        ("i need to tell his mum he is safe, is that right", None),
        ("is there a way to trace his mobile", "track_phone"),
        ("can you check if hes on the sex offenders register", "look_up_records"),
        ("can you find out where my daughter is from her phone", "track_phone"),
        ("can u find my son", "track_phone"),
        ("how do i find out where she is", None),
        ("can you tell me where the MASH office is", None),
        ("do i need a solicitor to get custody back", "legal_advice"),
        ("can I get a court order", "legal_advice"),
        ("how can we get an injunction against him", "legal_advice"),
        # A court order or custody named as a fact is not a request for legal advice: the
        # first is an abduction, answered as one.
        ("my ex took our 8 year old from school, he has no contact under the court order "
         "and isn't answering, is she missing?", None),
        ("my ex has custody and hasnt brought her back", None),
        # Subjects next to the guidance that it does not cover.
        ("how do i challenge my daughter's exclusion from school", "school_exclusion"),
        ("am i entitled to housing benefit if i leave care at 17", "benefits"),
        ("how much is a taxi badge renewal", "licence_admin"),
        ("will we lose our premises licence if a child is found in a room", None),
        ("does child protection get sent every licence application or just some", None),
        ("what happens at a strategy meeting", None),
        ("could you check if Amira in year 7 has enrolled at another school", "look_up_pupil"),
        ("can u look up whether he's on the roll anywhere in walsall", "look_up_pupil"),
        ("can you pull up her records on carefirst", "look_up_records"),
        ("can you check whether the police system has him as missing", "look_up_records"),
        ("how do schools check if a pupil has registered at another school", None),
        ("whats the name and mobile number of the duty social worker tonight", "staff_contact"),
        ("can i have my social worker's mobile number", "staff_contact"),
        ("what is the MASH phone number", None),
        ("can u give me an address of a safe place i can turn up at", "safe_place_address"),
        ("what is a safe place", None),
        ("what changed in the updated version of the guidance", "later_versions"),
        ("are the 48 and 72 hour rules still the same now", "later_versions"),
        ("does the guidance still apply to a 17 year old", None),
        ("what records should we keep about a missing pupil", None),
    ],
)
def test_requests_the_assistant_cannot_do(text: str, kind: str | None) -> None:
    found = situation.cannot_do(text)
    assert (found.kind if found else None) == kind


def test_a_request_to_trace_a_phone_names_who_can_search() -> None:
    # The person may be the child's foster carer: the Emergency Duty Team beside the police.
    from guidance_corpus.loader import load_corpus

    contacts = load_corpus().contacts
    for who in (None, "carer", "professional"):
        reply = situation.refusal_for("is there a way to trace his mobile", who) or ""
        for contact in ("police_non_emergency", "emergency_duty_team"):
            assert contacts[contact].phone in reply, (who, contact)
    young = situation.refusal_for("can u find my mum from her phone", "young_person") or ""
    assert contacts["runaway_helpline"].phone in young
    assert contacts["emergency_duty_team"].phone not in young


@pytest.mark.parametrize(
    ("text", "signs"),
    [
        ("staff say she gets into cars with men in their twenties", True),
        ("she's 16 and at her boyfriends, he's 24", True),
        ("new trainers I didn't buy her and she's always on her phone", True),
        ("her older boyfriend picks her up from school", True),
        ("a man at the park gave her vodka", True),
        ("staff think they're meeting men in cars", True),
        ("keeps getting picked up by older men after school", True),
        ("my boyfriend is 16 and wants me to stay over", False),
        ("she was at her boyfriend's for 24 hours", False),
        ("what does an older young person mean in the CSE definition", False),
        ("she bought a new phone with her birthday money", False),
        ("men keep turning up at the flat upstairs and there are teenage girls there", True),
        ("our customers are mostly lads, teenage boys playing the machines", False),
        ("she's staying at her boyfriend's, he's older, in his twenties we think", True),
    ],
)
def test_what_can_be_exploitation_described_without_naming_it(text: str, signs: bool) -> None:
    assert situation.shows_exploitation_signs(text) is signs


def test_signs_of_exploitation_are_named_with_who_to_tell() -> None:
    from guidance_corpus.loader import load_corpus

    contacts = load_corpus().contacts
    reply = answer("the police say my daughter is absent rather than missing, she is at her "
                   "boyfriend's and he is 23. what does absent mean?")
    assert "child sexual exploitation" in reply and contacts["mash"].phone in reply
    # A young person is told what it is called and that it is not their fault.
    young = "\n".join(situation.notes("my bf is 24 n gives me weed", "young_person", ""))
    assert "called grooming" in young and "never the young person's fault" in young
    assert contacts["childline"].phone in young
    # A licence holder is given the letter's contacts: the Licensing Team and Crimestoppers.
    licensee = "\n".join(situation.notes("men keep buying vodka for young girls outside my shop",
                                          "licence_holder", ""))
    for contact in ("licensing_team", "crimestoppers", "police_non_emergency"):
        assert contacts[contact].phone in licensee, contact
    # Said once: an answer about exploitation already names it.
    named = answer("what is CSE? my daughter's boyfriend is 24")
    assert "What you describe" not in named


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("shes been gone since friday night, has anything else kicked in by now?", True),
        ("what should have happened by now, he went on tuesday", True),
        # What has happened by now, for a child gone 2 days: what is due.
        ("has anything happened yet? he's been gone 2 days", True),
        ("i'm scared something has happened to her", False),
        ("what is a strategy meeting", False),
    ],
)
def test_asking_what_is_due(text: str, asks: bool) -> None:
    assert situation.asks_what_is_due(text) is asks


def test_situation_notes() -> None:
    assert situation.out_of_office_hours("it's sunday morning and she isn't back")
    assert situation.out_of_office_hours("he went out at 10pm and isn't home")
    assert not situation.out_of_office_hours("what is the MASH for")
    assert situation.wants_anonymity("can I tell someone anonymously")
    assert situation.has_run_away("i want to run away from my placement")
    assert not situation.has_run_away("what does young runaway mean")
    assert situation.has_run_away("always arguin with my mum, thinkin of just goin")
    assert not situation.has_run_away("thinking of going to the police about my foster son")


def tracker_for(text: str, intent: str = "guidance", who: str | None = None,
                events: list[dict] | None = None) -> Tracker:
    """A tracker whose latest message is ``text``, as the action server receives it."""
    latest = {"text": text, "intent": {"name": intent}, "entities": []}
    return Tracker("tester", {"audience": who}, latest, events or [], False, None, {}, "")


def answer(text: str, intent: str = "guidance", who: str | None = None) -> str:
    state = tracker_for(text, intent, who)
    dispatcher = CollectingDispatcher()
    action = ActionSafetyResponse() if intent == "crisis" else ActionAnswerGuidance()
    action.run(dispatcher, state, {})
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def test_a_young_person_is_told_everyone_who_is_told() -> None:
    # As the adult answer does: the IRO, the feedback form, and what may reach the police.
    reply = answer("if i run from my placement who gets told, does my mum find out",
                   who="young_person")
    for told in ("Independent Reviewing Officer", "Professional Feedback Form", "police"):
        assert told in reply, told


def test_a_young_person_always_gets_someone_to_talk_to() -> None:
    reply = answer("what does MASH stand for", who="young_person")
    assert "116 000" in reply and "0800 1111" in reply
    # Said once, not twice, when the answer already gives it.
    ran = answer("i ran away from home, do i have to do a return interview")
    assert ran.count("116 000") == 1


def test_someone_who_ran_away_gets_the_helplines_with_the_answer() -> None:
    reply = answer("i ran away from home, do i have to do a return interview")
    assert "116 000" in reply and "0800 1111" in reply
    assert "From:" in reply  # an answer from a record, with its citation


def test_outside_office_hours_an_adult_gets_the_emergency_duty_team() -> None:
    assert "0121 675 4806" in answer("it's saturday night, who do I tell my foster son is missing")


def test_anonymity_gets_crimestoppers() -> None:
    assert "0800 555 111" in answer("can I report CSE at my hotel anonymously?")


def test_a_refusal_is_honest_and_gives_who_can() -> None:
    reply = answer("could you give me some money for the bus", who="young_person")
    assert "can't" in reply and "116 000" in reply
    # An adult asking for a named worker's number is given the teams and the police.
    worker = situation.refusal_for("can you give me her social worker's name and mobile number",
                                   None) or ""
    assert "0121 303 1888" in worker and "101" in worker


def test_a_refusal_is_followed_by_what_the_documents_do_say() -> None:
    from guidance_corpus.loader import load_corpus

    contacts = load_corpus().contacts
    reply = answer("I need legal advice: if the police found an underage girl in a room at "
                   "our hotel, would we lose the premises licence?")
    assert "legal advice" in reply and contacts["licensing_team"].phone in reply
    assert "revocation" in reply and "From:" in reply
    # What a later version says: the versions held, with their dates.
    later = answer("what changed in the updated version of the guidance?")
    assert "later version" in later and "review date February 2018" in later
    # Anyone else asking for legal advice gets the refusal alone.
    reply = answer("do i need a solicitor to get custody back")
    assert "legal advice" in reply and "From:" not in reply
    # A parent asking for a phone to be traced is given the checks they can make themselves.
    reply = answer("can you track his phone or tell me where he is, i just need to know hes ok")
    assert "can't" in reply and "check social media" in reply
    assert reply.index("can't") < reply.index("From:")
    young = answer("can u find my mum from her phone", who="young_person")
    assert "From:" not in young


def test_a_crisis_with_a_question_gets_999_and_the_answer() -> None:
    reply = answer("how long does a return interview last? someone is hurting me", intent="crisis")
    assert reply.index("999") < reply.index("From:")


def test_a_crisis_alone_gets_only_the_emergency_route() -> None:
    # As the pipeline parses it (tools/crisis_eval.py): the danger phrase is an entity.
    state = tracker_for("he's hitting me right now", intent="crisis")
    state.latest_message["entities"] = [{"entity": "crisis_type", "value": "abuse"}]
    dispatcher = CollectingDispatcher()
    ActionSafetyResponse().run(dispatcher, state, {})
    reply = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert "999" in reply and "From:" not in reply


def test_a_request_with_a_date_is_refused_not_read_back_as_last_seen() -> None:
    # The classifier read "dob 04/03/2011" as the time a child was last seen.
    from actions.episode_clock import LAST_SEEN_SLOT, ActionLastSeenReadback

    text = ("could you see if Jayden, dob 12/09/2012, is registered at another school now? "
            "we think the family moved")
    dispatcher = CollectingDispatcher()
    events = ActionLastSeenReadback().run(dispatcher, tracker_for(text, "inform_last_seen"), {})
    reply = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert not any(e.get("name") == LAST_SEEN_SLOT for e in events), events
    assert "can't look up" in reply and "0121 303 4983" in reply, reply


@pytest.mark.parametrize(
    ("text", "who", "starts_form"),
    [
        # What a licence holder saw, and who to tell: the concern, whatever the intent.
        ("im a taxi driver, i keep picking up young girls from a takeaway late at night and "
         "dropping them at houses with older blokes. who do i tell", None, True),
        ("noticed a girl about 13 come in with two older men to our hotel last night, "
         "should i report it?", None, True),
        ("we keep seeing school girls being picked up outside by men in cars, what should we "
         "do", "licence_holder", True),
        # A general question says nothing seen: the record answers it.
        ("as a hotel manager who do i tell if im worried about cse?", None, False),
        # The same words from a parent are not a licence holder's concern.
        ("i keep picking up my daughter from houses with older blokes late at night, who do "
         "i tell", None, False),
        # Something seen, but no asking who to tell: the record (or the form's own intent).
        ("i keep seeing young girls in the back of taxis at 2am, is that normal?",
         "licence_holder", False),
    ],
)
def test_a_licence_holder_telling_what_they_saw_is_offered_the_concern(
    text: str, who: str | None, starts_form: bool
) -> None:
    from actions.guidance import licence_concern_to_start

    started = licence_concern_to_start(tracker_for(text, who=who))
    assert (started == "licence_concern_form") is starts_form


def test_the_concern_follows_the_answer_and_says_who_to_tell_once() -> None:
    from actions.licence_concern import AskConcernDangerNow

    text = ("I'm a security officer at a shopping centre. We keep seeing men giving school "
            "girls new phones and then leaving with them. Should we report it?")
    dispatcher = CollectingDispatcher()
    events = ActionAnswerGuidance().run(dispatcher, tracker_for(text), {})
    assert events[-1] == {"event": "followup", "timestamp": None,
                          "name": "licence_concern_form"}
    answer = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert "From:" in answer  # the record's answer, cited, comes first

    def opening(before: list[dict]) -> str:
        asked = CollectingDispatcher()
        user = {"event": "user", "text": text}
        AskConcernDangerNow().run(asked, tracker_for(text, events=[user, *before]), {})
        return asked.messages[0]["text"]

    told = [{"event": "bot", "text": "... or the Licensing Team on 0121 303 9611."}]
    assert "Who to tell" in opening([]) and "0121 303 9611" in opening([])
    assert "Who to tell" not in opening(told) and "danger right now" in opening(told)


CARERS_NOTIFICATIONS = "lac-notify-social-worker-edt"


@pytest.mark.parametrize(
    ("text", "record"),
    [
        # A carer of a looked-after child who has not come back, asking who to tell.
        ("my foster daughter hasnt come home, who do i have to tell?", CARERS_NOTIFICATIONS),
        ("the lad we foster isnt back yet and its gone midnight, who do i ring",
         CARERS_NOTIFICATIONS),
        ("our 14 year old in residential hasnt returned to the home, who needs to know",
         CARERS_NOTIFICATIONS),
        ("one of the girls at our childrens home has run off, who do we tell",
         CARERS_NOTIFICATIONS),
        ("grandson lives with me under a care order and hes not come back, do i tell his "
         "social worker", CARERS_NOTIFICATIONS),
        # Not that situation: each has its own record.
        ("my son is missing, who do i tell", None),  # a parent
        ("LAC on my caseload has gone missing from her placement. As the SW, who am I "
         "supposed to notify?", None),
        ("our foster son came back last night, who do i need to tell", None),
        ("who do i tell about the return interview for my foster daughter who went missing",
         None),
        ("ran away from the childrens home and im scared, who do i call", None),
        ("childminder - the little girl i look after has gone off, who do i tell", None),
        ("my foster son has gone missing, what do I put on the form", None),
        # Looked after, rang in but won't say where: still missing, still told.
        ("shes 14 and looked after, she phoned to say shes ok but wont tell me where she is. "
         "should i still report it", CARERS_NOTIFICATIONS),
        # A licence holder asking who to tell, or what to look out for.
        ("i run a small hotel, who should we give this information to", "licence-who-to-contact"),
        ("taxi driver here, not sure if i'd be wasting police time with this",
         "licence-who-to-contact"),
        ("i work at a takeaway, what are the signs i should look out for", "licence-what-is-cse"),
        # Training to spot the signs is the letter's training offer, not the signs.
        ("i run an off licence, can the council train my staff on spotting cse", None),
        ("what are the signs of grooming", None),  # nobody said who: the voices choose
        # A parent fearing exploitation asks who to go to: the MASH, unless a service is named.
        ("my daughter keeps getting lifts from older men, who do i go to", "contact-mash"),
        ("worried my son is being groomed, who should i speak to", "contact-mash"),
        ("worried about grooming, who do i ring at barnardos", None),
        # Whether the police talk counts as the return interview: it does not.
        ("an officer spoke to him for 10 mins, does that count as his return interview?",
         "police-missing-debrief"),
        ("my manager says the police debrief means we don't need the return interview",
         "police-missing-debrief"),
        ("what does the police debrief involve", None),
        ("is a child missing from education the same process as missing from home?",
         "cme-not-same-as-missing-from-home"),
        ("my daughter keeps messaging an older lad and she's not home, do i ring the police now "
         "or do i have to search first?", None),
        # A child taken in front of someone: a crime in action, to the police at once.
        ("his dad snatched our 6 year old at the park and hes not allowed contact, what now",
         "definition-child-abduction"),
        ("her uncle turned up at nursery and drove off with her, we never agreed to it",
         "definition-child-abduction"),
        ("my daughter ran off with her boyfriend last night", None),
        # A school asking whether the missing-education procedure binds its kind of school.
        ("we're a free school, do we have to follow the CME procedure as well?",
         "cme-five-day-referral"),
        ("does the missing education referral apply to academies", "cme-five-day-referral"),
        ("one of our pupils at the academy has gone missing from home", None),
        ("does the missing from home guidance apply to a 17 year old", None),
        # Asking whether they must wait before reporting: no waiting period, and the checks.
        ("its 8pm and he's not home, do i have to wait 24 hrs before calling the police",
         "parent-carer-reporting"),
        ("how long do we have to wait before we can report her missing?", "parent-carer-reporting"),
        ("do i wait 24 hours since shes nearly an adult anyway", "parent-carer-reporting"),
        ("my son is 14 not answerin his phone who do i ring do i hav to wait",
         "parent-carer-reporting"),
        ("we waited 24 hours for the strategy meeting, is that normal", None),
        # A child who has just come back: the police visit, then the return interview.
        ("she just walked back in at 3am, seems ok. what do i need to do now, can it wait "
         "till morning", "safe-and-well-check"),
        ("our son came back this morning, is anything else supposed to happen now?",
         "safe-and-well-check"),
        ("he came back last night but has gone missing again, what now", None),
        ("my foster daughter came back this morning, what happens now", "lac-returning"),
        ("our resident came back to the unit, what now", "lac-returning"),
        # A return interview refused, however it is put.
        ("yp came back on sunday, childrens society rang to offer him a return interview and "
         "he basically told them where to go. does it just get dropped then?",
         "return-interview-declined"),
        ("what if she says no to the return interview", "return-interview-declined"),
        ("what is a return interview and who does it", None),
        ("LAC on my caseload got back yesterday, what are my tasks now", None),
        ("do i have to wait for the police to tell me", None),
        # A child taken by someone: a crime in action, not the searches before reporting.
        ("his mum pulled him into a car outside the house and drove away, she has no "
         "contact, do i look for him first?", "definition-child-abduction"),
        ("my 9 year old has been snatched from the park, what do i do",
         "definition-child-abduction"),
        ("she grabbed her bag and ran off after a row, should i look for her first", None),
        ("what does the guidance say about a parent who took the child to school late", None),
        # A child who keeps going missing, and what more happens.
        ("third time this month our lad has run off from the home, what more can be done",
         "persistent-missing-support"),
        ("she's gone missing again, who do i ring", None),
        ("he keeps going missing and there's a MASE next week, what is that meeting", None),
        # A parent told the police will notify the MASH asks about the MASH.
        ("police brought my daughter home last night and said they'll let MASH know, what "
         "happens now?", None),
        # The parent of a child in care who was not told she went missing.
        ("my daughter is in care with a foster family. shes been missing since monday and "
         "nobody from social services told me. am i not entitled to be told??",
         "lac-notify-parents"),
        ("my son is in care, why wasn't i told he ran off", "lac-notify-parents"),
        # A licence holder's request for training is not who to tell about a concern.
        ("I manage a 60-room hotel and want my staff to have CSE awareness training. "
         "Who do I contact to arrange that?", None),
        ("who do i ring about a CSE worry at my b&b, its not an emergency",
         "licence-who-to-contact"),
        # Asking for the number of social services about signs of exploitation: the MASH...
        ("the 12 yr old girl next door keeps getting picked up by older lads in flash cars "
         "and shes got a new iphone. i want to talk to social services, whats the number",
         "contact-mash"),
        # ...but a child reported missing is the police's first.
        ("dropped a young lad at a house with 2 older blokes, now hes been reported missin "
         "on facebook. whats the number", None),
        # Whether a child must go back is the plan for a safe return...
        ("my foster carer hit me. if they find me do i hav 2 go bk there", "planning-for-return"),
        ("will social services make her go back to that care home", "planning-for-return"),
        ("if my foster son comes back will he come back to me? who decides", "planning-for-return"),
        # ...but back to school is the education procedure.
        ("will they make me go back to school", None),
        # A pupil off and a fear of forced marriage: the CASS and the police at once,
        # not the five-day route...
        ("one of our year 9 boys hasnt been in all week and his cousin says he has been "
         "sent abroad to be married. is it still the normal cme referral",
         "cme-safeguarding-concerns-cass"),
        # ...but where the procedure is listed is the list of procedures.
        ("a pupil may be taken abroad to marry, which procedure covers that", None),
        # A few words with an officer is the police debrief, not the return interview.
        ("an officer had a quick word with her when she got back, is that her return "
         "interview then", "police-missing-debrief"),
    ],
)
def test_the_situation_decides_the_record(text: str, record: str | None) -> None:
    assert situation.decided_record(text, None) == record


def test_a_decided_record_comes_first_whatever_the_words_share() -> None:
    from actions.guidance import rank_records

    text = "one of the girls at our childrens home has run off, who do we tell"
    assert rank_records(text, None, {})[0].record_id == CARERS_NOTIFICATIONS
    # Placed here by another council: the out-of-area record says who else is told.
    placed = ("one of our girls was placed with us by Wolverhampton council and has run off, "
              "who do we tell")
    assert situation.decided_record(placed, None) == CARERS_NOTIFICATIONS
    assert rank_records(placed, None, {})[0].record_id != CARERS_NOTIFICATIONS


def test_a_child_who_keeps_going_missing_brings_the_charters_presumption() -> None:
    # Whatever the answer was about, repeat episodes bring the Charter's presumption of
    # significant harm, said once, and worded for a young person.
    reply = answer("fourth time since christmas our foster son has gone awol, police have "
                   "him on a log, who do I let know?")
    assert reply.count("significant harm") == 1 and "risk management meeting" in reply
    young = "\n".join(situation.notes("this is like the 5th time ive run off", "young_person", ""))
    assert "significant harm" in young and "not punishing you" in young
    assert not situation.keeps_going_missing("second time I've asked, what is a strategy meeting")
    assert not situation.keeps_going_missing("she went to her nan's, what do i do")
    # A habit is repeat episodes too.
    assert situation.keeps_going_missing("our 17 yr old goes awol most weekends, is it worth "
                                         "reporting him every time")


def test_children_moved_about_by_adults_are_named_as_possible_trafficking() -> None:
    from guidance_corpus.loader import load_corpus

    contacts = load_corpus().contacts
    reply = answer("a man keeps paying me to drive three teenage girls from the city centre to "
                   "different houses in coventry, what should i do?")
    assert reply.count("trafficking victim") == 1
    assert contacts["nspcc_trafficking"].phone in reply
    young = "\n".join(situation.notes("they keep driving me n my mates to different houses",
                                       "young_person", ""))
    assert "never your fault" in young and contacts["childline"].phone in young
    assert not situation.shows_trafficking_signs("i drove my daughter to her friend's house")


def test_doubt_that_a_teenager_is_a_child_is_answered_with_the_age() -> None:
    # Whatever the record, someone wondering whether a 16- or 17-year-old counts is told
    # that a child is anyone under 18 and the Charter's 15-17s are not adults; said once.
    reply = answer("bloke on reception says the lad is 17 so he's basically an adult and can "
                   "check in on his own, who should we ring about it?")
    assert reply.count("18th birthday") == 1 and "not adults" in reply
    young = "\n".join(
        situation.notes("im 16 so its my own choice where i stay", "young_person", ""))
    assert "until your 18th birthday" in young
    for text in ("my 16 year old is at her nan's, who do i tell",
                 "is an adult allowed to stay in the home"):
        assert not situation.doubts_a_teenager_is_a_child(text)


def test_a_neighbour_telling_of_children_is_not_answered_as_a_child() -> None:
    from actions.guidance import rank_records, young_person_only_records

    text = ("lots of different men visit the flat across the road and there's some teenage "
            "girls there most nights, one looked really upset, who do i even talk to?")
    ranked = [c.record_id for c in rank_records(text, None, {})]
    assert ranked and not set(ranked) & young_person_only_records()
    # A young person saying who they are still gets their own records.
    young = rank_records("im 14 and i dont feel safe tonight, where can i go", None, {})
    assert young[0].record_id in young_person_only_records()


def test_every_decided_record_is_in_the_corpus() -> None:
    from guidance_corpus.loader import load_corpus

    records = load_corpus().records
    for rule in situation.phrases().decides_record:
        assert {rule.record, *rule.shown_with} <= set(records), rule.record
    for item in situation.phrases().cannot_do:
        assert set(item.then_answer.values()) <= set(records), item.kind


@pytest.mark.parametrize(
    "text",
    [
        "older men keep picking my 14 year old up in cars and she has a new phone i didnt "
        "buy. who do i go to?",
        # Signs described without the word, from a neighbour: the MASH and what CSE is,
        # not only the police's numbers.
        "the house next door has different men turning up at all hours and a couple of "
        "young teenage girls who dont live there. who would i even tell?",
    ],
)
def test_someone_fearing_exploitation_is_told_who_to_go_to_and_what_it_is(text: str) -> None:
    from actions.guidance import choose

    record, also = choose(text, None, {})
    assert record is not None and record.id == "contact-mash"
    assert also and also[0].id == "definition-cse"


def test_a_child_missing_now_is_reported_first_whatever_the_signs() -> None:
    assert situation.decided_record(
        "our 13 year old was last seen getting into a car with older boys three hours ago, "
        "do we report him to the police or social services?", None) is None


def test_someone_who_checks_id_on_the_door_is_a_licence_holder() -> None:
    text = ("the same blokes in their 30s buy drinks for girls who look 14. I've got ID "
            "checks on the door but they get through. who do I tell?")
    assert situation.audience_in(text) == "licence_holder"
    assert situation.decided_record(text, "licence_holder") == "licence-who-to-contact"


def test_someone_with_a_runaway_child_is_given_the_helplines_for_the_child() -> None:
    from guidance_corpus.loader import load_corpus

    contacts = load_corpus().contacts
    reply = answer("I'm at the coach station and there's a girl here, says she's 15, been "
                   "sleeping here two nights. She says she ran from her care home and begged "
                   "me not to tell anyone. What should I do?")
    assert contacts["runaway_helpline"].phone in reply and contacts["childline"].phone in reply
    assert "honest with them about who you tell" in reply
    # The shop's doorway and a night manager's lobby too; not a carer whose child ran off,
    # nor a question about runaways in general.
    assert situation.tells_of_a_runaway(
        "theres a boy sleeping rough in the doorway of my shop, looks about 13",
        "licence_holder")
    for text in ("she ran off again last night, who do I ring",
                 "where can a runaway go that's safe according to the charter"):
        assert not situation.tells_of_a_runaway(text, None), text
    assert not situation.tells_of_a_runaway(
        "she's run off from here again, who do we tell", "carer")


def test_an_adult_is_not_offered_records_written_for_young_people() -> None:
    from actions.guidance import choose, young_person_only_records

    text = ("this is the 6th time since september my foster son (13) has gone missing. every "
            "time the police bring him back, someone phones him for a chat and a week later "
            "hes off again. what actually happens when a kid keeps doing this?")
    record, also = choose(text, "carer", {})
    assert record is not None and also
    assert not {r.id for r in also} & young_person_only_records()


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("one of my regulars (adult) keeps messaging the young kids who come in on the "
         "online games, asking for pics and offering them credit. where do i report online "
         "grooming?", "licence_holder"),
        ("a man on snapchat is grooming my daughter, who do i tell", "carer"),
    ],
)
def test_grooming_online_is_reported_to_ceop(text: str, who: str | None) -> None:
    assert situation.audience_in(text) == who
    assert situation.decided_record(text, who) is None
    assert "www.ceop.police.uk" in answer(text)


@pytest.mark.parametrize(
    ("text", "walkthrough"),
    [
        ("foster carer. my girl (12) was due back from school at 4 its now 6.15 and no sign. "
         "can you walk me thru what i should be doing", True),
        ("my son is missing, take me through it step by step", True),
        ("walk me through the return interview", False),
        ("she came back last night, talk me through what happens now", False),
    ],
)
def test_asking_to_be_walked_through_a_missing_child_starts_the_walkthrough(
    text: str, walkthrough: bool
) -> None:
    events = ActionAnswerGuidance().run(CollectingDispatcher(), tracker_for(text), {})
    started = any(e.get("event") == "followup" and e.get("name") == "search_walkthrough_form"
                  for e in events)
    assert started == walkthrough


def test_an_adult_who_says_who_they_are_is_not_answered_as_the_child() -> None:
    from actions.guidance import rank_records, young_person_only_records

    text = ("she's back now, it was the first time. the police said they will have to let "
            "social services know. are they going to take her off me?? i'm a good mum")
    ranked = rank_records(text, situation.audience_in(text), {})
    assert ranked and not {c.record_id for c in ranked} & young_person_only_records()


def test_a_crisis_with_a_question_without_a_question_mark_gets_the_answer() -> None:
    # As the pipeline parses it: the self-harm phrase is an entity.
    state = tracker_for("ive been cuttin again n i just wanna go sumwhere no1 knows me. im "
                        "in foster care if i go will my real mum get told", intent="crisis")
    state.latest_message["entities"] = [{"entity": "crisis_type", "value": "self_harm"}]
    dispatcher = CollectingDispatcher()
    ActionSafetyResponse().run(dispatcher, state, {})
    reply = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert "999" in reply and "Childline" in reply
    assert reply.index("999") < reply.index("From:")


def test_a_record_shown_with_another_brings_it_in_a_follow_up_too() -> None:
    # "What about her social worker?" after "she's back": the social worker's steps on a
    # return, and beside them the 2015 report's visit within three days.
    reply = answer_in_conversation(
        ["right shes back, walked in at 6am, had a shower and gone to bed. police know. "
         "what happens now from here", "what about her social worker?"],
        "safe-and-well-check")
    assert "When a looked after child returns" in reply
    assert "within three days" in reply


def test_placed_with_us_alone_is_not_a_placement_across_a_boundary() -> None:
    from actions.guidance import rank_records

    text = ("Foster carer. The 13 year old placed with us has gone off and it's late on a "
            "sunday, who do I need to tell?")
    assert rank_records(text, None, {})[0].record_id == CARERS_NOTIFICATIONS


def answer_in_conversation(said: list[str], last_record: str) -> str:
    """The guidance answer to the last of ``said``, the person's messages in order, after
    ``last_record`` was shown."""
    events = [e for text in said
              for e in ({"event": "user", "text": text}, {"event": "bot", "text": "..."})][:-1]
    state = Tracker("tester", {"audience": None, "last_record": last_record},
                    {"text": said[-1], "intent": {"name": "guidance"}, "entities": []},
                    events, False, None, {}, "")
    dispatcher = CollectingDispatcher()
    ActionAnswerGuidance().run(dispatcher, state, {})
    return str(dispatcher.messages[0]["text"])


def test_a_follow_up_that_names_no_one_is_read_with_the_message_before() -> None:
    reply = answer_in_conversation(
        ["our LAC (14) got back to his placement last night after two days away, "
         "what do i have to do now as his social worker?",
         "and how soon do i need to visit him myself?"], "lac-returning")
    assert "three days" in reply or "3 days" in reply, reply
    assert not reply.startswith(answer_start("lac-returning"))


def answer_start(record_id: str) -> str:
    from guidance_corpus.loader import load_corpus

    return load_corpus().records[record_id].answer[:60]


@pytest.mark.parametrize(
    ("text", "follow_up"),
    [
        ("how quickly am i meant to see him myself?", True),
        ("what if she refuses it", True),
        ("what if my daughter refuses the return interview", False),
        ("what does MASH stand for", False),
        ("does the school need to know about her", True),
        ("is there supposed to be some kind of meeting now?", True),
        ("and who does that, the council?", True),
        ("who else can i ring apart from the police", True),
        ("is there a meeting when a looked after child is missing for 3 days", False),
    ],
)
def test_what_counts_as_a_follow_up(text: str, follow_up: bool) -> None:
    assert situation.is_follow_up(text) is follow_up


def test_saying_who_you_are_after_a_question_answers_it_for_you() -> None:
    from actions.conversation import ActionSetAudience

    first = "how long do you have to wait before you can report a child missing"
    then = "she's 14 and in foster care, i'm her foster carer"
    events = [{"event": "user", "text": first}, {"event": "bot", "text": "..."},
              {"event": "user", "text": then}]
    state = Tracker("tester", {"audience": "carer", "last_record": "parent-carer-reporting"},
                    {"text": then, "intent": {"name": "choose_audience"}, "entities": []},
                    events, False, None, {}, "")
    dispatcher = CollectingDispatcher()
    ActionSetAudience().run(dispatcher, state, {})
    reply = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert "From:" in reply and "I can help with" not in reply, reply
    # A button press, or the first message, still gets the menu.
    pressed = Tracker("tester", {"audience": "carer"},
                      {"text": '/choose_audience{"audience": "carer"}',
                       "intent": {"name": "choose_audience"}, "entities": []},
                      [{"event": "user", "text": '/choose_audience{"audience": "carer"}'}],
                      False, None, {}, "")
    dispatcher = CollectingDispatcher()
    ActionSetAudience().run(dispatcher, pressed, {})
    assert "I can help with" in dispatcher.messages[0]["text"]


def test_a_fragment_carries_on_from_the_answer_just_shown() -> None:
    reply = answer_in_conversation(
        ["looked after girl on my caseload has been missing since last night, who do i notify?",
         "if she's still not back tomorrow night that's 48 hours, what happens then?",
         "and at 72?"], "lac-not-found-48-hours")
    assert "strategy meeting" in reply and "5 working days" in reply, reply


@pytest.mark.parametrize(
    ("text", "still_missing"),
    [
        ("one of the lads hasn't come back to the unit and we don't know where he is", True),
        ("my foster daughter has gone missing again, is there a meeting?", True),
        # A return is named: after-return records stay where the voices put them.
        ("he came back last night after three days away, what now?", False),
        ("she's still missing, what happens when the police find her?", False),
        ("he's been missing two days, when he comes home will someone talk to him?", False),
        ("what is a return interview", False),
    ],
)
def test_records_about_a_return_step_back_while_the_child_is_missing(
    text: str, still_missing: bool
) -> None:
    stepped_back = situation.not_for_a_child_still_missing(text)
    assert bool(stepped_back) == still_missing
    assert not stepped_back or "return-interview" in stepped_back


def test_once_the_child_is_back_the_missing_deadlines_step_back() -> None:
    # The 48-hour notification had come first: "looked after", "reported missing".
    from actions.guidance import rank_records

    text = ("its 3am, we've found a looked after girl who was reported missing earlier and her "
            "carer isn't answering. who at the council do we tell at this hour that she's found?")
    best = rank_records(text, "professional", {})[0].record_id
    assert best not in situation.phrases().missing_records
    assert best == "contact-emergency-duty-team"


def test_a_meeting_asked_about_while_she_is_still_missing_is_the_missing_meeting() -> None:
    # Without the step back, seeing the child within three days of her return came first.
    from actions.guidance import rank_records

    text = ("our 16 year old resident hasnt come home and we dont know where she is. reported "
            "to police on tuesday evening, friday evening now, about 3 days. should there be a "
            "meeting now?")
    assert rank_records(text, "carer", {})[0].record_id == "lac-strategy-meeting-72-hours"


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("our son came back this morning, he'd been gone since saturday night", True),
        ("police found him last night, whats due now", True),
        ("she got back at 2am what do i need to do", True),
        ("my foster son went missing last night but came back this morning, what now?", True),
        ("he came back yesterday but has gone missing again", False),
        ("he hasnt got back yet", False),
        ("what happens when he comes back", False),
        ("she has been missing since friday, what's due", False),
        ("how do i let children's services know she's found", True),
        ("what happens when she's found", False),
        ("she still hasn't been found", False),
    ],
)
def test_whether_the_child_is_back(text: str, back: bool) -> None:
    assert situation.child_is_back(text) is back


@pytest.mark.parametrize(("text", "record"), [
    ("how much is the fine if the council finds CSE going on at my premises?",
     "licence-consequences"),
    ("if i report it will they take my licence off me", "licence-consequences"),
    # "She says she's fine" is not a fine.
    ("private hire driver, a girl of 15 gets in with older men every week, she says shes fine",
     None),
])
def test_a_licence_holder_asking_what_could_happen_to_them(text: str,
                                                            record: str | None) -> None:
    assert situation.decided_record(text, "licence_holder") == record


def test_refusing_to_serve_and_barring_are_a_licence_holders_words() -> None:
    assert situation.audience_in("my staff refused to serve him and barred him") \
        == "licence_holder"
    assert situation.audience_in("pub landlord, what is cse") == "licence_holder"


def test_a_carers_own_child_not_back_and_what_to_do() -> None:
    assert situation.reports_own_child_not_back(
        "my foster daughter hasnt come back from her mates, what do i do now")
    assert situation.reports_own_child_not_back("our lad isnt back yet, who do i ring")
    # Someone else's child, a child who is back, or no question: not this.
    assert not situation.reports_own_child_not_back(
        "a girl at the hostel hasnt come back, what do i do")
    assert not situation.reports_own_child_not_back(
        "my son came back at 2am after going missing, what do i do now")
    assert not situation.reports_own_child_not_back("my daughter hasnt come home")


def test_someone_thinking_of_running_gets_childline_even_beside_the_runaway_helpline() -> None:
    # An answer that names only the Runaway Helpline still gets both lines added.
    said = "\n".join(situation.notes("thinkin of just goin, who cn i talk to", None,
                                     "Also relevant: Runaway Helpline: Freephone 116 000"))
    assert "0800 1111" in said


def test_who_to_notify_by_now_with_a_stated_time_is_what_is_due() -> None:
    """ "missing since monday morning and it's now wednesday morning ... who else do I have
    to notify at this point?": the missing clock, so the 48-hour notification is named."""
    text = ("LAC on my caseload (14, residential) has been missing since monday morning and "
            "it's now wednesday morning, no sightings. Apart from police and EDT already "
            "knowing, who else do I have to notify at this point?")
    assert situation.asks_what_is_due(text)
    dispatcher = CollectingDispatcher()
    # The clock reads "LAC" from what the person typed, as the tracker holds it.
    ActionAnswerGuidance().run(
        dispatcher, tracker_for(text, events=[{"event": "user", "text": text}]), {})
    said = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert "Executive Director" in said and "48 hours" in said
    # Who to tell, with nothing about by when, stays a question about who to tell.
    assert not situation.asks_what_is_due(
        "his social worker will have gone home by now so who do i tell?")


@pytest.mark.parametrize(("text", "record"), [
    ("we had a massive row and my 16 yr old stormed out 2 hours ago, police have been "
     "told. im sat here going out of my mind. is there anyone i can actually talk to "
     "tonight", "resources-parents"),
    ("is there a helpline for parents whose kid has run off", "resources-parents"),
    # Someone to talk to the child is the return interview's, not the parent's support.
    ("my lad got picked up by the police at 2am, will somebody come and talk to him", None),
])
def test_a_parent_asking_for_someone_to_talk_to_gets_support_for_parents(
    text: str, record: str | None
) -> None:
    assert situation.decided_record(text, situation.audience_in(text)) == record


def test_a_parent_is_not_answered_as_the_young_person() -> None:
    from actions.guidance import answer_messages

    said = ("we had a massive row and my 16 yr old stormed out, im going out of my mind. "
            "who can i talk to")
    messages, _, answered = answer_messages(
        {"text": said, "intent": {"name": "guidance"}, "entities": []}, None)
    assert answered and "You have not done anything wrong" not in messages[0]["text"]
    # A brother or sister is not the person's own child.
    assert situation.speaks_of_own_child("my 16 yr old stormed out")
    assert not situation.speaks_of_own_child("my 13 yr old sister has run off")


@pytest.mark.parametrize(("text", "told_to_report"), [
    ("my daughter is 17 and has been gone since yesterday. when i rang someone basically "
     "said shes nearly an adult and can do what she wants. is that true? should i just "
     "leave it", True),
    # The police know, or it is about a pattern, or the child is back: nothing to add.
    ("my son is 17 hes been gone since thursday. police said hes nearly an adult", False),
    ("my daughter has gone missing four times since christmas, is she still a child", False),
    ("my daughter was gone since friday but came back this morning, is she still a child",
     False),
    # A young person's own running away gets the helplines, not this.
    ("ive been gone since friday, am i still a child", False),
])
def test_a_parent_whose_child_is_gone_and_not_reported_is_told_to_ring_the_police(
    text: str, told_to_report: bool
) -> None:
    said = "\n".join(situation.notes(text, situation.audience_in(text), ""))
    assert ("phone 101 now" in said) is told_to_report


@pytest.mark.parametrize(("text", "record"), [
    # Residential staff's words for a child they look after, and the signs described.
    ("bit worried about one of our young people, 15. always comes back late smelling of "
     "drink with a new phone, men in their 20s picking her up. what should we be doing",
     "contact-mash"),
    # A child back, and the police want to see her: the debrief, and what it is for.
    ("She walked back in at 1am, shes fine. They said they want to come and speak to her, "
     "why is that if shes home safe", "police-missing-debrief"),
    # Known whereabouts for a child in care: absent without authorisation, unless at risk.
    ("we know exactly where our resident is, hes at his mums flat but wont come back. does "
     "that count as missing?", "definition-unauthorised-absence"),
    # Known, but a worrying address: the answer on whereabouts that raise concern.
    ("we know exactly where our foster daughter is, at a flat with men in their twenties. "
     "is she still missing?", None),
])
def test_what_a_carer_describes_decides_the_answer(text: str, record: str | None) -> None:
    who = situation.audience_in(text)
    assert who == "carer" or "our resident" not in text
    assert situation.decided_record(text, who) == record


@pytest.mark.parametrize(("text", "record"), [
    ("reported my son (13) at 6pm, the officer rang back and said hes been put down as "
     "'absent' not 'missing'. whats the difference?", "police-definitions-missing-absent"),
    ("police said im 'absent' not 'missing', what does that mean for me",
     "police-definitions-missing-absent"),
    # A pupil absent from school, or the guidance's own definition: not the police's.
    ("pupil absent 3 days, parents say she is missing, what does that mean for the school",
     None),
])
def test_absent_not_missing_from_the_police_is_their_two_definitions(
    text: str, record: str | None
) -> None:
    assert situation.decided_record(text, situation.audience_in(text)) == record


def test_who_to_at_the_end_asks_who_to_tell() -> None:
    assert situation.asks_who_to_tell("am i even allowed to report anything and who to?")
    assert not situation.asks_who_to_tell("who to trust is hard")


@pytest.mark.parametrize(("text", "record"), [
    ("Got the council letter about child sexual exploitation. what is actually required of "
     "me legally as a pub, and what happens if something happens and I've done nothing?",
     "licence-legal-duties"),
    ("what can happen to me if cse happens in my hotel and i didnt do anything about it",
     "licence-consequences"),
])
def test_a_licence_holder_asking_what_the_law_requires(text: str, record: str) -> None:
    assert situation.decided_record(text, "licence_holder") == record
    if record == "licence-legal-duties":
        assert situation.decided_rule(text, "licence_holder").shown_with \
            == ("licence-consequences",)


@pytest.mark.parametrize(("text", "record"), [
    ("DSL here. Year 7 girl on a CP plan absent 2 days, unauthorised. stepdad was "
     "aggressive at the door. surely I shouldnt wait 5 days? who do I call",
     "cme-safeguarding-concerns-cass"),
    ("pastoral lead: boy on a CP plan has not been in, should we ring his social worker",
     None),
])
def test_a_pupil_off_with_a_safeguarding_concern_goes_to_the_cass_at_once(
    text: str, record: str | None
) -> None:
    assert situation.decided_record(text, "professional") == record


def test_a_young_person_placed_in_another_town_asks_who_does_the_interview() -> None:
    text = ("im in a care home in wolverhampton but my social worker is from brum. i went "
            "missing at the wknd. who does my return interview then")
    assert situation.decided_record(text, "young_person") == "out-of-area-return-interviews"
    # Placed in Birmingham by another council is the other way round.
    assert situation.decided_record(
        "our resident is placed here by stoke, who does his return interview",
        "carer") != "out-of-area-return-interviews"


def test_signs_asked_for_to_brief_staff_come_with_sharing_the_letter() -> None:
    text = ("I want to brief our housekeeping and reception teams on CSE. What should they "
            "be looking out for, and am I allowed to just forward them the council's letter?")
    rule = situation.decided_rule(text, None)
    assert rule is not None and rule.record == "licence-what-is-cse"
    assert rule.shown_with == ("licence-posters-training",)
    # Asked only for the signs: the signs alone.
    alone = situation.decided_rule("night manager: what signs should I look out for", None)
    assert alone is not None and alone.shown_with == ()
