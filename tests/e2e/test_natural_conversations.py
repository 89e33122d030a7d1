"""A simulated person who answers in their own sentences, never with button payloads.

Each persona is a list of (question regex, answer): the answer to the first pattern
that matches the assistant's last reply is typed, as a hurried person would type it.
The conversations run through the real stack (trained model, action server, API), and
every one is checked for a question asked three times.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pytest

from tests.e2e.conftest import Chat

Persona = list[tuple[str, str]]


@dataclass
class Conversation:
    chat: Chat
    persona: Persona
    replies: list[str] = field(default_factory=list)
    turns: int = 0

    def say(self, text: str) -> str:
        self.turns += 1
        messages = self.chat.say(text)
        reply = "\n".join(m.get("text", "") for m in messages)
        self.replies.append(reply)
        return reply

    def follow(self, first: str, done: str, max_turns: int) -> str:
        """Answer each question until `done` appears in a reply."""
        reply = self.say(first)
        while not re.search(done, reply, re.I):
            assert self.turns < max_turns, "\n---\n".join(self.replies[-4:])
            answer = next((a for pattern, a in self.persona if re.search(pattern, reply, re.I)),
                          None)
            assert answer is not None, f"the persona has no answer for: {reply!r}"
            reply = self.say(answer)
        assert_no_question_three_times(self.replies)
        return reply


def questions(reply: str) -> list[str]:
    return [q.strip() for q in re.findall(r"[^.!?\n]*\?", reply) if len(q.strip()) > 12]


def assert_no_question_three_times(replies: list[str]) -> None:
    for reply in replies:
        once = Counter(questions(reply))
        assert max(once.values(), default=0) <= 1, f"a question twice in one reply: {reply!r}"
    asked = Counter(q for reply in replies for q in questions(reply))
    worst = asked.most_common(1)
    assert not worst or worst[0][1] < 3, f"asked three times: {worst[0][0]!r}"


REFERRER = [
    (r"stay anonymous|change an answer|before it is sent", "yes that's all correct, send it"),
    (r"your name\?", "My name is Ottoline Brackenbury."),
    (r"your role\?", "I'm her foster carer."),
    (r"organisation", "I foster for Birmingham City Council's fostering service."),
    (r"reach you\?", "Email is best for me, it's ottoline@example.org"),
    (r"child's name\?", "Her name is Zedekiah Quillfeather."),
    (r"date of birth", "she's 14, born in March 2012"),
    (r"gender\?", "She's a girl."),
    (r"address or placement\?", "She lives with me, it's her foster placement in Erdington."),
    (r"looked after", "yes, she's looked after by Birmingham City Council"),
    (r"local authority", "yes"),
    (r"social worker\?", "Her social worker is Jo, I left her a voicemail this morning."),
    (r"where were they last seen\?", "walking towards the bus stop on Gravelly Hill"),
    (r"last seen\?", "About half past eight last night, she went out after tea."),
    (r"who were they with", "no idea to be honest"),
    (r"look like", "five foot three, long dark hair, grey puffer coat and white trainers"),
    (r"risks apply", "she's got a new phone we didn't buy and older men"),
    (r"police been told\?", "yes I rang 101 about an hour ago, the log number is 1234"),
    (r"police reference", "yes that's right"),
    (r"school or college", "Hill Academy, she didn't turn up today"),
    (r"family been told", "her mum knows, I rang her first thing"),
    (r"significant harm\?", "I'm not sure, sorry."),
    (r"family consent", "yes, she's happy for me to do this"),
]


def test_a_mash_referral_in_sentences_within_30_turns(chat: Chat) -> None:
    chat.say('/choose_audience{"audience": "carer"}')
    talk = Conversation(chat, REFERRER)
    sent = talk.follow(
        "I'm a foster carer and I'd like to make a referral to MASH please, the girl I look "
        "after didn't come back last night", r"sent to MASH", max_turns=30)
    assert re.search(r"reference is MR-\d{4}-\d{6}", sent), sent
    transcript = "\n".join(talk.replies)
    assert "1234" in transcript and "Birmingham City Council" in transcript
    assert "Please answer" not in transcript
    print(f"referral: {talk.turns} turns")


CONCERN = [
    (r"before it is sent|will be sent", "yes that's right, send it"),
    (r"danger right now\?", "No, she isn't here any more, this was last night."),
    (r"see or hear", "a girl who looked about 14 came in with two men, they paid cash for a "
                     "room and took her straight upstairs"),
    (r"where was this", "The Parkview Hotel on Navigation Street, room 214"),
    (r"when did this happen", "it was about 1am last night"),
    (r"how old did", "about 14"),
    (r"describe the adults", "two men in their 30s, one was called Dee"),
    (r"vehicles", "one of them drove a silver BMW, partial plate FN67"),
    (r"stay anonymous\?", "I'm happy to give my name."),
    (r"your name\?", "My name is Marek Nowak."),
    (r"reach you\?", "Email is easiest, it's night.manager@example.org"),
]


def test_a_licence_concern_in_sentences(chat: Chat) -> None:
    chat.say('/choose_audience{"audience": "licence_holder"}')
    talk = Conversation(chat, CONCERN)
    sent = talk.follow("I want to report a concern about something I saw at my hotel",
                       r"recorded with reference", max_turns=16)
    assert re.search(r"MR-\d{4}-\d{6}", sent) and "101" in sent
    assert "FN67" in "\n".join(talk.replies)
    print(f"licence concern: {talk.turns} turns")


PARENT = [
    (r"immediate danger", "no, I don't think she's in any immediate danger, I think she's "
                          "probably at a friend's house"),
    (r"looked after", "no, she lives at home with me, she isn't in care"),
    (r"why they might be away", "she's been arguing with her boyfriend"),
    (r"phone them", "I've rung her about ten times, no answer"),
    (r"local area", "we went round the park and the shops"),
    (r"places they usually go", "yes, her nan's and the shopping centre"),
    (r"friends and family", "I've messaged all her friends, nobody knows"),
    (r"school", "it's the weekend so school's no help"),
]


def test_the_walkthrough_for_a_child_at_home_in_sentences(chat: Chat) -> None:
    talk = Conversation(chat, PARENT)
    end = talk.follow("my daughter didnt come home last night and im really worried",
                      r"Tell the police:", max_turns=12)
    assert "101" in end and "999" in end
    assert "Phone 999 now" not in "\n".join(talk.replies)
    print(f"walkthrough, child at home: {talk.turns} turns")


CARER = [
    (r"immediate danger", "No, not that I know of."),
    (r"looked after", "yes"),
    (r"why they might be away", "he's done this before, he usually turns up at his mates"),
    (r"local area", "I've driven round the streets near us and checked the park"),
    (r"places they usually go", "the chippy and the skate park, not there"),
    (r"friends and family", "I've messaged his friend's mum and she hasn't seen him"),
    (r"school", "it's the weekend so school's no help"),
    (r"parents and (other )?relatives", "his mum hasn't heard from him"),
    (r"other residential homes", "not relevant"),
    (r"carers and professionals", "skip"),
    (r"on call manager", "yes I've told the on call manager"),
]


def test_the_walkthrough_for_a_looked_after_child_uses_what_was_said(chat: Chat) -> None:
    talk = Conversation(chat, CARER)
    end = talk.follow(
        "my foster son who is 14 hasn't come home, he went out last night around 11pm and "
        "I've rung him loads",
        r"Tell the police:", max_turns=14)
    transcript = "\n".join(talk.replies)
    assert "ticked" in transcript  # the phone step, from the first message
    assert "Phone them, send a text" not in transcript
    assert "social worker" in end
    # The time in the first message is read back, not asked for.
    assert "So since" in end and "When was the child last seen?" not in end
    clock = talk.say("yes")
    assert "48" in clock or "72" in clock
    print(f"walkthrough, looked after child: {talk.turns} turns")


@pytest.mark.parametrize(
    "when",
    [
        "He went off Monday night around 10.",
        "She's been missing since yesterday teatime.",
        "she was last seen about 8 o'clock last night",
        "She was last seen on Monday at 6pm and it's now Thursday evening",
    ],
)
def test_the_clock_from_four_ways_of_saying_when(chat: Chat, when: str) -> None:
    chat.say('/choose_audience{"audience": "carer"}')
    reply = chat.say_text(when)
    assert "So since" in reply, reply
    if "now Thursday" in when:
        assert "counting from the time you gave as now" in reply
        assert "Thursday" in reply
    clock = chat.say_text("yes")
    assert "guidance" in clock or "police" in clock, clock


def test_stop_leaves_the_referral_and_says_nothing_was_sent(chat: Chat) -> None:
    chat.say('/choose_audience{"audience": "carer"}')
    chat.say("I want to make a referral to MASH")
    chat.say("My name is Ottoline Brackenbury.")
    reply = chat.say_text("stop")
    assert "Nothing has been sent to MASH" in reply
    assert "0121 303 1888" in reply


def test_a_guidance_question_inside_the_referral_is_answered_and_the_form_goes_on(
    chat: Chat,
) -> None:
    chat.say('/choose_audience{"audience": "carer"}')
    chat.say("I want to make a referral to MASH")
    reply = chat.say_text("what is a return interview?")
    assert "return interview" in reply.lower()
    assert reply.rstrip().endswith("What is your name?")
    assert "What is your role?" in chat.say_text("My name is Ottoline Brackenbury.")


def test_typed_restart_gets_a_reply(chat: Chat) -> None:
    chat.say("hello")
    assert "started our conversation again" in chat.say_text("/restart")
