"""`python -m designer.cli` runs the flowdesk command."""

import sys

from designer.cli import main

sys.exit(main())
