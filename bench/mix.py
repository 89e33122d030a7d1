"""The simulated people the bench drives: what real use looks like, not one short script.

Each kind of conversation is a first message and a persona: the answer a person gives to
a question the assistant asks (matched by a pattern in its reply), until the conversation
reaches its end. Answers are written in sentences, as people type them. The mix is
weighted by how often each kind is expected (guidance questions most, referrals least).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    opening: tuple[str, ...]  # sent one after another, whatever the replies
    persona: tuple[tuple[str, str], ...]  # (pattern in the reply, answer)
    done: str  # a reply matching this ends the conversation
    max_turns: int
    weight: int

    def answer(self, reply: str) -> str | None:
        return next((a for pattern, a in self.persona if re.search(pattern, reply, re.I)), None)


GUIDANCE = Kind(
    name="guidance",
    opening=(
        "hello",
        '/choose_audience{"audience": "carer"}',
        "what's the weather like",
        "when does the return interview have to happen",
        "my child is in danger right now",
        "are you a real person?",
        "who do i tell apart from the police if it's late on a saturday",
        "thanks",
    ),
    persona=(),
    done=r"$^",
    max_turns=0,
    weight=3,
)

WALKTHROUGH = Kind(
    name="walkthrough",
    opening=("my foster daughter hasn't come back tonight and she isn't answering",),
    persona=(
        (r"immediate danger", "no, I don't think she's in danger, just late"),
        (r"looked after", "yes, she's looked after by Birmingham"),
        (r"why they might be away", "she has been arguing with her boyfriend"),
        (r"phone them", "I've rung her a lot, it goes to voicemail"),
        (r"local area", "I've walked round the park and the high street"),
        (r"places they usually go", "her nan's, she isn't there"),
        (r"friends and family", "I've messaged her friends, nobody has seen her"),
        (r"school", "school is closed now"),
        (r"parents and (other )?relatives", "her mum hasn't heard from her"),
        (r"other residential homes", "not relevant"),
        (r"carers and professionals", "skip"),
        (r"last seen|when did", "about 7pm this evening"),
        (r"right\?|is that right", "yes that's right"),
    ),
    done=r"Tell the police:",
    max_turns=16,
    weight=2,
)

REFERRAL = Kind(
    name="referral",
    opening=('/choose_audience{"audience": "carer"}',
             "I need to make a referral to MASH, the boy I foster went missing last night"),
    persona=(
        (r"stay anonymous|change an answer|before it is sent", "yes that's all correct, send it"),
        (r"your name\?", "My name is Bench Tester."),
        (r"your role\?", "I'm his foster carer."),
        (r"organisation", "Birmingham fostering service"),
        (r"reach you\?", "email bench@example.org"),
        (r"child's name\?", "His name is Test Child."),
        (r"date of birth", "he's 15"),
        (r"gender\?", "boy"),
        (r"address or placement\?", "his foster placement in Selly Oak"),
        (r"looked after", "yes, by Birmingham City Council"),
        (r"local authority", "yes"),
        (r"social worker\?", "yes, I've told his social worker"),
        (r"where were they last seen\?", "near the station"),
        (r"last seen\?", "about 9pm last night"),
        (r"who were they with", "not known"),
        (r"look like", "tall, short brown hair, black coat"),
        (r"risks apply", "none that I know of"),
        (r"police been told\?", "yes, I rang 101"),
        (r"police reference", "yes that's right"),
        (r"school or college", "Bench Academy"),
        (r"family been told", "yes his dad knows"),
        (r"significant harm\?", "not sure"),
        (r"family consent", "yes"),
    ),
    done=r"sent to MASH|reference is",
    max_turns=32,
    weight=1,
)

MIX: tuple[Kind, ...] = (GUIDANCE, WALKTHROUGH, REFERRAL)

# More fixed conversations that bench/transcripts.py records beside the mix (and
# tests/rasa_runtime/test_turn_cost.py replays): a licence holder's concern, a crisis
# inside a form, a stop and a change of audience.
SCRIPTS: dict[str, tuple[str, ...]] = {
    "licence": (
        '/choose_audience{"audience": "licence_holder"}',
        "I want to report a concern about something I saw at my hotel",
        "/deny",
        "a girl who looked very young came in with two men and went to a room",
        "the Example Hotel, reception",
        "last night about 11",
        "about 14",
        "two men in their 30s, one called Baz",
        "grey Vauxhall AB12 C??",
        "/affirm",
        "/affirm",
        "thanks",
    ),
    "crisis-in-form": (
        "my foster son has gone missing",
        "no",
        "yes he is looked after",
        "he texted saying he wants to kill himself",
        "stop",
        "what is a return interview",
        "read the full guidance",
    ),
    "audience-change": (
        "hi",
        '/choose_audience{"audience": "young_person"}',
        "I ran away from home last night",
        "I'm 14",
        '/choose_audience{"audience": "professional"}',
        "a pupil has not been in school for 10 days",
        "who do I call out of hours",
        "bye",
    ),
}


def schedule(conversations: int) -> list[Kind]:
    """`conversations` kinds in the mix's proportions, in a fixed interleaved order."""
    cycle = [kind for kind in MIX for _ in range(kind.weight)]
    return [cycle[i % len(cycle)] for i in range(conversations)]


# The stock `rasa init` bot cannot hold these conversations; it gets the same number of
# messages of its own kind (it answers greetings, moods and goodbyes).
REFERENCE_SCRIPT = ("hello", "I am sad", "yes", "are you a bot?", "great", "bye", "hi",
                    "not good", "no")
