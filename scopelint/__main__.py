"""`python -m scopelint` runs the command-line interface."""

from scopelint.cli import run

run()
