"""Answer readers: what a person meant, read from their own words.

Each reader is a small pure function (no Rasa imports), so each can be unit-tested and
used by any questionnaire. People answer in sentences ("yes, Birmingham City Council",
"no idea to be honest", "You can email me at dsl@example.org"), so a reader looks for
the answer *inside* the sentence and returns what is left for other questions to use.
A reader returns None when it finds no answer: the questionnaire then says what kind
of answer it wants instead of repeating itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import dateparser

NOT_KNOWN = "not known"
ADULT_AGE = 18

# "no idea", "dunno", "I'm not sure, sorry", "we honestly don't know".
_NOT_KNOWN_RE = re.compile(
    r"\b(?:not known|unknown|no idea|no clue|not a clue|dunno|donno|idk|n/k|not sure|unsure|"
    r"(?:do not|don'?t|dont|didn'?t|did not) (?:really |honestly |actually )?know|"
    r"(?:can'?t|cannot) (?:say|remember|be sure)|not certain|no one knows|nobody knows)\b"
)
# A reply that is *only* one of these is "not known" for any question.
_BARE_NOT_KNOWN_RE = re.compile(r"^\W*(?:nk|n/k|\?+)\W*$")
_YES_RE = re.compile(
    r"^\W*(?:yes|yeah|yea|yep|yup|ya|aye|yes please|sure|of course|definitely|absolutely|"
    r"correct|that'?s (?:right|correct)|right|ok|okay|please do|go ahead|send it)\b[\s,.!:;-]*"
)
_NO_RE = re.compile(
    r"^\W*(?:no|nope|nah|not really|not yet|never|none|not at all|not that i know of|"
    r"i don'?t think so|don'?t think so|i haven'?t|we haven'?t|i have not|we have not|"
    r"she isn'?t|he isn'?t|they aren'?t|she hasn'?t|he hasn'?t|they haven'?t|"
    r"she doesn'?t|he doesn'?t|they don'?t|nobody has|no one has)\b[\s,.!:;-]*"
)
# A negation anywhere in the first clause ("I don't think she's in danger", "as far as
# I know nobody has reported her") when the answer does not open with yes or no.
_NEGATION_RE = re.compile(
    r"\b(?:not|n't|never|nobody|no one|none|no)\b|(?:n't|n’t)\b"
)
_CLAUSE_END = re.compile(r"[,.;!?]|\bbut\b|\bbecause\b|\bso\b")


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, single spaces."""
    cleaned = text.replace("’", "'").replace("‘", "'").lower()
    return re.sub(r"\s+", " ", cleaned).strip()


def is_not_known(text: str) -> bool:
    """ "not known", "dunno", "no idea to be honest", "I'm not sure, sorry"."""
    cleaned = normalise(text)
    return bool(_BARE_NOT_KNOWN_RE.match(cleaned) or _NOT_KNOWN_RE.search(cleaned))


@dataclass(frozen=True)
class YesNo:
    value: bool | str | None  # True, False, NOT_KNOWN, or None when there is no answer
    rest: str  # the answer's other words, in the person's own case


def yes_no(
    text: str, yes_when: tuple[str, ...] = (), no_when: tuple[str, ...] = ()
) -> YesNo:
    """Yes, no or not known, read from the words, never from how alarming they sound.

    `yes_when` / `no_when` are the question's own patterns ("lives at home" answers
    "is the child looked after?" with no); they are tried first, and win over a
    leading "yes"/"no" only when that word is absent.
    """
    cleaned = normalise(text)
    for value, pattern in ((True, _YES_RE), (False, _NO_RE)):
        match = pattern.match(cleaned)
        if match and not (value is False and _NOT_KNOWN_RE.match(cleaned.lstrip(" \"'("))):
            return YesNo(value, text.strip()[match.end():].strip(" ,.;:-"))
    for value, patterns in ((False, no_when), (True, yes_when)):
        if any(re.search(p, cleaned) for p in patterns):
            return YesNo(value, text.strip())
    if is_not_known(cleaned):
        return YesNo(NOT_KNOWN, text.strip())
    first_clause = _CLAUSE_END.split(cleaned, maxsplit=1)[0]
    if _NEGATION_RE.search(first_clause):
        return YesNo(False, text.strip())
    return YesNo(None, text.strip())


# ---------------------------------------------------------------- contact details

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# UK numbers as people type them: "0121 303 1888", "07700900123", "+44 7700 900123".
PHONE_RE = re.compile(r"(?<![\d+])(?:\+44\s?\(?0?\)?\s?|0)(?:\d[\s-]?){9,10}(?!\d)")


def find_email(text: str) -> str | None:
    match = EMAIL_RE.search(text)
    return match.group(0).rstrip(".") if match else None


def find_phone(text: str) -> str | None:
    match = PHONE_RE.search(text)
    if not match:
        return None
    digits = re.sub(r"[^\d+]", "", match.group(0))
    return "0" + digits[3:].lstrip("0") if digits.startswith("+44") else digits


def find_contact(text: str) -> dict[str, str] | None:
    """{"phone": ..., "email": ...} from anywhere in the sentence, or None."""
    found = {key: value for key, value in (("phone", find_phone(text)),
                                           ("email", find_email(text))) if value}
    return found or None


# ---------------------------------------------------------------- age and date of birth

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20,
}
_NUMBER = r"\d{1,2}|" + "|".join(_WORD_NUMBERS)
_AGE_RES = (
    re.compile(rf"^\W*(?:aged?\s*)?(?P<n>{_NUMBER})\W*$"),
    re.compile(rf"\b(?P<n>{_NUMBER})\s*(?:years?|yrs?|y/?o)\b"),
    re.compile(r"\b(?:aged?|is|she'?s|he'?s|they'?re|they are|turned|just|looked|looks|look|"
               rf"about|around)\s+(?:about\s+|only\s+)?(?P<n>{_NUMBER})\b(?!\s*(?:th|st|nd|rd|/|:|\.\d|am|pm|o'?clock))"),
)
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|"
           "november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec")
_DATE_RES = (
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+\d{{4}}\b"),
    re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"),
)
_MONTH_YEAR_RE = re.compile(rf"\b(?P<month>{_MONTHS})\.?\s+(?:of\s+)?(?P<year>(?:19|20)\d\d)\b")
_YEAR_RE = re.compile(r"\bborn\s+in\s+(?P<year>(?:19|20)\d\d)\b")


def _age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _number(raw: str) -> int:
    return _WORD_NUMBERS[raw] if raw in _WORD_NUMBERS else int(raw)


def date_of_birth(text: str) -> date | None:
    """A whole date in any common form: 12/05/2012, 12th of May 2012, May 12 2012."""
    cleaned = normalise(text)
    for pattern in _DATE_RES:
        match = pattern.search(cleaned)
        if match:
            parsed = dateparser.parse(
                match.group(0).replace(" of ", " "),
                languages=["en"],
                settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first",
                          "REQUIRE_PARTS": ["day", "month", "year"]},
            )
            if parsed is not None:
                return parsed.date()
    return None


@dataclass(frozen=True)
class Age:
    age: int | None  # years
    born: date | None  # the whole date of birth, when it was given

    def as_payload(self) -> dict[str, object]:
        """The API's child fields: the date of birth when known, else the age."""
        if self.born is not None:
            return {"date_of_birth": self.born.isoformat()}
        return {"age": self.age}


def age_or_dob(text: str, today: date) -> Age | None:
    """ "she's 14", "14", "fourteen", "born in March 2012", "12th of May 2012"."""
    cleaned = normalise(text)
    born = date_of_birth(cleaned)
    if born is not None:
        return Age(_age_on(born, today), born)
    for pattern in _AGE_RES:
        match = pattern.search(cleaned)
        if match:
            return Age(_number(match["n"]), None)
    month_year = _MONTH_YEAR_RE.search(cleaned)
    if month_year:
        parsed = dateparser.parse(f"1 {month_year['month']} {month_year['year']}")
        if parsed is not None:
            # Without the day the age is the lower of the two it could be.
            return Age(_age_on(parsed.date().replace(day=28), today), None)
    year = _YEAR_RE.search(cleaned)
    if year:
        return Age(today.year - int(year["year"]) - 1, None)
    return None


# ---------------------------------------------------------------- references and names

_REFERENCE_RE = re.compile(
    r"\b(?:log|ref(?:erence)?|crime|incident|case|occurrence)(?:\s+(?:number|no\.?|num))?"
    r"\s*(?:is|was|:|#|-)?\s*"
    r"(?P<ref>[A-Z]{0,4}[-/ ]?\d[\w/-]*(?:\s+of\s+\d{1,2}/\d{1,2}(?:/\d{2,4})?)?)",
    re.IGNORECASE,
)


def reference(text: str) -> str | None:
    """A police log or reference number inside a sentence ("the log number is 1234")."""
    match = _REFERENCE_RE.search(text)
    return match["ref"].strip() if match else None


_COUNCIL_RE = re.compile(
    r"\b(?P<name>(?:[A-Z][a-z]+|and)(?:\s+(?:[A-Z][a-z]+|and))*?)\s+"
    r"(?P<kind>(?:City|Borough|County|Metropolitan|District)\s+)*Council\b"
)
_BY_RE = re.compile(r"\b(?:by|with|from|for)\s+(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")


def local_authority(text: str) -> str | None:
    """ "Birmingham City Council", or the place in "looked after by Birmingham"."""
    match = _COUNCIL_RE.search(text)
    if match:
        return match.group(0).strip()
    match = _BY_RE.search(text)
    return match["name"] if match else None


_PLACE_RE = re.compile(
    r"\blast (?:seen|saw (?:her|him|them))\s+(?:walking |heading |going )?"
    r"(?P<place>(?:at|in|near|outside|by|on|around|towards|going to|at the)\b[^.,;!?]{3,80})",
    re.IGNORECASE,
)


def place(text: str) -> str | None:
    """Where the child was last seen, said in passing ("last seen outside the Co-op")."""
    match = _PLACE_RE.search(text)
    return match["place"].strip() if match else None


# ---------------------------------------------------------------- choices and notes


def choice(text: str, words: dict[str, tuple[str, ...]]) -> str | None:
    """The first option (in `words` order) whose words appear in the answer."""
    cleaned = normalise(text)
    for key, options in words.items():
        if any(re.search(rf"\b{re.escape(word)}", cleaned) for word in options):
            return key
    return None


def choices(text: str, words: dict[str, tuple[str, ...]]) -> list[str]:
    """Every option whose words appear in the answer."""
    cleaned = normalise(text)
    return [key for key, options in words.items()
            if any(re.search(rf"\b{re.escape(word)}", cleaned) for word in options)]


_COULDNT_RE = re.compile(
    r"\b(?:i|we)\s+(?:can'?t|cannot|couldn'?t|could not|haven'?t|have not|didn'?t|did not|"
    r"wasn'?t able|am not able|won'?t)\b|\bno help\b|\bnot possible\b|\bnot yet\b|"
    r"\bno way (?:to|of)\b|\bno (?:number|contact)\b"
)
_SKIP_RE = re.compile(
    r"^\W*(?:skip|pass|next)\b|\bnot relevant\b|\bdoesn'?t apply\b|\bdoes not apply\b|"
    r"\bn/?a\b|\bnot applicable\b"
)


_DID_RE = re.compile(
    r"\b(?:i|we|i'?ve|we'?ve|i have|we have|i'?d|we'?d|my partner|staff)\s+(?:already\s+|just\s+)?"
    r"(?:rang|rung|ring|called|phoned|texted|messaged|checked|searched|drove|driven|went|been|"
    r"looked|asked|spoke|spoken|told|emailed|tried|done|did|walked|contacted)\b"
)


def step_result(text: str) -> str | None:
    """Done / couldn't / skipped, from what the carer says they did."""
    cleaned = normalise(text)
    if _SKIP_RE.search(cleaned):
        return "skipped"
    if _DID_RE.search(cleaned):
        return "done"  # "I've rung him loads, no answer": the step is done
    if _COULDNT_RE.search(cleaned):
        return "couldnt"
    reading = yes_no(cleaned)
    if reading.value is True:
        return "done"
    if reading.value is False:
        return "couldnt"
    return None


def free_text(text: str, limit: int = 500) -> str | None:
    cleaned = text.strip()
    return cleaned[:limit] if cleaned else None


def is_question(text: str) -> bool:
    """An off-script question ("what if she's with her boyfriend?")."""
    cleaned = normalise(text)
    return cleaned.endswith("?") or (bool(re.match(
        r"^(?:what|how|who|when|where|why|should|can|could|do|does|is|will|would)\b.*"
        r"\b(?:i|we|they|the police|mash|you)\b", cleaned)) and "?" in cleaned)


_CONFIRM_RE = re.compile(
    r"\b(?:all (?:correct|right|fine|good)|that'?s (?:all )?(?:right|correct|fine|it)|correct|"
    r"right|send it|please send|go ahead|no changes?|nothing to change|spot on|"
    r"looks (?:good|right|fine|correct))\b"
)


def is_confirmation(text: str) -> bool:
    """ "that's all correct, please send it": agreeing with what was read back."""
    return bool(_CONFIRM_RE.search(normalise(text)))


_STOP_RE = re.compile(
    r"^\W*(?:stop|cancel|quit|exit|end|forget it|never ?mind|leave it|i want to stop|"
    r"stop this|cancel this|cancel (?:the|my) (?:referral|report|form)|"
    r"stop (?:the|this) (?:referral|report|form|questions))\W*$"
)


def is_stop(text: str) -> bool:
    """ "stop", "cancel", "forget it": leave the questionnaire."""
    return bool(_STOP_RE.match(normalise(text)))
