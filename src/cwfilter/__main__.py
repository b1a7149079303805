"""``python -m cwfilter``: the same as the ``cwfilter`` command."""

import sys

from .cli import main

sys.exit(main())
