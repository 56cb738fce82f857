"""The problems list: the checks' findings on the draft, in the reader's language, placeholders of letters named by
the labels their chips show; clicking one shows the element it is about."""

from __future__ import annotations

from nicegui import ui

from codegen.letter_names import Names
from designer.display import letter_words, said
from designer.i18n import N_, _
from designer.pages.editor.letters import MAYBE_EMPTY_RULE
from designer.pages.editor.panel import Panel
from models.checks import Finding, Severity

#: What to do about a letter's value that may be empty, said with what the letter editor offers (the check's own
#: hint, for the command line and the API, shows template code).
MAYBE_EMPTY_HINT = N_("Click here to open the letter, then click its placeholder, which is marked: show it only if it "
                      "has a value, or give a default text. Or make every way to the step set it: a required form "
                      "field, an assignment or a default value.")


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
                            ui.label(_hint(finding, names)).classes("text-xs text-slate-600").mark("problem-hint")


def _hint(finding: Finding, names: Names) -> str:
    """What to do about `finding`, in the reader's language and in words rather than template code."""
    return _(MAYBE_EMPTY_HINT) if finding.code == MAYBE_EMPTY_RULE else said(names.labelled(finding.phrased_hint))
