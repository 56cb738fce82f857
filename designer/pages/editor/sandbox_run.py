"""The editor's test-run tab: run the draft in a sandbox with sample data, and keep runs as scenarios.

The owner starts a case with start data, completes its tasks, sends messages and
skips timers; a read-only canvas rings the steps holding a token, and the tab lists
open tasks, decisions taken, letters rendered (as text, or the HTML in a sandboxed
frame), incidents and the outcome. "Save as scenario" keeps the run; every saved
scenario is replayed after each edit of the draft and shows whether it still
reaches the same outcome. The sandbox is `runtime.test_run`; scenarios are kept by `runtime.drafts`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nicegui import ui

from codegen.forms import Compiler
from codegen.forms.fallback import form_for_variables
from codegen.forms.view import FormView
from codegen.markup import letter_page
from designer.display import form_words, local_time, said
from designer.elements.flow_canvas import FlowCanvas
from designer.elements.sandboxed_frame import sandboxed_frame
from designer.frame import runtime
from designer.i18n import _
from designer.pages.editor.panel import Panel
from models.bundle import Bundle
from models.errors import FlowdeskError
from models.letters import LetterChannel
from models.serialization import bundle_document
from models.values import to_json_value
from runtime.access import UseCase, may
from runtime.documents import OutboxEntry
from runtime.drafts import Drafts, SavedScenarios, ScenariosChanged
from runtime.outbox import letter_page_of
from runtime.process_version import ProcessVersion
from runtime.test_run import OpenTask, RunState, Scenario, ScenarioResult, TestRun, TestRuns, start_form
from runtime.views.cases import event_phrase
from runtime.views.design import sample_customers

if TYPE_CHECKING:
    from designer.pages.editor.shell import Editor

def form_view(bundle: Bundle, form_id: str | None, values: dict[str, Any], compile_expression: Compiler,
              fallback_id: str) -> FormView:
    """The agent's generated form for `form_id`, or one field per case variable where there is no form."""
    form = (bundle.form(form_id) if form_id else None) or form_for_variables(fallback_id, bundle.variables)
    return FormView(form, {v.name: v for v in bundle.variables}, values, compile_expression,
                    words=form_words())


def entered(view: FormView) -> dict[str, Any] | None:
    """What was typed, as JSON data, or None (with the messages under the fields) when something is wrong."""
    if view.validate():
        ui.notify(_("Correct the marked fields first."), type="warning")
        return None
    return {name: to_json_value(value) for name, value in view.values().items() if value not in (None, "", [])}


class SandboxRunPanel(Panel):
    """A test-run of the draft in a sandbox, and the saved scenarios with their latest results."""

    def __init__(self, editor: Editor) -> None:
        self.run: TestRun | None = None
        self.saved: SavedScenarios | None = None
        self.results: tuple[int, int, list[ScenarioResult]] | None = None  # (draft revision, saved revision, ...)
        # The shell gives each panel a narrow card; the sandbox's canvas needs the width of the tab.
        super().__init__(editor)

    @ui.refreshable_method
    def show(self) -> None:
        errors = self.draft.errors()
        ui.label(_("Test-run")).classes("text-lg").mark("test-run-title")
        if errors:
            ui.label(_("The draft has {count} error(s). Fix them (see the problems list on the Flow tab) to test-run "
                       "it.").format(count=len(errors))).classes("text-negative").mark("test-run-blocked")
        with ui.row().classes("w-full no-wrap items-start gap-4"):
            with ui.column().classes("grow gap-2").style("min-width: 0"):
                self.show_run()
            with ui.column().classes("w-96 flex-none gap-2"):
                if not errors:
                    self.show_actions()
                self.show_scenarios(bool(errors))

    @property
    def stale(self) -> bool:
        """Whether the draft was changed since the run started (an undo back to it makes it current again)."""
        return self.run is not None and self.run.bundle != self.draft.bundle

    # The run.

    def show_run(self) -> None:
        run = self.run
        if run is None:
            ui.label(_("Not started. Type the start data and press \"Start test-run\"; the flow is then shown "
                       "here with a green ring around each step that holds a token.")).classes("text-slate-600") \
                .mark("test-outcome")
            return
        state = run.state()
        FlowCanvas(bundle_document(run.bundle), read_only=True).style("width: 100%; height: 360px") \
            .mark("test-canvas").highlight(state.token_nodes)
        if self.stale:
            ui.label(_("The draft has changed since this test-run started; start a new one to test the changes.")) \
                .classes("text-warning").mark("test-run-stale")
        ui.label(_("Sandbox time: {moment}").format(moment=local_time(state.now, timezone=state.timezone))) \
            .classes("text-slate-600").mark("sandbox-time")
        outcome = _(" (outcome: {outcome})").format(outcome=state.outcome.outcome) if state.outcome.outcome else ""
        ui.label(_("The case {state}").format(state=said(state.outcome.phrase())) + outcome) \
            .classes("text-base font-medium").mark("test-outcome")
        for incident in state.incidents:
            ui.label(_("Incident at {where}").format(where=said(incident))).classes("text-negative") \
                .mark("test-incident")
        self.show_decisions(state)
        self.show_letters(state.letters)

    def show_decisions(self, state: RunState) -> None:
        ui.label(_("Decisions taken ({count})").format(count=len(state.decisions))).classes("font-medium")
        for event in state.decisions:
            ui.label(said(event_phrase(event))).classes("text-sm").mark("test-decision")

    def show_letters(self, letters: list[OutboxEntry]) -> None:
        ui.label(_("Letters, e-mails and SMS rendered ({count})").format(count=len(letters))).classes("font-medium")
        for entry in letters:
            with ui.expansion(f"{entry.channel}: {entry.subject or entry.letter}").classes("w-full") \
                    .mark("test-letter"):
                ui.label(_("To: {recipient}").format(recipient=entry.recipient)).classes("text-sm whitespace-pre-line")
                if entry.text_body or entry.channel == LetterChannel.SMS:
                    ui.label(entry.text_body or entry.body).classes("text-sm whitespace-pre-wrap") \
                        .mark("test-letter-text")
                else:  # HTML rendered from the owner's template, laid out as the customer gets it
                    page = letter_page_of(entry) if entry.channel == LetterChannel.LETTER else \
                        letter_page((), "", entry.body, title=entry.subject)
                    sandboxed_frame(srcdoc=page, height="560px").mark("test-letter-html")

    # What the owner can do.

    def show_actions(self) -> None:
        if self.run is None or self.stale:
            self.show_start()
            return
        state = self.run.state()
        ui.button(_("New test-run"), icon="restart_alt", on_click=self.reset).props("flat dense").mark("new-test-run")
        ui.label(_("Open tasks ({count})").format(count=len(state.open_tasks))).classes("font-medium")
        for task in state.open_tasks:
            self.show_task(task)
        for message in state.waiting_messages:
            with ui.card().classes("w-full"):
                ui.label(_("Waiting for message '{message}'").format(message=message))
                ui.button(_("Send message"), icon="mail", on_click=lambda m=message: self.act(
                    lambda: self.run.send_message(m))).props("flat dense").mark(f"message-{message}")
        if state.timers:
            ui.label(_("Next timer: {what}, due {moment}").format(
                what=state.timers[0].what, moment=local_time(state.timers[0].due_at, timezone=state.timezone))) \
                .classes("text-sm").mark("next-timer")
            ui.button(_("Skip to next timer"), icon="fast_forward", on_click=self.skip).props("flat dense") \
                .mark("skip-timer")
        with ui.row().classes("w-full items-end no-wrap gap-2"):
            name = ui.input(_("Scenario name"), placeholder=_("e.g. justified complaint")).classes("grow") \
                .mark("scenario-name")
            ui.button(_("Save as scenario"), icon="save", on_click=lambda: self.save(name.value or "")) \
                .props("flat dense").mark("save-scenario")

    def show_start(self) -> None:
        bundle = self.draft.bundle
        user = self.editor.user
        samples = sample_customers(runtime(), user) if may(user, UseCase.SAMPLE_REAL_DATA) else []
        customers = {c.id: f"{c.name} ({c.id})" for c in samples}
        customer = ui.select(customers, value=next(iter(customers), None), label=_("Sample customer")) \
            .classes("w-full").mark("test-customer")
        starts = [n for n in bundle.nodes if n.kind == "start"]
        start = starts[0].id if len(starts) == 1 else None
        if start is None:
            picked = ui.select({n.id: n.display for n in starts}, value=starts[0].id if starts else None,
                               label=_("Start")).classes("w-full").mark("test-start-node")
        form = start_form(bundle, start)
        ui.label(_("Start data") if form else _("Start data (the start has no form: any case data)")) \
            .classes("font-medium")
        view = form_view(bundle, form, {}, ProcessVersion.of_draft(bundle).expression, "start")

        def begin() -> None:
            data = entered(view)
            if data is not None:
                self.start(customer.value, start or picked.value, data)

        ui.button(_("Start test-run"), icon="play_arrow", on_click=begin).mark("start-test-run")

    def show_task(self, task: OpenTask) -> None:
        item, bundle = task.item, task.version.bundle
        node = task.version.nodes[item.node]
        with ui.card().classes("w-full gap-1").mark(f"task-{item.node}"):
            where = "" if item.process_key == self.run.bundle.key else \
                _(" (in '{process}')").format(process=bundle.name)
            ui.label(f"{item.title}{where}").classes("font-medium")
            view = form_view(bundle, item.form, task.data, task.version.expression, f"task-{item.node}")
            ticks = {c.id: ui.checkbox(c.text if c.required else _("{entry} (optional)").format(entry=c.text))
                     .mark(f"check-{item.node}-{c.id}")
                     for c in getattr(node, "checklist", [])}

            def complete() -> None:
                data = entered(view)
                if data is not None:
                    self.act(lambda: self.run.complete(item.id, data, [i for i, box in ticks.items() if box.value]))

            ui.button(_("Complete"), icon="check", on_click=complete).props("flat dense").mark(f"complete-{item.node}")

    def show_scenarios(self, blocked: bool) -> None:
        ui.label(_("Scenarios")).classes("font-medium").mark("scenarios-title")
        try:
            results = self.scenario_results(blocked)
        except FlowdeskError as error:
            ui.label(said(error)).classes("text-negative").mark("scenarios-problem")
            return
        if not results:
            ui.label(_("None yet: finish a test-run and save it as a scenario.")).classes("text-slate-600")
        for result in results:
            with ui.row().classes("w-full items-center no-wrap gap-2").mark("scenario"):
                if blocked:
                    ui.icon("block", color="grey").tooltip(_("Not run: the draft has errors"))
                else:
                    ui.icon("check_circle" if result.passed else "cancel",
                            color="positive" if result.passed else "negative")
                with ui.column().classes("grow gap-0"):
                    ui.label(result.scenario.name).mark("scenario-name-label")
                    ui.label(_("not run: the draft has errors") if blocked else
                             (_("passed: {reason}") if result.passed else _("failed: {reason}"))
                             .format(reason=said(result.reason))) \
                        .classes("text-sm text-slate-600").mark("scenario-result")
                ui.button(icon="delete", on_click=lambda s=result.scenario: self.delete(s)) \
                    .props("flat dense round").tooltip(_("Delete the scenario")).mark("delete-scenario")

    def scenario_results(self, blocked: bool) -> list[ScenarioResult]:
        """Every saved scenario replayed against the draft (once per draft revision and saved scenarios)."""
        user = self.editor.user
        self.saved = Drafts(runtime()).scenarios(user, self.draft.key)
        if self.results is not None and self.results[:2] == (self.draft.revision, self.saved.revision):
            return self.results[2]
        if blocked:
            return [ScenarioResult(s, False, "") for s in self.saved.scenarios]
        results = TestRuns(runtime()).replay(user, self.draft.bundle, self.saved.scenarios)
        self.results = (self.draft.revision, self.saved.revision, results)
        return results

    # Handlers.

    def start(self, customer_id: str | None, start_node: str | None, data: dict[str, Any]) -> None:
        def begin() -> None:
            self.run = TestRuns(runtime()).start(self.editor.user, self.draft.bundle, data, customer_id=customer_id,
                                                 start_node=start_node)

        self.act(begin)

    def skip(self) -> None:
        self.act(lambda: ui.notify(_("Skipped to {moment}.").format(
            moment=local_time(self.run.skip_to_next_timer().due_at, timezone=self.run.state().timezone))))

    def save(self, name: str) -> None:
        def keep() -> None:
            scenario = self.run.scenario(name)
            self.keep_scenarios(lambda saved: Drafts(runtime()).save_scenario(
                self.editor.user, self.draft.key, scenario, saved.revision))
            ui.notify(_("Saved scenario '{scenario}'.").format(scenario=scenario.name), type="positive")

        self.act(keep)

    def delete(self, scenario: Scenario) -> None:
        self.act(lambda: self.keep_scenarios(lambda saved: Drafts(runtime()).delete_scenario(
            self.editor.user, self.draft.key, scenario.name, saved.revision)))

    def keep_scenarios(self, change: Callable[[SavedScenarios], SavedScenarios]) -> None:
        """Change the saved scenarios as last read; when someone else changed them meanwhile, on theirs (they are
        a list of named runs: adding or removing one by name fits on any version)."""
        saved = self.saved or Drafts(runtime()).scenarios(self.editor.user, self.draft.key)
        try:
            self.saved = change(saved)
        except ScenariosChanged as changed:
            self.saved = change(changed.current)

    def reset(self) -> None:
        self.run = None
        self.refresh()

    def act(self, action: Callable[[], Any]) -> None:
        """Do a test-run action and show the new state; what the sandbox refuses is explained, and what was
        typed stays in the inputs to be corrected."""
        try:
            action()
        except FlowdeskError as error:
            ui.notify(said(error), type="warning", multi_line=True)
            return
        self.refresh()
