"""HTML made from authored templates and customer data, shown where it cannot run anything.

Letters and e-mails are HTML rendered from what a business owner typed, filled
with customer data; the pages show them only inside an iframe with an empty
`sandbox` attribute (no scripts, forms, popups or same-origin access), never
through `ui.html`. The sandbox is set before the content, so it never loads without.
"""

from __future__ import annotations

from nicegui import ui


def sandboxed_frame(*, srcdoc: str | None = None, src: str | None = None, height: str = "480px") -> ui.element:
    """An iframe showing `srcdoc` (an HTML page) or the page at `src`, without any rights."""
    frame = ui.element("iframe").classes("w-full border rounded bg-white").style(f"height: {height}")
    frame.props["sandbox"] = ""
    if srcdoc is not None:
        frame.props["srcdoc"] = srcdoc
    if src is not None:
        frame.props["src"] = src
    return frame
