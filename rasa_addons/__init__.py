"""Project code that runs inside the Rasa process: the spaCy pipeline builder,
custom NLU components and the tracker store."""
