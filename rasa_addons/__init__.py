"""Project code that runs inside the Rasa process: the spaCy pipeline builder,
custom NLU components and the tracker store."""

from rasa_addons import action_result_validation

# Rasa imports this package (pipeline components, tracker store) before it serves a
# message, so every Rasa process checks action replies with the cached validator.
action_result_validation.install()
