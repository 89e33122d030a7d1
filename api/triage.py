"""An ADVISORY Red / Amber / Green rating for MASH, computed from the referral.

MASH rates every referral itself; this only puts the reasons in front of the person who
does. Every answer carries the label "Suggestion for MASH, not a decision".

Where the rules come from (seed 000_62c70a9be4e01631.txt):

* PROGRESS  - Progress Report: Children Missing from Home and Care, 12 October 2016,
  section 5 "Commissioning progress" (lines ~225-232): "Red risk indicators include (but
  are not exclusive to) - more than 2 missing episodes, age, CSE, gang affiliation,
  substance misuse, mental health needs, peer association, troubled family situation,
  physical and/or learning disability, and or domestic violence."
* LAC       - Practice Guidance (Feb 2016) "Looked after child" (~line 520): carers pass on
  "any reason to suspect that the child is at risk of significant harm in terms of abuse,
  self-harming behaviour, drugs, sexual exploitation or criminal behaviour"; and
  "Looked After Child" (~line 562): not found within a number of hours -> Executive
  Director told (corpus record lac-not-found-48-hours).
* RETURN    - Practice Guidance "Independent Return Interview" (~line 606): referrals are
  triaged Red (high risk), Amber (medium risk), Green (low risk).
* RAG       - Practice Guidance "Child Unknown / Closed Case" (~line 552): the MASH RAG
  rating; RED -> strategy meeting, AMBER -> multi-agency discussion, each within the hours
  of corpus record mash-rag-rating; GREEN -> appropriate support services identified.
* OVERVIEW  - the same progress report, outstanding recommendation 1: risk management
  "especially for looked after children and persistent runaways".

The rules, in words:
  RED   if significant harm is suspected, CSE or gang affiliation is indicated (the
        exploitation harms LAC names), a licence holder reports suspected CSE, two or
        more red indicators are present, a looked after child has any red indicator, or a
        looked after child has been missing for longer than the Executive Director's
        deadline.
Every number of hours here is read from the corpus records that state it (DEADLINES).
  AMBER if exactly one other red indicator is present, the child is looked after, or any
        indicator is "not known" (an unknown cannot be ruled out, so never Green).
  GREEN otherwise: every indicator answered and none present.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

from api.schemas import NOT_KNOWN, Referral, RiskIndicators, TriageLevel, TriageOut, TriageReason
from guidance_corpus.loader import Corpus, load_corpus

SOURCES: Final = {
    "PROGRESS": "Progress report on children missing from home and care, 12 October 2016, "
    "section 5 (red risk indicators)",
    "LAC": "Practice Guidance, February 2016, 'Looked after child' / 'Looked After Child'",
    "RETURN": "Practice Guidance, February 2016, 'Independent Return Interview'",
    "LICENCE": "Letter to premises licence holders on child sexual exploitation, 2016",
    "SERVICE": "This service's rule (the guidance names 'age' without a threshold)",
}

INDICATOR_TEXT: Final = {
    "more_than_2_episodes": "more than 2 missing episodes",
    "cse": "child sexual exploitation",
    "gang_affiliation": "gang affiliation",
    "substance_misuse": "substance misuse",
    "mental_health": "mental health needs",
    "peer_association": "peer association",
    "troubled_family": "troubled family situation",
    "disability": "physical and/or learning disability",
    "domestic_violence": "domestic violence",
}
# The exploitation harms the guidance names as significant harm (LAC).
EXPLOITATION: Final = ("cse", "gang_affiliation")
# "Age" is a red indicator but the seed gives no threshold. A primary-school-age child
# missing is treated as one; the reason says this threshold is ours (SERVICE).
YOUNG_CHILD_UNDER: Final = 12


@dataclass(frozen=True)
class TriageDeadlines:
    """The hours the rules act on and the suggestion quotes."""

    lac_escalation: int  # a looked after child not found by then: Executive Director told
    red_strategy_meeting: int
    amber_discussion: int


def load_triage_deadlines(corpus: Corpus | None = None) -> TriageDeadlines:
    """From the corpus records that state them (CorpusError if one has gone)."""
    corpus = corpus or load_corpus()
    return TriageDeadlines(
        lac_escalation=corpus.deadline(
            "lac-not-found-48-hours", "hours", "child going missing").amount,
        red_strategy_meeting=corpus.deadline("mash-rag-rating", "hours", "red rating").amount,
        amber_discussion=corpus.deadline("mash-rag-rating", "hours", "amber rating").amount,
    )


def if_mash_agrees(deadlines: TriageDeadlines) -> dict[str, str]:
    """What follows each rating, said under every suggestion."""
    source = "(Practice Guidance, 'Child Unknown / Closed Case')."
    return {
        "red": "If MASH rates RED, a strategy meeting is held within "
        f"{deadlines.red_strategy_meeting} hours {source}",
        "amber": "If MASH rates AMBER, a multi-agency discussion is held within "
        f"{deadlines.amber_discussion} hours {source}",
        "green": f"If MASH rates GREEN, the appropriate support services are identified {source}",
    }


DEADLINES: Final = load_triage_deadlines()
IF_MASH_AGREES: Final = if_mash_agrees(DEADLINES)


@dataclass
class Triage:
    level: TriageLevel
    reasons: list[TriageReason] = field(default_factory=list)

    def out(self) -> TriageOut:
        return TriageOut(
            level=self.level, reasons=self.reasons, if_mash_agrees=IF_MASH_AGREES[self.level]
        )


def _reason(code: str, text: str, source: str) -> TriageReason:
    return TriageReason(code=code, text=text, source=SOURCES[source])


def suggest(referral: Referral, now: dt.datetime | None = None) -> Triage:
    now = now or dt.datetime.now(dt.UTC)
    red: list[TriageReason] = []
    amber: list[TriageReason] = []

    present, unknown = _indicators(referral.risk_indicators)
    child = referral.child
    age = child.age_years() if child else None
    if age is not None and age < YOUNG_CHILD_UNDER:
        present.append("young_age")
    looked_after = child is not None and child.looked_after is True

    consent = referral.consent
    if consent is not None and consent.significant_harm_suspected is True:
        red.append(_reason("significant_harm", "The referrer suspects significant harm.", "LAC"))
    if referral.kind == "licence_holder_concern" and "cse" not in present:
        red.append(
            _reason(
                "licence_holder_cse",
                "A licence holder reports signs of child sexual exploitation.",
                "LICENCE",
            )
        )
    for name in EXPLOITATION:
        if name in present:
            red.append(
                _reason(
                    name,
                    f"Red risk indicator: {INDICATOR_TEXT[name]} (an exploitation harm).",
                    "PROGRESS",
                )
            )
    others = [name for name in present if name not in EXPLOITATION]
    other_reasons = [_indicator_reason(name) for name in others]
    if len(present) >= 2:
        red.append(
            _reason("several_indicators", f"{len(present)} red risk indicators.", "PROGRESS")
        )
        red.extend(other_reasons)
    elif looked_after and present:
        red.append(
            _reason(
                "looked_after_with_indicator",
                "Looked after child with a red risk indicator.",
                "LAC",
            )
        )
        red.extend(other_reasons)
    else:
        amber.extend(other_reasons)

    hours = _hours_missing(referral, now)
    if looked_after and hours is not None and hours > DEADLINES.lac_escalation:
        red.append(
            _reason(
                # The code is part of the API's answer (stored with each referral): stable.
                "looked_after_missing_48h",
                f"Looked after child missing for more than {DEADLINES.lac_escalation} hours.",
                "LAC",
            )
        )
    if looked_after and not red:
        amber.append(_reason("looked_after", "The child is looked after.", "LAC"))
    if unknown:
        names = ", ".join(INDICATOR_TEXT[name] for name in unknown)
        (red if red else amber).append(
            _reason(
                "indicators_not_known",
                f"Not known, so not ruled out: {names}.",
                "RETURN",
            )
        )

    if red:
        return Triage("red", red + amber)
    if amber:
        return Triage("amber", amber)
    return Triage(
        "green",
        [_reason("no_indicators", "Every red risk indicator answered 'no'.", "RETURN")],
    )


def _indicators(indicators: RiskIndicators | None) -> tuple[list[str], list[str]]:
    if indicators is None:
        return [], []
    values = indicators.model_dump()
    present = [name for name in INDICATOR_TEXT if values[name] is True]
    unknown = [name for name in INDICATOR_TEXT if values[name] == NOT_KNOWN]
    return present, unknown


def _indicator_reason(name: str) -> TriageReason:
    if name == "young_age":
        return _reason(
            "young_age", f"Red risk indicator: age (under {YOUNG_CHILD_UNDER}).", "SERVICE"
        )
    return _reason(name, f"Red risk indicator: {INDICATOR_TEXT[name]}.", "PROGRESS")


def _hours_missing(referral: Referral, now: dt.datetime) -> float | None:
    if referral.episode is None or not isinstance(referral.episode.missing_since, dt.datetime):
        return None
    return (now - referral.episode.missing_since).total_seconds() / 3600
