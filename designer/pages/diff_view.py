"""A visual diff of two versions of a process, shown the same wherever one is compared (auditor, designer, approver).

The flow side by side: the old version with removed steps red and changed ones
amber, the new one with added steps green, changed amber and only moved blue;
beside it, every change grouped by part in plain words, texts with the words
taken out struck through in red and the words put in green. Texts are shown as
text, never as HTML.
"""

from __future__ import annotations

from nicegui import ui

from codegen.diff import BundleDiff, Change, ChangeKind, Part
from codegen.diff.changes import TITLES
from designer.elements.flow_canvas import FlowCanvas
from designer.i18n import N_, _, ngettext
from models.bundle import Bundle
from models.serialization import bundle_document

COLOURS = {ChangeKind.ADDED: "#bbf7d0", ChangeKind.REMOVED: "#fecaca", ChangeKind.CHANGED: "#fde68a",
           ChangeKind.MOVED: "#bfdbfe", ChangeKind.REORDERED: "#fde68a"}
MARKS = {ChangeKind.ADDED: "+", ChangeKind.REMOVED: "−", ChangeKind.CHANGED: "~", ChangeKind.MOVED: "↔",
         ChangeKind.REORDERED: "↕"}
#: The legend's words for the kinds of change.
KIND_WORDS = {ChangeKind.ADDED: N_("added"), ChangeKind.REMOVED: N_("removed"), ChangeKind.CHANGED: N_("changed"),
              ChangeKind.MOVED: N_("moved"), ChangeKind.REORDERED: N_("reordered")}
SEGMENT_CLASSES = {"insert": "bg-green-100 text-green-900", "delete": "bg-red-100 text-red-900 line-through",
                   "equal": ""}


def diff_view(old: Bundle, new: Bundle, diff: BundleDiff, *, old_title: str, new_title: str) -> None:
    """Both diagrams coloured by what changed, then the list of changes by part."""
    with ui.column().classes("w-full gap-2").mark("diff"):
        if not diff:
            ui.label(_("The two versions are the same.")).mark("diff-none")
            return
        ui.label(ngettext("{count} change", "{count} changes", len(diff)).format(count=len(diff))) \
            .classes("text-lg").mark("diff-count")
        status = diff.status(Part.NODES)
        with ui.row().classes("w-full no-wrap gap-4"):
            for title, bundle, shown, marker in (
                    (old_title, old, (ChangeKind.REMOVED, ChangeKind.CHANGED), "diff-old"),
                    (new_title, new, (ChangeKind.ADDED, ChangeKind.CHANGED, ChangeKind.MOVED), "diff-new")):
                with ui.column().classes("basis-1/2 min-w-0"):
                    ui.label(title).classes("font-medium")
                    canvas = FlowCanvas(bundle_document(bundle), read_only=True).classes("w-full h-[340px]") \
                        .mark(marker)
                    canvas.paint({node: COLOURS[kind] for node, kind in status.items() if kind in shown}, {})
        with ui.row().classes("gap-3 text-sm"):
            for kind in (ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CHANGED, ChangeKind.MOVED):
                with ui.row().classes("items-center gap-1"):
                    ui.element("div").style(f"width:14px;height:14px;background:{COLOURS[kind]};"
                                            "border:1px solid #24292f")
                    ui.label(_(KIND_WORDS[kind]))
        for part, changes in diff.by_part().items():
            with ui.column().classes("w-full gap-1").mark(f"diff-{part.value}"):
                ui.label(TITLES[part]).classes("font-medium")
                for change in changes:
                    _change_line(change)


def _change_line(change: Change) -> None:
    with ui.row().classes("w-full items-start gap-2 no-wrap").mark(f"change-{change.kind.value}"):
        ui.label(MARKS[change.kind]).classes("font-mono w-4").style(
            f"background:{COLOURS[change.kind]}")
        if not change.segments:
            ui.label(change.describe()).classes("whitespace-pre-line")
            return
        with ui.column().classes("gap-0 min-w-0"):
            ui.label(f"{change.where()}: {change.field}").classes("text-sm text-gray-600")
            with ui.row().classes("gap-0 flex-wrap").mark("diff-text"):
                for segment in change.segments:
                    ui.label(segment.text).classes(f"whitespace-pre-wrap {SEGMENT_CLASSES[segment.op]}") \
                        .mark(f"segment-{segment.op}")
