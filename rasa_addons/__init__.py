"""Project code that runs on the Rasa side (the Rasa venv, Python 3.10), outside actions/:

- launchers: ``serve.py`` (Rasa itself), ``action_server.py`` (rasa-sdk's app, guarded),
  ``serving.py`` (did the server bind its port?);
- ``settings.py``, the one settings module of the Rasa side;
- ``spacy_pipeline.py`` (with ``patterns.yml`` and ``pattern_dsl.py``): the spaCy pipeline;
- custom NLU components: ``input_guard.py``, ``question_not_report.py``, ``safety_override.py``,
  ``unreadable_input.py``;
- ``channels.py`` (the token-guarded REST channel), ``tracker_store.py`` (redaction after a
  report), ``retention.py``, ``log_privacy.py`` (the log sanitiser) and
  ``action_result_validation.py`` (the action-reply schema check, built once).
"""
