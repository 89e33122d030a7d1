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

`rasa_addons/serve.py` installs it in the Rasa process.
"""

from __future__ import annotations

from typing import Any

from keras.utils import tf_utils
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.utils.tensorflow.models import RasaModel
from tensorflow.python.framework import ops

_original = RasaModel._rasa_predict
ATTRIBUTE = "_addon_concrete_predict"


class ConcretePredict:
    """The traced graph of one model's `tf.function`, called without the dispatch."""

    def __init__(self, function: Any) -> None:
        self.concrete = function.get_concrete_function()
        self.specs = list(function.input_signature[0])

    def inputs(self, batch_in: Any) -> list[Any] | None:
        """The inputs as tensors, as TensorFlow converts them; None if they do not fit."""
        if len(batch_in) != len(self.specs):
            return None
        tensors = []
        for value, spec in zip(batch_in, self.specs, strict=True):
            tensor = ops.convert_to_tensor(value, dtype_hint=spec.dtype)
            if not spec.is_compatible_with(tensor):
                return None
            tensors.append(tensor)
        return tensors

    def __call__(self, tensors: list[Any]) -> Any:
        return self.concrete._call_flat(tensors, self.concrete.captured_inputs)


def rasa_predict(self: RasaModel, batch_in: Any) -> dict[str, Any]:
    fast: ConcretePredict | None = getattr(self, ATTRIBUTE, None)
    tensors = fast.inputs(batch_in) if fast is not None and not self._run_eagerly else None
    if fast is None or tensors is None:
        outputs = _original(self, batch_in)
        if fast is None and self._tf_predict_step is not None and not self._run_eagerly:
            setattr(self, ATTRIBUTE, ConcretePredict(self._tf_predict_step))
        return outputs
    self._training = False  # as Rasa's method does; prepared for prediction already
    outputs = tf_utils.sync_to_numpy_or_python_type(fast(tensors))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def install() -> None:
    RasaModel._rasa_predict = rasa_predict
