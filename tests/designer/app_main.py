"""The Flowdesk app as NiceGUI's user simulation runs it: on $FLOWDESK_TEST_DATA, without the worker, speaking
English unless a test or user chooses otherwise."""

import os
from pathlib import Path

from nicegui import ui

from designer.app import build
from tests.designer.helpers import english_installation

if __name__ == "__main__":
    english_installation(Path(os.environ["FLOWDESK_TEST_DATA"]))
    secret = build(Path(os.environ["FLOWDESK_TEST_DATA"]), worker=False, examples=False)
    ui.run(storage_secret=secret, reload=False, show=False)
