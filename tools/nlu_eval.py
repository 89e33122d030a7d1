"""Evaluate the trained model on the held-out NLU file and print F1 per intent.

Usage: .venv-rasa/bin/python -m tools.nlu_eval [--model PATH]

Runs `rasa test nlu` on tests/nlu/heldout.yml (never used in training) and reads the
intent report. Which record answers a guidance question is measured separately, on the
records' own held-out questions, by tools/record_eval.py.

Macro-F1 is taken over the intents the file contains, so a label only ever predicted
(nlu_fallback) counts against the intents it was wrongly given to, not as an extra zero.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tools.paths import RASA_BIN, ROOT, rasa_env

HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
SUMMARY_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


@dataclass
class Report:
    f1: dict[str, float]

    @property
    def macro(self) -> float:
        return sum(self.f1.values()) / len(self.f1)

    @property
    def worst(self) -> tuple[str, float]:
        return min(self.f1.items(), key=lambda item: item[1])


def read_report(path: Path) -> Report:
    data = json.loads(path.read_text())
    return Report({
        label: values["f1-score"]
        for label, values in data.items()
        if label not in SUMMARY_KEYS and isinstance(values, dict) and values.get("support")
    })


def evaluate(model: Path, out: Path) -> Report:
    result = subprocess.run(
        [str(RASA_BIN), "test", "nlu", "--model", str(model), "--nlu", str(HELDOUT),
         "--out", str(out), "--no-plot"],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=1200,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stdout[-3000:] + result.stderr[-3000:])
    return read_report(out / "intent_report.json")


def print_report(name: str, report: Report) -> None:
    print(f"{name}: macro-F1 {report.macro:.3f}, lowest {report.worst[0]} {report.worst[1]:.3f}")
    for label, f1 in sorted(report.f1.items(), key=lambda item: item[1]):
        print(f"  {f1:.3f}  {label}")


def main() -> int:
    from tools.model import ensure_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        intents = evaluate(args.model or ensure_model(), Path(tmp))
    print_report("intents", intents)
    return 0


if __name__ == "__main__":
    sys.exit(main())
