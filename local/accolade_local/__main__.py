"""`python -m accolade_local local up` = `accolade local up`."""

import sys

from accolade_local.cli import main

sys.exit(main())
