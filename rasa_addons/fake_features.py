"""Rasa's default ("fake") features for a model's input, without copying the real ones.

Every time DIET or the ResponseSelector turns a message into model input
(`model_data_utils.convert_to_data_format`), Rasa 3.6 works out, per attribute, the
features that stand in for a missing one (`_create_fake_features`): it takes the first
example's features, deep-copies each, and replaces the copy's matrix with an empty one of
the same width and dtype. The deep copy copies the whole matrix first, only to throw it
away: for a message's combined sparse features (thousands of character n-grams) that was
about 2-6% of Rasa's CPU in the profile of issue 13, twice per message.

This builds the same fake features: a shallow copy of each `Features` whose other
attributes (type, origin, attribute) are deep-copied as `copy.deepcopy` copies them (one
memo for the object), with the same empty dense array or COO matrix Rasa gives it. The
real features are not touched either way. The test compares the result with Rasa's,
attribute by attribute, for the trained model's real features.

`rasa_addons/serve.py` installs it in the Rasa process; training runs Rasa's own code.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import rasa.utils.tensorflow.model_data_utils as model_data_utils
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features

_original = model_data_utils._create_fake_features


def fake_copy(features: Features) -> Features:
    """A deep copy of `features` with an empty matrix of the same width and dtype."""
    fake = copy.copy(features)
    memo: dict[int, Any] = {id(features): fake}
    for name, value in vars(features).items():
        if name != "features":
            setattr(fake, name, copy.deepcopy(value, memo))
    matrix = features.features
    if features.is_dense():
        fake.features = np.zeros((0, matrix.shape[-1]), matrix.dtype)
    if features.is_sparse():
        fake.features = scipy.sparse.coo_matrix((0, matrix.shape[-1]), matrix.dtype)
    return fake


def create_fake_features(all_features: list[list[list[Features] | None]]) -> list[Features]:
    """`model_data_utils._create_fake_features`: fake copies of the first example's
    features."""
    example = next(features for per_example in all_features for features in per_example
                   if features is not None)
    return [fake_copy(features) for features in example]


def install() -> None:
    model_data_utils._create_fake_features = create_fake_features


def uninstall() -> None:
    model_data_utils._create_fake_features = _original
