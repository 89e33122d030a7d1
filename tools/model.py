"""Build the spaCy pipeline and train the Rasa model only when their inputs changed.

Each output is named by a fingerprint (SHA-256) of the files it is built from, so
`make run`, `make test` and the benchmark share one model and never retrain for nothing.

Usage: python -m tools.model   (prints the model path)
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from tools.paths import MODELS, RASA_BIN, RASA_PYTHON, ROOT, SPACY_PIPELINE, rasa_env

SPACY_INPUTS = ["rasa_addons/spacy_pipeline.py", "rasa_addons/pattern_dsl.py",
                "rasa_addons/patterns.yml"]
# The custom NLU components' code is part of what training produces; the rest of
# rasa_addons (launcher, tracker store, action server) runs beside the model and must not
# make it retrain.
MODEL_INPUTS = ["config.yml", "bot/domain", "bot/data", *SPACY_INPUTS,
                "rasa_addons/input_guard.py", "rasa_addons/unreadable_input.py",
                "rasa_addons/safety_override.py", "rasa_addons/spacy_entities.py",
                "rasa_addons/question_not_report.py"]


def _files(inputs: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for name in inputs:
        path = ROOT / name
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"model input {name} is missing")
    return sorted(found)


def fingerprint(inputs: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for path in _files(inputs):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_spacy_pipeline() -> Path:
    stamp = SPACY_PIPELINE / ".fingerprint"
    wanted = fingerprint(SPACY_INPUTS)
    if stamp.is_file() and stamp.read_text() == wanted:
        return SPACY_PIPELINE
    shutil.rmtree(SPACY_PIPELINE, ignore_errors=True)
    subprocess.run(
        [str(RASA_PYTHON), "-m", "rasa_addons.spacy_pipeline", str(SPACY_PIPELINE)],
        cwd=ROOT, check=True, env=rasa_env(),
    )
    stamp.write_text(wanted)
    return SPACY_PIPELINE


def ensure_model() -> Path:
    """Return the trained model for the current data and config, training if needed.

    A lock file makes concurrent callers (the test runner, `make run`, a benchmark)
    wait for one training instead of each starting their own on two cores.
    """
    ensure_spacy_pipeline()
    MODELS.mkdir(exist_ok=True)
    with open(MODELS / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # The guidance examples come from the corpus records; they are part of the
        # fingerprinted inputs, so a changed question retrains the model. Generated in
        # the Rasa runtime, whose spaCy pipeline screens out crisis-worded questions,
        # whichever runtime asked for the model.
        subprocess.run(
            [str(RASA_PYTHON), "-m", "tools.guidance_nlu"], cwd=ROOT, check=True, env=rasa_env(),
        )
        return _train_if_missing()


def _train_if_missing() -> Path:
    name = f"model-{fingerprint(MODEL_INPUTS)}"
    model = MODELS / f"{name}.tar.gz"
    if model.is_file():
        return model
    print(f"Training the Rasa model ({name}); this takes a few minutes.", flush=True)
    subprocess.run(
        [str(RASA_BIN), "train", "--config", "config.yml", "--domain", "bot/domain",
         "--data", "bot/data", "--out", str(MODELS), "--fixed-model-name", name,
         "--num-threads", "2"],
        cwd=ROOT, check=True, env=rasa_env(),
    )
    if not model.is_file():
        raise RuntimeError(f"rasa train finished but {model} is missing")
    return model


if __name__ == "__main__":
    print(ensure_model())
    sys.exit(0)
