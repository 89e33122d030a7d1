"""Build the project's spaCy pipeline from code.

No pretrained spaCy model can be downloaded where this runs, and none is needed: the
assistant uses spaCy for lemmas (so "ran", "running" and "runs" count as one word for
the classifiers) and for rule-based entities (durations, times, ages, places and the
safety phrases that must never be missed). The pipeline is:

    blank English tokenizer -> lookup lemmatizer (spacy-lookups-data) -> entity ruler

Usage: python -m rasa_addons.spacy_pipeline OUTPUT_DIR
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import spacy
import yaml
from spacy.language import Language

from rasa_addons.pattern_dsl import phrase_to_pattern

PATTERNS_FILE = Path(__file__).with_name("patterns.yml")
CRISIS_PREFIX = "CRISIS_"


def load_patterns(path: Path = PATTERNS_FILE) -> list[dict]:
    """Read the pattern file into entity-ruler patterns, naming the phrase on error."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    patterns = []
    for label, phrases in data.items():
        for phrase in phrases:
            try:
                pattern = phrase_to_pattern(phrase)
            except ValueError as error:
                raise ValueError(f"{path}: {label}: {phrase!r}: {error}") from error
            patterns.append({"label": label, "pattern": pattern})
    return patterns


def build_pipeline(patterns_file: Path = PATTERNS_FILE) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    # initialize() loads the lemma tables and resets the ruler, so patterns go in after.
    nlp.initialize()
    ruler.add_patterns(load_patterns(patterns_file))
    nlp.meta["name"] = "safeguarding_pipeline"
    nlp.meta["description"] = "Blank English + lookup lemmatizer + domain entity ruler"
    return nlp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    nlp = build_pipeline()
    args.output.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.output)
    print(f"spaCy pipeline written to {args.output} ({len(load_patterns())} patterns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
