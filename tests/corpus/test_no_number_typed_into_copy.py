"""No phone number or corpus deadline is typed into what the assistant says.

Numbers live in guidance_corpus/contacts.yml and deadlines in the records' key facts; the
copy (bot/copy/), the code and the domain name a contact id or a deadline, so changing one
changes every reply. This reads every string the copy, the actions, the API's replies and
the domain's responses can say (not docstrings or comments) and looks for any contact's
number, or the tail of one ("675 4806"), and for any deadline the corpus states ("48
hours"). tests/rasa_runtime/test_copy.py renders the copy with its placeholders filled.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from guidance_corpus.loader import load_corpus
from tools.paths import ROOT

CODE = [*sorted((ROOT / "actions").glob("*.py")), ROOT / "api" / "safe_reply.py",
        ROOT / "api" / "triage.py"]
DOMAIN = [path for path in sorted((ROOT / "bot" / "domain").glob("*.yml"))
          if not path.name.startswith("generated_")]  # generated from the corpus records
QUESTIONS = sorted((ROOT / "bot" / "questions").glob("*.yml"))
COPY = sorted((ROOT / "bot" / "copy").glob("*.yml"))


# A record's id ("lac-not-found-48-hours") names the record, it does not state its deadline.
RECORD_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")


def number_patterns() -> list[re.Pattern[str]]:
    patterns = []
    for contact in load_corpus().contacts.values():
        for number in re.findall(r"\d[\d ]*\d|\d", contact.phone or ""):
            groups = number.split()
            # The whole number, and its last two groups: "0121 675 4806" and "675 4806".
            for part in {number, " ".join(groups[-2:])}:
                patterns.append(re.compile(rf"(?<![\d-]){re.escape(part)}(?![\d-])"))
    return patterns


def deadline_patterns() -> list[re.Pattern[str]]:
    stated = {(fact.deadline.amount, fact.deadline.unit)
              for record in load_corpus().records.values() for fact in record.key_facts
              if fact.deadline is not None}
    words = {"hours": "hours?", "days": "days?", "working_days": "working days?",
             "school_days": "school days?"}
    return [re.compile(rf"\b{amount}[ -]{words[unit]}\b", re.IGNORECASE)
            for amount, unit in sorted(stated)]


def code_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and not RECORD_ID.match(node.value)]


def data_strings(path: Path) -> list[tuple[int, str]]:
    """Every text the domain can say, and every question a table asks."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if path.parent.name == "copy":  # every entry and note, however nested
        return [(0, text) for text in leaves(data) if text]
    said = [variant.get("text", "") for variants in (data.get("responses") or {}).values()
            for variant in variants]
    said += [question.get("ask", "") for question in data.get("questions") or []]
    return [(0, text) for text in said if text]


def leaves(data: object) -> list[str]:
    if isinstance(data, dict):
        return [text for key, value in data.items() for text in [str(key), *leaves(value)]]
    if isinstance(data, list):
        return [text for item in data for text in leaves(item)]
    return [str(data)] if data is not None else []


def copy() -> list[tuple[str, int, str]]:
    found = [(str(path.relative_to(ROOT)), line, text)
             for path in CODE for line, text in code_strings(path)]
    found += [(str(path.relative_to(ROOT)), line, text)
              for path in [*DOMAIN, *QUESTIONS, *COPY] for line, text in data_strings(path)]
    return found


@pytest.mark.parametrize(("kind", "patterns"), [("phone number", number_patterns()),
                                                 ("deadline", deadline_patterns())])
def test_no_number_is_typed_into_the_copy(kind: str, patterns: list[re.Pattern[str]]) -> None:
    typed = [f"{where}:{line}: {pattern.pattern} in {text[:80]!r}"
             for where, line, text in copy() for pattern in patterns if pattern.search(text)]
    assert not typed, f"a {kind} written into the copy:\n" + "\n".join(typed)


def test_the_check_sees_the_copy() -> None:
    # The scan reads what the assistant says: the greeting's offer and a form question.
    texts = [text for _, _, text in copy()]
    assert any("what is due when" in text for text in texts)
    assert any("What is your name?" in text for text in texts)
    assert any("I've stopped the referral" in text for text in texts)  # bot/copy
