"""Combine a message's features once, for both classifiers that read them.

DIET and the ResponseSelector each turn the parsed message into model input, and each
starts with `Message.get_all_features(TEXT, featurizers)`: Rasa 3.6 filters the message's
features, deep-copies the first of each kind (sequence, sentence) and stacks the others
beside it, one scipy `hstack` per featurizer. Both classifiers ask for the same features
of the same message, so the work is done twice, and `hstack` goes through scipy's general
`bmat` (block checks, offsets, a new COO matrix) for each pair. The profile in issue 13
put about 6% of Rasa's CPU there.

This keeps each answer on the message, and gives it again while the message has the same
features (a featurizer only ever appends; a new list or a longer one asks again). Each
caller gets its own list, as from Rasa. Sparse COO features are stacked in one
concatenation, which is what `bmat` does for one row of blocks: the same data, rows,
columns, dtypes and shape. Anything else (dense features, another sparse format) goes to
Rasa's own code. The combined features are only read downstream
(`model_data_utils.convert_to_data_format` copies them into arrays), so sharing them
between the two classifiers is safe; the test compares every parse with Rasa's.

`rasa_addons/serve.py` installs it in the Rasa process; training runs Rasa's own code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse._sputils import get_index_dtype, upcast

_original_get_all_features = Message.get_all_features
_original_combine_features = Message._combine_features
ATTRIBUTE = "_addon_all_features"


def _stacked(matrices: list[scipy.sparse.coo_matrix]) -> scipy.sparse.coo_matrix:
    """`scipy.sparse.hstack(matrices)` for COO matrices with the same number of rows,
    as scipy 1.10's `bmat` builds it, in one pass rather than one per pair."""
    rows = matrices[0].shape[0]
    offsets = np.cumsum([0] + [m.shape[1] for m in matrices])
    shape = (rows, int(offsets[-1]))
    index = get_index_dtype(maxval=max(shape))
    data = np.concatenate([m.data for m in matrices]).astype(
        upcast(*(m.dtype for m in matrices)), copy=False)
    row = np.concatenate([m.row for m in matrices]).astype(index, copy=False)
    col = np.concatenate([np.add(m.col, offset, dtype=index)
                          for m, offset in zip(matrices, offsets[:-1], strict=True)])
    return scipy.sparse.coo_matrix((data, (row, col)), shape=shape)


def combine_features(features: list[Features], featurizers: list[str]) -> Features | None:
    if len(features) < 2 or not all(
        isinstance(f.features, scipy.sparse.coo_matrix) for f in features
    ) or len({f.features.shape[0] for f in features}) != 1:
        return _original_combine_features(features, featurizers)
    first = features[0]
    return Features(_stacked([f.features for f in features]), first.type, first.attribute,
                    featurizers)


def get_all_features(
    self: Message, attribute: str, featurizers: list[str] | None = None
) -> list[Features]:
    kept: dict[tuple[str, tuple[str, ...]], tuple[Any, int, list[Features]]] = (
        self.__dict__.setdefault(ATTRIBUTE, {}))
    key = (attribute, tuple(featurizers or ()))
    found = kept.get(key)
    if found is not None and found[0] is self.features and found[1] == len(self.features):
        return list(found[2])
    combined = _original_get_all_features(self, attribute, featurizers)
    kept[key] = (self.features, len(self.features), combined)
    return list(combined)


def install() -> None:
    Message.get_all_features = get_all_features
    Message._combine_features = staticmethod(combine_features)


def uninstall() -> None:
    Message.get_all_features = _original_get_all_features
    Message._combine_features = staticmethod(_original_combine_features)
