"""A file drop zone: an area that says what to drop and how big it may be, in words.

NiceGUI's `ui.upload` (Quasar's QUploader) heads itself with the raw size and
progress of its queue ("0.0B / 0.00%"). The drop zone replaces that header
with an icon, what to drop, the limit ("at most 10 MB") and a spinner while a
file goes up; the whole area opens the file chooser (also from the keyboard)
and takes a dropped file. After each file the queue is emptied, so the area
is ready for the next one; the page says what happened to the file. The uploader's own frame and file list
are hidden, so the dashed area is all there is. The area is a <label> around the uploader's file input, so a
screen reader names the input by the area's words.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from nicegui import events, ui

from designer.display import number_text
from designer.i18n import _

__all__ = ["drop_zone", "size_in_words"]

MEGABYTE = 1024 * 1024

#: The drop zone is its dashed header alone: no uploader frame around it and no empty file list under it.
DROP_ZONE_CSS = """
.flowdesk-drop-zone { background: transparent; box-shadow: none; max-height: none; }
.flowdesk-drop-zone .q-uploader__list { display: none; }
"""


def size_in_words(size: int) -> str:
    """A file size limit as people say it, the number written the reader's way (1,5 MB in Dutch).

    >>> size_in_words(10 * 1024 * 1024), size_in_words(5_000_000), size_in_words(1536 * 1024), size_in_words(800)
    ('10 MB', '5 MB', '1.5 MB', '800 bytes')
    """
    if size < 1000:
        return _("{size} bytes").format(size=number_text(size))
    megabytes = size / MEGABYTE if size % (MEGABYTE // 2) == 0 else size / 1_000_000
    return _("{size} MB").format(size=number_text(round(megabytes, 3)))


def drop_zone(what: str, limit: int, on_upload: Callable[[Any], Awaitable[Any] | Any], *, accept: str = "",
              multiple: bool = False) -> ui.upload:
    """An upload area for files of at most `limit` bytes; `what` says what to drop ("A file"), `accept` which
    files the chooser offers (e.g. ".json"). `on_upload` gets each file (`UploadEventArguments`), or with
    `multiple` the files chosen or dropped together at once (`MultiUploadEventArguments`)."""

    async def uploaded(event: events.UploadEventArguments | events.MultiUploadEventArguments) -> None:
        try:
            result = on_upload(event)
            if isinstance(result, Awaitable):
                await result
        finally:
            event.sender.reset()

    handler = {"on_multi_upload": uploaded} if multiple else {"on_upload": uploaded}
    upload = ui.upload(auto_upload=True, max_file_size=limit, multiple=multiple, **handler,
                       on_rejected=lambda: ui.notify(_("Not taken: the file is bigger than {limit}.").format(
                                                     limit=size_in_words(limit)),
                                                     type="warning"))
    upload.props("flat no-thumbnails" + (f' accept="{escape(accept)}"' if accept else ""))
    upload.classes("w-full flowdesk-drop-zone").style("max-width: 36rem")
    ui.add_css(DROP_ZONE_CSS)
    prompt = _("{what}: drop it here, or click to choose").format(what=what)
    at_most = _("At most {limit}").format(limit=size_in_words(limit))
    upload.add_slot("header", f"""
      <label class="relative-position row no-wrap items-center q-pa-md q-gutter-md full-width cursor-pointer
                  bg-blue-grey-1 text-grey-9" style="border: 2px dashed #90a4ae; border-radius: 6px">
        <q-icon name="upload_file" size="md" color="primary" />
        <div class="col">
          <div class="text-body1">{escape(prompt)}</div>
          <div class="text-caption">{escape(at_most)}</div>
        </div>
        <q-spinner v-if="props.isUploading" color="primary" size="sm" />
        <q-uploader-add-trigger />
      </label>""")
    return upload
