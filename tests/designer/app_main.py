"""The Flowdesk app as NiceGUI's user simulation runs it: on $FLOWDESK_TEST_DATA, without the worker."""

import os
from pathlib import Path

from nicegui import ui

from designer.app import build

if __name__ == "__main__":
    secret = build(Path(os.environ["FLOWDESK_TEST_DATA"]), worker=False, examples=False)
    ui.run(storage_secret=secret, reload=False, show=False)
