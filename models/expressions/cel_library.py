"""The CEL library, imported on first use.

Importing the `cel` package also loads its command line (typer, prompt_toolkit: about 0.2 s of CPU), which
`flowdesk serve` would otherwise pay before its first page, although no page before it runs an expression. The
modules that compile and run expressions reach the library through `cel()`, which imports it the first time.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType


@cache
def cel() -> ModuleType:
    """The `cel` package (imported now if it was not yet)."""
    import cel as library

    return library
