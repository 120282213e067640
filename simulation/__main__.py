"""``python -m simulation`` is the ``socbiz`` command."""

import sys

from .cli import main

sys.exit(main())
