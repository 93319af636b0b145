"""The analysis engine: replays a module against a model of TF's scope bookkeeping."""
