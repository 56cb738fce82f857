"""Moving a process's open cases to a newer version, from the browser: choose, try, then move.

/design/{key}/migrate: pick the version the cases run on and the one to move
them to; the diff proposes the node map (steps that stayed map to themselves;
for a removed step that can hold a case the designer chooses its successor);
"Try" runs the dry run and lists per case what would happen or what blocks it;
"Move" moves all movable cases or the ticked ones, with a progress bar. Every
move is an event on the case's trail (`runtime.migration`).
"""

from __future__ import annotations

from urllib.parse import quote

from nicegui import APIRouter, run, ui

from codegen.diff import propose_node_map
from designer.display import said
from designer.elements.tables import name_selection, table
from designer.frame import frame, runtime
from designer.i18n import N_, _
from models.errors import FlowdeskError
from runtime.documents import User
from runtime.migration import CaseMigration, migrate_cases, plan_migration
from runtime.views.names import process_names
from runtime.views.processes import process_version, version_history

KEEP_OUT = ""  # a removed step left unmapped: its cases stay where they are
#: Cases moved between two updates of the progress bar.
BATCH = 10


def migrate_url(key: str) -> str:
    return f"/design/{quote(key, safe='')}/migrate"


class MigrationPage:
    """One designer moving the open cases of one process."""

    def __init__(self, user: User, key: str) -> None:
        self.user, self.key = user, key
        history = version_history(runtime(), user, key)
        self.open_on = {h.version.number: h.cases_open for h in history}
        numbers = sorted(self.open_on)
        options = {n: _("version {number} ({count} open)").format(number=n, count=self.open_on[n]) for n in numbers}
        with ui.row().classes("items-end gap-3"):
            self.old = ui.select(options, value=next((n for n in numbers if self.open_on[n]), numbers[0]),
                                 label=_("Move the open cases of"), on_change=self.propose).classes("w-64") \
                .mark("from-version")
            self.new = ui.select(options, value=numbers[-1], label=_("to"), on_change=self.propose) \
                .classes("w-64").mark("to-version")
        self.choices_area = ui.column().classes("w-full gap-1").mark("node-choices")
        with ui.row().classes("items-center gap-3"):
            ui.button(_("Try (nothing moves)"), icon="science", on_click=self.try_it).props("outline").mark("dry-run")
            self.move_button = ui.button(_("Move"), icon="moving", on_click=self.move).mark("move")
            self.move_button.set_enabled(False)
        self.progress = ui.linear_progress(value=0, show_value=False).classes("w-full").mark("progress")
        self.progress.set_visibility(False)
        self.summary = ui.label().mark("plan-summary")
        self.table = table([{"name": n, "label": label, "field": n, "align": "left"} for n, label in (
            ("case", N_("Case")), ("movable", N_("Can move")), ("detail", N_("What happens")))],
            [], "case", selection="multiple").classes("w-full").mark("plan")
        name_selection(self.table, "case", _("Choose every case"), _("Choose {name}"))
        self.chosen: dict[str, ui.select] = {}
        self.propose()

    def propose(self) -> None:
        """The node map the diff proposes, with a choice for each removed step that can hold a case."""
        self.chosen.clear()
        self.choices_area.clear()
        self.move_button.set_enabled(False)
        self.table.rows = []
        try:
            old = process_version(runtime(), self.user, self.key, self.old.value).bundle
            new = process_version(runtime(), self.user, self.key, self.new.value).bundle
        except FlowdeskError as error:
            ui.notify(said(error), type="warning")
            return
        proposal = propose_node_map(old, new)
        with self.choices_area:
            if not proposal.choices:
                ui.label(_("Every step a case can wait at is still there: cases stay where they are."))
            for choice in proposal.choices:
                options = {KEEP_OUT: _("leave such cases where they are")} | {
                    c: f"'{new.node(c).display}' ({c})" for c in choice.candidates}
                with ui.row().classes("items-center gap-2"):
                    ui.label(_("Step '{step}' ({kind}) was {reason}; cases there wait for {what}. Move them to")
                             .format(step=choice.label, kind=choice.kind, reason=choice.reason,
                                     what=choice.waits_for))
                    self.chosen[choice.node_id] = ui.select(options, value=next(iter(choice.candidates), KEEP_OUT)) \
                        .classes("w-72").mark(f"map-{choice.node_id}")

    def node_map(self) -> dict[str, str]:
        return {node: select.value for node, select in self.chosen.items() if select.value}

    def try_it(self) -> None:
        try:
            plans = plan_migration(runtime(), self.user, self.key, self.old.value, self.new.value, self.node_map())
        except FlowdeskError as error:
            ui.notify(said(error), type="warning", multi_line=True)
            return
        self._show(plans)
        movable = [p for p in plans if p.movable]
        self.summary.set_text(_("{count} open case(s) on version {version}: {movable} can move, {stuck} cannot (see "
                                "why below). Tick cases to move only those.").format(
                                    count=len(plans), version=self.old.value, movable=len(movable),
                                    stuck=len(plans) - len(movable)))
        self.move_button.set_enabled(bool(movable))

    async def move(self) -> None:
        chosen = [row["case"] for row in self.table.selected] or [row["case"] for row in self.table.rows
                                                                  if row["can_move"]]
        self.progress.set_visibility(True)
        self.progress.set_value(0)
        self.move_button.set_enabled(False)
        results: list[CaseMigration] = []
        for start in range(0, len(chosen), BATCH):  # each batch off the event loop, the bar moving between them
            results += await run.io_bound(migrate_cases, runtime(), self.user, self.key, self.new.value,
                                          self.node_map(), chosen[start:start + BATCH])
            self.progress.set_value(len(results) / len(chosen))
        self._show(results)
        moved = sum(r.movable for r in results)
        stuck = _("; {count} could not move").format(count=len(results) - moved) if moved < len(results) else ""
        self.summary.set_text(_("{moved} case(s) moved to version {version}").format(moved=moved,
                                                                                     version=self.new.value)
                              + stuck + ".")
        ui.notify(_("{moved} case(s) moved.").format(moved=moved), type="positive")

    def _show(self, plans: list[CaseMigration]) -> None:
        self.table.rows = [{"case": p.case_id, "movable": _("yes") if p.movable else _("no"), "can_move": p.movable,
                            "detail": p.detail} for p in plans]
        self.table.selected = []


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/design/{key}/migrate", title="Flowdesk — move open cases")
    def migrate_page(key: str) -> None:
        with frame(N_("Move the open cases of '{process}' to a newer version"),
                   process=process_names(runtime()).get(key, key)) as user:
            try:
                MigrationPage(user, key)
            except FlowdeskError as error:
                ui.label(said(error)).mark("no-process")

    return router
