"""The MASH referral form's questions and how each answer is read.

Fields follow what multi-agency referral forms and the Philomena Protocol ask (see the
API's schema in api/schemas.py). Every question accepts an explicit "not known":
MARFs say "do not leave blank", so "not known" is recorded rather than a gap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import dateparser

from missing_clock import LONDON, parse_last_seen

NOT_KNOWN = "not known"
ADULT_AGE = 18

ROLES = {
    "foster_carer": "Foster carer",
    "residential_worker": "Residential worker",
    "parent": "Parent or family",
    "teacher": "Teacher or school",
    "police": "Police",
    "other": "Other",
}

# Risk indicators named in the documents (return-interview triage and red risk
# indicators), with the words people use for them.
RISK_WORDS: dict[str, tuple[str, ...]] = {
    "more_than_2_episodes": ("more than 2", "more than twice", "repeat", "several times",
                             "lots of times", "3 times", "three times", "often"),
    "cse": ("cse", "sexual exploitation", "exploit", "groom"),
    "gang_affiliation": ("gang", "county lines"),
    "substance_misuse": ("drug", "alcohol", "drink", "substance", "cannabis", "weed"),
    "mental_health": ("mental", "depress", "anxiety", "self-harm", "self harm"),
    "peer_association": ("peer", "friends", "associat", "older boys", "older men"),
    "troubled_family": ("family", "home life", "parents"),
    "disability": ("disab", "learning", "autis", "adhd", "special needs"),
    "domestic_violence": ("domestic", "violence at home"),
}
RISK_LABELS = {
    "more_than_2_episodes": "more than 2 missing episodes",
    "cse": "child sexual exploitation (CSE)",
    "gang_affiliation": "gang affiliation",
    "substance_misuse": "drugs or alcohol",
    "mental_health": "mental health needs",
    "peer_association": "worrying friends or peer group",
    "troubled_family": "troubled family situation",
    "disability": "physical or learning disability",
    "domestic_violence": "domestic violence",
}

_PHONE = re.compile(r"^(?:\+44\s?|0)(?:\d\s?){9,10}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_AGE = re.compile(r"^(?:aged?\s*)?(\d{1,2})\s*(?:years?|yrs?|y/?o)?(?:\s*old)?$")


class FieldError(ValueError):
    """An answer that cannot be recorded; the message is the calm re-prompt."""


def is_not_known(text: str) -> bool:
    cleaned = text.strip().lower().rstrip(".!")
    return cleaned in {NOT_KNOWN, "not know", "unknown", "don't know", "dont know", "dunno",
                       "no idea", "not sure", "idk", "n/k", "nk"}


def contact(text: str) -> dict[str, str]:
    """A UK phone number and/or an e-mail address, in any order."""
    phone = email = None
    for part in re.split(r"[,;/]|\s+and\s+|\s+or\s+", text):
        part = part.strip()
        if _EMAIL.match(part):
            email = part
        elif _PHONE.match(part):
            phone = re.sub(r"\s", "", part)
    if not phone and not email:
        raise FieldError(
            "That doesn't look like a UK phone number or an e-mail address. "
            "Please type a phone number (like 07700 900123) or an e-mail address."
        )
    return {key: value for key, value in (("phone", phone), ("email", email)) if value}


def dob_or_age(text: str, today: date) -> dict[str, object]:
    """{"age": 14} or {"date_of_birth": "2011-03-12"}; refuses 18+ and future dates."""
    cleaned = text.strip().lower()
    match = _AGE.match(cleaned)
    if match:
        age = int(match.group(1))
    else:
        parsed = dateparser.parse(
            cleaned, settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first",
                               "REQUIRE_PARTS": ["day", "month", "year"]},
        )
        if parsed is None:
            raise FieldError(
                "I couldn't read that as a date of birth or an age. You can type a date "
                "like 12/03/2011, an age like 14, or 'not known'."
            )
        born = parsed.date()
        if born > today:
            raise FieldError("That date of birth is in the future. What is the child's date "
                             "of birth, or their age?")
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age < ADULT_AGE:
            return {"date_of_birth": born.isoformat()}
    if age >= ADULT_AGE:
        raise AdultError()
    return {"age": age}


class AdultError(FieldError):
    def __init__(self) -> None:
        super().__init__(
            "This guidance, and a MASH referral, are for children under 18. For an adult who "
            "is missing, report it to the police (999 if they are in danger)."
        )


def missing_since(text: str, now: datetime) -> str:
    last_seen = parse_last_seen(text, now)
    if last_seen is None:
        raise FieldError("I couldn't work out the time. When was the child last seen? "
                         "For example '50 hours ago' or 'since Friday at 6pm'.")
    if last_seen.in_future:
        raise FieldError("That time is later than now. When was the child last seen?")
    return last_seen.when.astimezone(LONDON).isoformat()


def risk_indicators(text: str) -> dict[str, object]:
    """Named indicators are true; "none" makes all false; unnamed ones are not known."""
    cleaned = text.lower()
    if is_not_known(cleaned):
        return dict.fromkeys(RISK_WORDS, NOT_KNOWN)
    if cleaned.strip() in {"none", "no", "none of these", "nothing", "none of them"}:
        return dict.fromkeys(RISK_WORDS, False)
    found = {key: any(word in cleaned for word in words) for key, words in RISK_WORDS.items()}
    if not any(found.values()):
        raise FieldError(
            "I didn't recognise any of the risks in that. Type the ones that apply (for "
            "example 'CSE and drugs'), 'none', or 'not known'."
        )
    return {key: True if hit else NOT_KNOWN for key, hit in found.items()}


@dataclass(frozen=True)
class Question:
    slot: str
    text: str
    kind: str  # text | yes_no | role | contact | dob | since | risks | text_optional


QUESTIONS: tuple[Question, ...] = (
    Question("referrer_name", "What is your name?", "text"),
    Question("referrer_role", "What is your role?", "role"),
    Question("referrer_organisation", "Which organisation are you with (or 'none')?", "text"),
    Question("referrer_contact", "What phone number or e-mail address can MASH use to reach "
             "you?", "contact"),
    Question("child_name", "What is the child's name?", "text"),
    Question("child_dob_or_age", "What is the child's date of birth, or their age?", "dob"),
    Question("child_gender", "What is the child's gender?", "text"),
    Question("child_address", "What is the child's address or placement?", "text"),
    Question("child_looked_after", "Is the child looked after (in care)?", "yes_no"),
    Question("child_local_authority", "Which local authority is responsible for the child "
             "(for example Birmingham)?", "text"),
    Question("social_worker_known", "Does the child have an allocated social worker?", "yes_no"),
    Question("missing_since", "When was the child last seen?", "since"),
    Question("last_seen_where", "Where were they last seen?", "text"),
    Question("last_seen_with", "Who were they with, if anyone?", "text"),
    Question("description", "What do they look like, and what were they wearing?", "text"),
    Question("risks", "Do any of these apply? " + "; ".join(RISK_LABELS.values())
             + ". Type the ones that apply, 'none', or 'not known'.", "risks"),
    Question("police_informed", "Have the police been told?", "yes_no"),
    Question("police_reference", "What is the police reference number (or 'not known')?",
             "text"),
    Question("family_told", "Has the child's family been told about this referral?", "yes_no"),
    Question("harm_suspected", "Do you think the child is at risk of significant harm?",
             "yes_no"),
    Question("consent_to_share", "Has the family agreed to this information being shared "
             "with MASH? Consent is not needed where you think a child is at risk of "
             "significant harm: then MASH must be told anyway.", "yes_no"),
)
QUESTION_BY_SLOT = {question.slot: question for question in QUESTIONS}
