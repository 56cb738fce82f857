"""The problems list: the checks' findings on the draft, in the reader's language, placeholders of letters named by
the labels their chips show; clicking one shows the element it is about."""

from __future__ import annotations

from nicegui import ui

from codegen.letter_names import Names
from designer.display import letter_words
from designer.i18n import _, said
from designer.pages.editor.panel import Panel
from models.checks import Severity


class ProblemsPanel(Panel):
    @ui.refreshable_method
    def show(self) -> None:
        findings = self.draft.findings()
        names = Names.of(self.draft.bundle.variables, letter_words())
        ui.label(_("Problems ({count})").format(count=len(findings))).classes("text-lg").mark("problems-title")
        if not findings:
            ui.label(_("No problems found.")).mark("no-problems")
            return
        with ui.list().props("dense separator").classes("w-full max-h-96 overflow-auto"):
            for finding in findings:
                error = finding.severity is Severity.ERROR
                with ui.item(on_click=lambda f=finding: f.element and self.editor.select(f.element)) \
                        .mark(f"problem problem-{finding.element or 'process'}"):
                    with ui.item_section().props("avatar"):
                        ui.icon("error" if error else "warning", color="negative" if error else "warning") \
                            .tooltip(_("error") if error else _("warning"))
                    with ui.item_section():
                        ui.label(said(names.labelled(finding.phrased_message)))
                        if finding.hint:
                            ui.label(said(names.labelled(finding.phrased_hint))).classes("text-xs text-slate-600")
