"""Run a `flowdesk` command the moment a file appears, so a test can start several processes at once.

    python tests/storage/when_told.py GO_FILE ARGUMENTS...

Prints "ready" once Python and Flowdesk are loaded, waits until GO_FILE
exists, then runs `flowdesk ARGUMENTS...` and exits with its exit code. The repository must be on PYTHONPATH.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from designer.cli import main

if __name__ == "__main__":
    go = Path(sys.argv[1])
    print("ready", flush=True)
    deadline = time.monotonic() + 120
    while not go.exists():
        if time.monotonic() > deadline:
            sys.exit("no go within 120 s")
        time.sleep(0.001)
    sys.exit(main(sys.argv[2:]))
