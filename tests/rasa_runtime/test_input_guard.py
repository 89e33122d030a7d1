from __future__ import annotations

import pytest

from rasa_addons.input_guard import clean_text


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "empty"),
        (None, "empty"),
        ("   \n\t", "empty"),
        ("\x00\x00", "empty"),
        ("<script></script>", "markup_only"),
        ("😢😢😢", "no_words"),
        ("?!...", "no_words"),
        ("hello", None),
    ],
)
def test_problems_are_named(raw: object, problem: str | None) -> None:
    assert clean_text(raw, 1000)[2] == problem


def test_control_characters_and_markup_are_removed_but_words_kept() -> None:
    short, full, problem = clean_text("<b>my son\x00 is</b>\r\n missing", 1000)
    assert short == full == "my son is missing"
    assert problem is None


def test_long_text_is_cut_for_classifiers_but_kept_whole_for_the_safety_check() -> None:
    text = "word " * 1000 + "kill myself"
    short, full, problem = clean_text(text, 1000)
    assert len(short) == 1000
    assert full.endswith("kill myself")
    assert problem == "too_long"


def test_script_blocks_are_dropped_with_their_content() -> None:
    assert clean_text("<script>alert(1)</script>", 1000)[2] == "markup_only"
    assert clean_text("hi <SCRIPT type=x>evil()</script> there", 1000)[0] == "hi there"
