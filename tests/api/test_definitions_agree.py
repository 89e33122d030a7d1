"""Lists the two runtimes both keep, checked to be the same list.

The bot's side is data (bot/questions/*.yml, bot/domain/*.yml) read by the Rasa venv; the
API's side is its pydantic schema. Generating one from the other would put Rasa's data
in the API's import path (or the reverse), so these tests hold them together instead:
change one, and the test names the other.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any, get_args

import yaml
from pydantic import BaseModel

from api.schemas import Referral, ReferrerRole, RiskIndicators
from api.triage import INDICATOR_TEXT
from guidance_corpus.loader import AUDIENCES
from tools.paths import RASA_PYTHON, ROOT, rasa_env


def question_options(table: str, slot: str) -> list[str]:
    data = yaml.safe_load((ROOT / "bot" / "questions" / f"{table}.yml").read_text("utf-8"))
    question = next(q for q in data["questions"] if q["slot"] == slot)
    return list(question["options"])


def test_audiences_are_the_corpus_audiences() -> None:
    domain = yaml.safe_load((ROOT / "bot" / "domain" / "conversation.yml").read_text("utf-8"))
    assert set(domain["slots"]["audience"]["values"]) == AUDIENCES


def test_risk_indicators_are_one_list() -> None:
    asked = question_options("referral", "risks")
    assert asked == list(RiskIndicators.model_fields)
    assert asked == list(INDICATOR_TEXT)


def test_referrer_roles_are_one_list() -> None:
    assert set(question_options("referral", "referrer_role")) == set(get_args(ReferrerRole))


# The bot's payload builders, run where they live (the Rasa venv), on a conversation
# where nothing optional was answered.
PAYLOADS = """
import json
from rasa_sdk import Tracker
from actions.licence_concern import build_concern_payload
from actions.referral import build_payload

def tracker(slots):
    return Tracker("t", slots, {}, [], False, None, {}, "")

referral = {"referral_key": "0b7c2d5e-2a61-4d0e-9e0e-3f8f2c6a1d11", "child_name": "A",
            "referrer_name": "Sam Jones", "referrer_contact": {"phone": "07700900123"}}
concern = {"concern_key": "1b7c2d5e-2a61-4d0e-9e0e-3f8f2c6a1d11", "concern_what_seen": "x"}
print(json.dumps({"referral": build_payload(tracker(referral)),
                  "concern": build_concern_payload(tracker(concern))}))
"""

# Fields of the API's referral the bot does not send, and why.
NOT_SENT_BY_THE_BOT = {
    "referrer.email",  # sent instead of referrer.phone when that is what was given
    "child.date_of_birth",  # sent instead of child.age when that is what was given
    "consent.consent_given_by",  # the referral form does not ask it
    "referrer.name", "referrer.phone",  # an anonymous licence holder's concern
}


def sent_fields(payload: dict[str, Any]) -> set[str]:
    return {f"{section}.{name}" for section, body in payload.items() if isinstance(body, dict)
            for name in body}


def schema_fields(model: type[BaseModel], sections: set[str]) -> set[str]:
    found = set()
    for section in sections:
        annotation = model.model_fields[section].annotation
        section_model = next(a for a in (annotation, *get_args(annotation))
                             if isinstance(a, type) and issubclass(a, BaseModel))
        found |= {f"{section}.{name}" for name in section_model.model_fields}
    return found


def test_the_bots_payloads_are_the_apis_referral() -> None:
    done = subprocess.run([str(RASA_PYTHON), "-c", PAYLOADS], cwd=ROOT, env=rasa_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    payloads = json.loads(done.stdout.strip().splitlines()[-1])
    for kind, payload in payloads.items():
        Referral.model_validate(payload)  # a field the API does not know is an error too
        sections = {key for key, value in payload.items() if isinstance(value, dict)}
        missing = schema_fields(Referral, sections) - sent_fields(payload) - NOT_SENT_BY_THE_BOT
        assert not missing, (kind, missing)
