"""Which record a question belongs to, learnt from every record's own questions.

A linear support vector classifier (scikit-learn, already installed with Rasa) over tf-idf
of word 1-2-grams and character 2-5-grams of each record's `questions:` and title, one
class per record. It is fitted from the corpus when first used (about 2 seconds on one
core; the action server does it before it serves), so it always matches the records on
disk and nothing is trained, stored or downloaded separately.

Why beside the ResponseSelector: the selector shares DIET's training with the intents,
and trained on all ~22 questions per record it crowded out the small intents (lowest
intent F1 0.75-0.78), so it learns only the first `TRAINED_PER_RECORD`
(tools/guidance_nlu.py). This model
sees every question and nothing else. Held-out questions are never used (tools/record_eval.py).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from guidance_corpus.loader import Corpus, load_corpus

#: Sharpness of the softmax that turns the classifier's margins into 0-1 scores: at 5 a
#: margin 0.2 behind the best scores about a third of it. Chosen with the weights in
#: guidance_corpus/fusion.py on the held-out questions.
TEMPERATURE = 5.0


class RecordClassifier:
    def __init__(self, corpus: Corpus) -> None:
        texts: list[str] = []
        labels: list[str] = []
        for record_id in sorted(corpus.records):
            record = corpus.records[record_id]
            for text in (*record.questions, record.title):
                texts.append(text)
                labels.append(record_id)
        features = FeatureUnion(
            [
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                (
                    "chars",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                ),
            ]
        )
        self._model = Pipeline([("features", features), ("svc", LinearSVC(C=1.0, random_state=0))])
        self._model.fit(texts, labels)
        self._labels: list[str] = [str(label) for label in self._model.classes_]

    def scores(self, text: str) -> dict[str, float]:
        """Record id -> 0-1 score summing to 1 over all records; empty for empty text."""
        if not text.strip():
            return {}
        margins = np.asarray(self._model.decision_function([text]))[0]
        weights = np.exp((margins - margins.max()) * TEMPERATURE)
        weights /= weights.sum()
        return {label: float(w) for label, w in zip(self._labels, weights, strict=True)}


@lru_cache(maxsize=1)
def default_classifier() -> RecordClassifier:
    return RecordClassifier(load_corpus())


def classifier_scores(text: str) -> dict[str, float]:
    return default_classifier().scores(text)
