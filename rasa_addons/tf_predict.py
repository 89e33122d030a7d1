"""Call DIET's, the ResponseSelector's and TED's traced prediction graph directly.

Rasa 3.6 wraps each model's `predict_step` in a `tf.function` with a fixed input
signature (traced once, on the first prediction) and calls that `tf.function` for every
prediction: three to five times per message. Each call goes through TensorFlow's
generic dispatch first: it canonicalises the arguments, builds a type for them and looks
the graph up in its cache, though with a fixed signature there is only ever one graph.
The profile in issue 13 put about 10% of Rasa's CPU in that dispatch
(`_maybe_define_function`), as much as half of the time spent in the graph itself.

After the first prediction this keeps the one concrete function that the `tf.function`
traced and, for each later prediction, does what TensorFlow's dispatch ends up doing:
converts each input exactly as TensorFlow does (`convert_to_tensor` with the
signature's dtype as hint), checks it against the signature, and runs the concrete
function with its captured inputs. The graph, its inputs and so its outputs are the same
(the test compares them bit for bit). Inputs that do not fit the signature take Rasa's
own path, and so get TensorFlow's own error.

Around the graph call (issue 13, after the dispatch above: the graph itself was about
3.5% of Rasa's CPU and the Python around it about 11%) this does what TensorFlow and
Rasa do, directly:
- a numpy array whose dtype is the signature's becomes an `EagerTensor` on the current
  device, as `convert_to_tensor` ends up making it (`constant_op.
  convert_to_eager_tensor`), and its shape is checked against the signature's dimensions
  as `TensorSpec.is_compatible_with` checks them; any other value takes
  `convert_to_tensor` and `is_compatible_with` themselves;
- the outputs (a dict of tensors and dicts of tensors) become numpy arrays, and 0-d ones
  Python scalars, as keras's `sync_to_numpy_or_python_type` makes them, and empty lists
  and arrays in the diagnostic data become None, as Rasa's
  `_empty_lists_to_none_in_dict` does (whose inner function evaluates its `typing`
  annotations on every call);
- `_training` is set to False only when it is not False already (keras's `__setattr__`
  tracks every assignment).

`rasa_addons/serve.py` installs it in the Rasa process.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf
from keras.utils import tf_utils
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.utils.tensorflow.models import RasaModel
from tensorflow.python.eager import context
from tensorflow.python.framework import ops

_original = RasaModel._rasa_predict
ATTRIBUTE = "_addon_concrete_predict"


class ConcretePredict:
    """The traced graph of one model's `tf.function`, called without the dispatch."""

    def __init__(self, function: Any) -> None:
        self.concrete = function.get_concrete_function()
        self.specs = list(function.input_signature[0])
        # Per input: the numpy dtype that converts directly, TensorFlow's number for the
        # dtype, and the dimensions (None: any rank; a None dimension: any size).
        self.direct = [
            (spec.dtype.as_numpy_dtype, spec.dtype.as_datatype_enum,
             None if spec.shape.rank is None else tuple(spec.shape.as_list()))
            for spec in self.specs
        ]

    def inputs(self, batch_in: Any) -> list[Any] | None:
        """The inputs as tensors, as TensorFlow converts them; None if they do not fit."""
        if len(batch_in) != len(self.specs):
            return None
        ctx = context.context()
        ctx.ensure_initialized()
        device = ctx.device_name
        tensors = []
        for value, spec, (np_dtype, dtype, dims) in zip(
                batch_in, self.specs, self.direct, strict=True):
            if type(value) is np.ndarray and value.dtype == np_dtype:
                if dims is not None and not fits(value.shape, dims):
                    return None
                tensors.append(ops.EagerTensor(value, device, dtype))
                continue
            tensor = ops.convert_to_tensor(value, dtype_hint=spec.dtype)
            if not spec.is_compatible_with(tensor):
                return None
            tensors.append(tensor)
        return tensors

    def __call__(self, tensors: list[Any]) -> Any:
        return self.concrete._call_flat(tensors, self.concrete.captured_inputs)


def fits(shape: tuple[int, ...], dims: tuple[int | None, ...]) -> bool:
    """Does an array of `shape` fit a signature's known-rank `dims`?"""
    return len(shape) == len(dims) and all(d is None or d == n
                                           for n, d in zip(shape, dims, strict=True))


def to_numpy(outputs: Any) -> Any:
    """keras's `sync_to_numpy_or_python_type` for dicts of eager tensors."""
    if type(outputs) is dict:
        return {key: to_numpy(value) for key, value in outputs.items()}
    if isinstance(outputs, tf.Tensor):
        array = outputs.numpy()
        return array.item() if np.ndim(array) == 0 else array
    return tf_utils.sync_to_numpy_or_python_type(outputs)


def empty_to_none(value: Any) -> Any:
    """Rasa's `_empty_lists_to_none_in_dict`, for one value of the dict."""
    if isinstance(value, dict):
        return {key: empty_to_none(item) for key, item in value.items()}
    if isinstance(value, (list, np.ndarray)) and np.size(value) == 0:
        return None
    return value


def rasa_predict(self: RasaModel, batch_in: Any) -> dict[str, Any]:
    fast: ConcretePredict | None = getattr(self, ATTRIBUTE, None)
    tensors = fast.inputs(batch_in) if fast is not None and not self._run_eagerly else None
    if fast is None or tensors is None:
        outputs = _original(self, batch_in)
        if fast is None and self._tf_predict_step is not None and not self._run_eagerly:
            setattr(self, ATTRIBUTE, ConcretePredict(self._tf_predict_step))
        return outputs
    if self._training is not False:
        self._training = False  # as Rasa's method does; prepared for prediction already
    outputs = to_numpy(fast(tensors))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = {key: empty_to_none(value)
                                    for key, value in outputs[DIAGNOSTIC_DATA].items()}
    return outputs


def install() -> None:
    RasaModel._rasa_predict = rasa_predict
