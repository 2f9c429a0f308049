"""``python -m outreach.matching``: see :mod:`outreach.matching.cli`."""

import sys

from .cli import main

sys.exit(main())
