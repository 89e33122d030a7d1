"""Developer tooling: environment paths, model building and the process supervisor.

Standard library only, so any of the project's Python interpreters can run it.
"""
