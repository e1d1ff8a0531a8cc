"""``python -m ffnn``: the command line."""

import sys

from ffnn.cli import main

if __name__ == "__main__":
    sys.exit(main())
