"""The structured referral to MASH, and what the referral routes answer.

Fields follow multi-agency referral forms (MARF) and the Philomena Protocol
(``../shared/anchors.md``, beside the project). MARFs say "do not leave blank": so every
field of a section must be sent, either with a value or with the explicit ``"not known"``.
A field that is missing is an error; ``"not known"`` is an answer. The only optional
fields are those that do not apply to every referral (they default to ``None``, meaning
"not applicable").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Final, Literal, TypeVar, Union
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

NOT_KNOWN: Final = "not known"
NotKnown = Literal["not known"]

# The guidance covers children: "Missing from Home or Care (Under 18 years)".
ADULT_AGE: Final = 18
# A little clock drift between the action server and the API is not an error.
CLOCK_SKEW = dt.timedelta(minutes=5)

T = TypeVar("T")


def _known(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Accept "not known" in any spelling; otherwise validate as the field's own type.

    Reporting one error per field (not one per union member) keeps 422s readable.
    """
    if isinstance(value, str) and " ".join(value.split()).lower() == NOT_KNOWN:
        return NOT_KNOWN
    try:
        return handler(value)
    except ValidationError as exc:
        errors = [e for e in exc.errors() if e["type"] != "literal_error"] or exc.errors()
        message = errors[0]["msg"].removeprefix("Value error, ")
        raise PydanticCustomError(
            "invalid_value", "{message} (or write 'not known')", {"message": message}
        ) from None


# A value of type T, or the explicit answer "not known".
Known = Annotated[Union[T, NotKnown], WrapValidator(_known)]  # noqa: UP007 (TypeVar alias)


def is_known(value: object) -> bool:
    return value is not None and value != NOT_KNOWN


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("must not be blank: give a value or write 'not known'")
    return value


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_not_blank)
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(_not_blank)
]

_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
# UK numbers: 0 then 9 or 10 digits (landlines and mobiles), or the same after +44.
_UK_PHONE = re.compile(r"^0\d{9,10}$")


def _uk_phone(value: str) -> str:
    digits = _PHONE_SEPARATORS.sub("", value)
    if digits.startswith("+44"):
        digits = "0" + digits.removeprefix("+44").removeprefix("0")
    if not _UK_PHONE.match(digits):
        raise ValueError("is not a valid UK phone number (e.g. 0121 xxx xxxx or +44 7xxx xxxxxx)")
    return value


_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


def _email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("is not a valid e-mail address")
    return value


UKPhone = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_uk_phone)]
Email = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_email)]

_REGISTRATION = re.compile(r"^[A-Z0-9 ?*]{1,10}$")


def _partial_registration(value: str) -> str:
    """Partial registrations count (CSE intelligence forms): '?' or '*' mark unknown
    characters."""
    value = value.upper()
    if not _REGISTRATION.match(value) or not re.search(r"[A-Z0-9]", value):
        raise ValueError("use letters, digits, spaces and ? or * for unknown characters")
    return value


PartialRegistration = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(_partial_registration)
]

Kind = Literal["missing_child", "concern", "licence_holder_concern"]
ReferrerRole = Literal["foster_carer", "residential_worker", "parent", "teacher", "police", "other"]
Status = Literal["received", "in_progress", "closed"]
TriageLevel = Literal["red", "amber", "green"]


def rule_error(field: str, message: str) -> PydanticCustomError:
    """A cross-field error; the routes add ``field`` to the error's location."""
    return PydanticCustomError("referral_rule", "{message}", {"field": field, "message": message})


def _age_on(date_of_birth: dt.date, today: dt.date) -> int:
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - before_birthday


def _not_in_future(value: dt.datetime | str) -> dt.datetime | str:
    if isinstance(value, dt.datetime) and value > dt.datetime.now(dt.UTC) + CLOCK_SKEW:
        raise ValueError("is in the future")
    return value


class _Section(BaseModel):
    # Unknown fields are refused, so a misspelt field name is a 422, not silently lost.
    model_config = ConfigDict(extra="forbid")


class Referrer(_Section):
    anonymous: StrictBool = Field(
        False, description="Only a licence holder reporting a concern may stay anonymous."
    )
    name: Known[ShortText] | None = None
    role: Known[ReferrerRole]
    organisation: Known[ShortText]
    phone: Known[UKPhone] | None = None
    email: Known[Email] | None = None

    @model_validator(mode="after")
    def _reachable(self) -> Referrer:
        if self.anonymous:
            return self
        if not is_known(self.name):
            raise rule_error("name", "the referrer's name is needed unless anonymous")
        if not (is_known(self.phone) or is_known(self.email)):
            raise rule_error("phone", "give a phone number or an e-mail so MASH can call back")
        return self


class Child(_Section):
    """Philomena Protocol part 1 and the MARF child section."""

    name: Known[ShortText]
    date_of_birth: Known[dt.date] | None = Field(None, description="Give this or age.")
    age: Known[Annotated[int, Field(ge=0)]] | None = Field(None, description="Years.")
    gender: Known[ShortText]
    address_or_placement: Known[Text]
    looked_after: Known[StrictBool]
    responsible_local_authority: Known[ShortText]
    social_worker_known: Known[StrictBool]
    # MARF asks for the school; older submissions without it mean "not known".
    school: Known[ShortText] = Field(NOT_KNOWN, description="School or college.")

    @field_validator("date_of_birth")
    @classmethod
    def _date_of_birth(cls, value: dt.date | str | None) -> dt.date | str | None:
        if isinstance(value, dt.date):
            today = dt.date.today()
            if value > today:
                raise ValueError("date of birth is in the future")
            if _age_on(value, today) >= ADULT_AGE:
                raise ValueError("the child is 18 or over: the guidance covers under-18s")
        return value

    @field_validator("age")
    @classmethod
    def _age(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and value >= ADULT_AGE:
            raise ValueError("age 18 or over: the guidance covers under-18s")
        return value

    @model_validator(mode="after")
    def _date_of_birth_or_age(self) -> Child:
        if self.date_of_birth is None and self.age is None:
            raise rule_error("date_of_birth", "give the date of birth or the age, or 'not known'")
        return self

    def age_years(self) -> int | None:
        if isinstance(self.age, int):
            return self.age
        if isinstance(self.date_of_birth, dt.date):
            return _age_on(self.date_of_birth, dt.date.today())
        return None


class Episode(_Section):
    """Philomena Protocol part 2: filled in when the child goes missing."""

    missing_since: Known[Annotated[AwareDatetime, AfterValidator(_not_in_future)]] = Field(
        description="With a time zone offset, e.g. 2026-03-01T21:30:00+00:00."
    )
    last_seen_where: Known[Text]
    last_seen_with: Known[Text]
    description_and_clothing: Known[Text]


class RiskIndicators(_Section):
    """The red risk indicators of the return-interview service (progress report, 2016)."""

    more_than_2_episodes: Known[StrictBool]
    cse: Known[StrictBool] = Field(description="Child sexual exploitation.")
    gang_affiliation: Known[StrictBool]
    substance_misuse: Known[StrictBool]
    mental_health: Known[StrictBool]
    peer_association: Known[StrictBool]
    troubled_family: Known[StrictBool]
    disability: Known[StrictBool] = Field(description="Physical and/or learning disability.")
    domestic_violence: Known[StrictBool]


class ActionsTaken(_Section):
    searches_done: Known[list[ShortText]] = Field(
        description="E.g. phoned the child, searched the locality, checked with friends."
    )
    police_informed: Known[StrictBool]
    police_reference: Known[ShortText] | None = Field(
        None, description="Leave out only if the police were not informed."
    )


class Consent(_Section):
    family_told: Known[StrictBool]
    family_not_told_reason: Known[Text] | None = None
    consent_to_share: Known[StrictBool]
    consent_given_by: Known[ShortText] | None = None
    significant_harm_suspected: Known[StrictBool] = Field(
        description="Consent is not needed where significant harm is suspected."
    )

    @model_validator(mode="after")
    def _lawful_to_share(self) -> Consent:
        if self.consent_to_share is False and self.significant_harm_suspected is False:
            raise rule_error(
                "consent_to_share",
                "without consent a referral is shared only where significant harm is "
                "suspected; if you fear significant harm, set significant_harm_suspected",
            )
        return self


class Vehicle(_Section):
    description: Known[ShortText] = Field(description="Make, model, colour, taxi firm.")
    registration: Known[PartialRegistration] = Field(
        description="Partial registrations count: use ? for unknown characters, e.g. 'AB12 C??'."
    )


class LicenceHolderReport(_Section):
    """What a hotel, licensed premises or taxi driver saw (letter to licence holders)."""

    what_seen: Known[Text]
    where: Known[Text]
    when: Known[Annotated[AwareDatetime, AfterValidator(_not_in_future)]]
    apparent_age: Known[ShortText] = Field(description="E.g. 'about 14'.")
    adults_description: Known[Text]
    vehicles: list[Vehicle] = Field(default_factory=list, max_length=20)


# Which sections each kind of referral must carry ("do not leave blank").
REQUIRED_SECTIONS: Final[dict[str, tuple[str, ...]]] = {
    "missing_child": ("child", "episode", "risk_indicators", "actions_taken", "consent"),
    "concern": ("child", "risk_indicators", "consent"),
    "licence_holder_concern": ("licence_holder",),
}


class Referral(_Section):
    """A referral to Birmingham's MASH, as the action server submits it."""

    idempotency_key: UUID = Field(
        description="A UUID the client makes once per referral; resending it returns the "
        "same referral instead of creating a second one."
    )
    kind: Kind
    referrer: Referrer
    child: Child | None = None
    episode: Episode | None = None
    risk_indicators: RiskIndicators | None = None
    actions_taken: ActionsTaken | None = None
    consent: Consent | None = None
    licence_holder: LicenceHolderReport | None = None

    @model_validator(mode="after")
    def _sections_for_kind(self) -> Referral:
        for section in REQUIRED_SECTIONS[self.kind]:
            if getattr(self, section) is None:
                raise rule_error(section, f"required when kind is '{self.kind}'")
        if self.licence_holder is not None and self.kind != "licence_holder_concern":
            raise rule_error("licence_holder", "only for kind 'licence_holder_concern'")
        if self.referrer.anonymous and self.kind != "licence_holder_concern":
            raise rule_error(
                "referrer.anonymous", "only a licence holder's concern may be anonymous"
            )
        return self

    def body(self) -> dict[str, Any]:
        """What is stored and served: everything except the idempotency key."""
        return self.model_dump(mode="json", exclude={"idempotency_key"})


# --------------------------------------------------------------------------- answers

TRIAGE_LABEL: Final = "Suggestion for MASH, not a decision"


class TriageReason(BaseModel):
    code: str
    text: str
    source: str


class TriageOut(BaseModel):
    level: TriageLevel
    label: str = TRIAGE_LABEL
    reasons: list[TriageReason]
    if_mash_agrees: str = Field(description="What the guidance says follows from this rating.")


class ReferralCreated(BaseModel):
    reference: str
    status: Status
    triage: TriageOut


class ReferralSummary(BaseModel):
    """A list row: no personal data, so lists can be shown on any screen."""

    reference: str
    kind: Kind
    status: Status
    triage_level: TriageLevel
    created_at: dt.datetime


class ReferralList(BaseModel):
    items: list[ReferralSummary]
    total: int


class ReferralDetail(BaseModel):
    reference: str
    kind: Kind
    status: Status
    status_changed_by: str | None
    status_changed_at: dt.datetime | None
    created_at: dt.datetime
    triage: TriageOut
    referral: dict[str, Any]


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Status


class AuditEventOut(BaseModel):
    at: dt.datetime
    actor: str
    actor_role: str
    action: str
    referral_reference: str | None
    details: dict[str, Any]


class AuditList(BaseModel):
    items: list[AuditEventOut]
    total: int
