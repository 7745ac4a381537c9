"""`python -m assistant` is the `cited` command."""

import sys

from assistant.cli import main

sys.exit(main())
