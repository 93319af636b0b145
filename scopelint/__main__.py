"""`python -m scopelint` runs the command-line interface."""

import sys

from scopelint.cli import main

sys.exit(main())
