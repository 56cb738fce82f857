"""Monitor area: the supervisor's view of open work, closed-case figures and bottlenecks, refreshed every 10 s.

Every figure comes from `runtime.metrics` (computed from the stored cases, work items and
audit events); this page only chooses the range and process and shows them: tables of open work
per queue and process, KPI cards, charts (`ui.echart`) and the process diagram (`FlowCanvas`,
read-only) with nodes coloured by their average wait and a count on each edge.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import APIRouter, run, ui

from designer.display import duration_text, local_time, number_text, percent_text, short_date
from designer.elements.flow_canvas import FlowCanvas
from designer.elements.tables import table
from designer.frame import frame, runtime
from designer.i18n import N_, _, ngettext
from designer.pages.failed_deliveries import failed_deliveries_block
from runtime.documents import User
from runtime.metrics import ClosedCaseFigures, OpenWork, OpenWorkFigures, Spread
from runtime.views.monitor import closed_figures, diagram, monitored_processes, monitored_queues, open_work_figures

#: How often the page reads the figures again, in seconds.
REFRESH_SECONDS = 10
#: The range shown when the page opens: this many days up to today.
DEFAULT_DAYS = 30
#: Node fills from short to long average wait (the diagram's legend has one entry each).
WAIT_COLOURS = ("#bfdbfe", "#fde68a", "#fdba74", "#f87171")
ALL_PROCESSES = ""

def spread_text(value: Spread | None) -> str:
    if value is None:
        return _("no cases")
    return _("median {median} · 90% within {p90}").format(median=duration_text(value.median),
                                                           p90=duration_text(value.p90))


def local_range(first: date, last: date, timezone: str) -> tuple[datetime, datetime]:
    """From the start of day `first` to the end of day `last`, local time."""
    zone = ZoneInfo(timezone)
    return (datetime.combine(first, time(0), zone), datetime.combine(last + timedelta(days=1), time(0), zone))


def wait_colours(average_wait: dict[str, float]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """A fill per node by its average wait (longest = last colour), and the legend: (colour, range text)."""
    longest = max(average_wait.values(), default=0)
    if longest <= 0:
        return {node: WAIT_COLOURS[0] for node in average_wait}, [(WAIT_COLOURS[0], _("no waiting"))]
    step = longest / len(WAIT_COLOURS)
    fills = {node: WAIT_COLOURS[min(int(wait / step), len(WAIT_COLOURS) - 1)] for node, wait in average_wait.items()}
    legend = [(colour, f"{duration_text(step * n)} – {duration_text(step * (n + 1))}" if n else
               _("up to {duration}").format(duration=duration_text(step))) for n, colour in enumerate(WAIT_COLOURS)]
    return fills, legend


def _open_rows(groups: list[OpenWork], names: dict[str, str], now: datetime) -> list[dict[str, Any]]:
    return [{"name": names.get(g.name, g.name), "pending": g.pending, "on_track": g.on_track, "at_risk": g.at_risk,
             "breached": g.breached, "oldest": duration_text((now - g.oldest).total_seconds()) if g.oldest else "–"}
            for g in groups]


def _open_columns(first: str) -> list[dict[str, str]]:
    columns = [("name", first), ("pending", N_("Pending")), ("on_track", N_("On track")), ("at_risk", N_("At risk")),
               ("breached", N_("Breached")), ("oldest", N_("Oldest waits"))]
    return [{"name": key, "label": label, "field": key, "align": "left" if key == "name" else "right"}
            for key, label in columns]


class MonitorView:
    """The monitor page's content for one supervisor; `refresh` reads every figure again.

    The figures are read in a thread, so the page stays responsive while the first read of a
    large range derives the facts of thousands of closed cases.
    """

    def __init__(self, user: User) -> None:
        self.rt = runtime()
        self.user = user
        today = datetime.now(ZoneInfo(self.rt.calendar.timezone)).date()
        self.names = monitored_processes(self.rt, user)
        self.queue_names = monitored_queues(self.rt, user)
        with ui.row().classes("items-end gap-4"):
            self.first = ui.input(_("From"), value=(today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
                                  on_change=self.refresh).props("type=date").mark("from")
            self.last = ui.input(_("To"), value=today.isoformat(), on_change=self.refresh).props("type=date") \
                .mark("to")
            self.process = ui.select({ALL_PROCESSES: _("All processes"), **self.names},
                                     value=ALL_PROCESSES, label=_("Process"),
                                     on_change=self.refresh).classes("min-w-60").mark("process")
        self.problem = ui.label().classes("text-red-700").mark("range-problem")
        self.status = ui.label(_("Reading the figures…")).classes("text-sm text-gray-600").mark("status")
        self.open_section = ui.column().classes("w-full")
        self.closed_section = ui.column().classes("w-full")
        with ui.column().classes("w-full"):
            self.flow_title = ui.label().classes("text-lg").mark("bottleneck-title")
            self.legend = ui.row().classes("gap-3 items-center").mark("legend")
            self.canvas: FlowCanvas | None = None
            self.canvas_box = ui.column().classes("w-full h-[420px]")
            self.canvas_process = ""
        self._reading = False
        self._read_again = False

    async def refresh(self) -> None:
        """Read and show every figure; a refresh asked for while one runs follows it."""
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        try:
            self._read_again = True
            while self._read_again and not self.status.is_deleted:
                self._read_again = False
                await self._read()
        finally:
            self._reading = False

    async def _read(self) -> None:
        chosen = self._chosen_range()
        now = self.rt.now()
        work = await run.io_bound(open_work_figures, self.rt, self.user)
        if work is None or self.status.is_deleted:
            return
        self._show_open_work(work, now)
        if chosen is None:
            return
        figures = await run.io_bound(closed_figures, self.rt, self.user, *chosen, self.process.value or None)
        if figures is None or self.status.is_deleted:
            return
        self._show_closed(figures)
        self._show_bottlenecks(figures)
        self.status.set_text(_("As of {moment}; refreshed every {seconds} seconds").format(
            moment=local_time(now, short=True, seconds=True), seconds=REFRESH_SECONDS))

    def _chosen_range(self) -> tuple[datetime, datetime] | None:
        """The chosen days as moments, or None (and the problem shown) when they make no range."""
        try:
            first, last = date.fromisoformat(self.first.value or ""), date.fromisoformat(self.last.value or "")
        except ValueError:
            self.problem.set_text(_("Enter both dates as a day, e.g. 2026-03-01."))
            return None
        if first > last:
            self.problem.set_text(_("'From' is after 'To': choose a 'From' day on or before the 'To' day."))
            return None
        self.problem.set_text("")
        return local_range(first, last, self.rt.calendar.timezone)

    def _show_open_work(self, figures: OpenWorkFigures, now: datetime) -> None:
        self.open_section.clear()
        with self.open_section:
            pending = sum(q.pending for q in figures.per_queue)
            items = ngettext("{count} open work item", "{count} open work items", pending).format(
                count=number_text(pending))
            queues = ngettext("in {count} queue", "in {count} queues", len(figures.per_queue)).format(
                count=number_text(len(figures.per_queue)))
            ui.label(f"{items} {queues}").classes("text-lg").mark("total")
            with ui.row().classes("w-full gap-4 items-start"):
                table(_open_columns(N_("Queue")), _open_rows(figures.per_queue, self.queue_names, now), "name") \
                    .mark("open-per-queue")
                table(_open_columns(N_("Process")), _open_rows(figures.per_process, self.names, now), "name") \
                    .mark("open-per-process")

    def _show_closed(self, figures: ClosedCaseFigures) -> None:
        self.closed_section.clear()
        with self.closed_section:
            closed = ngettext("{count} case closed in this period", "{count} cases closed in this period",
                              figures.cases).format(count=number_text(figures.cases))
            ui.label(closed).classes("text-lg").mark("closed-count")
            with ui.row().classes("gap-4"):
                self._card(_("Time to first response"), spread_text(figures.first_response), "kpi-ttfr")
                self._card(_("Time to resolution"), spread_text(figures.resolution), "kpi-ttr")
                self._card(_("First time right"), percent_text(figures.first_time_right), "kpi-ftr")
                self._card(_("SLA compliance"), _("tasks {tasks} · cases {cases}").format(
                    tasks=percent_text(figures.task_sla_compliance), cases=percent_text(figures.case_sla_compliance)),
                    "kpi-sla")
            with ui.row().classes("w-full gap-4"):
                ui.echart({
                    "title": {"text": _("Root causes"), "textStyle": {"fontSize": 14}},
                    "tooltip": {"renderMode": "richText"},  # labels owners typed: drawn as text, never HTML
                    "xAxis": {"type": "value", "minInterval": 1},
                    "yAxis": {"type": "category", "data": list(figures.root_causes)},
                    "series": [{"type": "bar", "data": list(figures.root_causes.values())}],
                }).classes("w-96 h-64").mark("chart-root-causes")
                ui.echart({
                    "title": {"text": _("Closed per day and median time to resolution"),
                              "textStyle": {"fontSize": 14}},
                    "tooltip": {"trigger": "axis"},
                    "legend": {"bottom": 0},
                    "xAxis": {"type": "category", "data": [short_date(d.day) for d in figures.per_day]},
                    "yAxis": [{"type": "value", "name": _("cases"), "minInterval": 1},
                              {"type": "value", "name": _("hours")}],
                    "series": [
                        {"name": _("Closed"), "type": "bar", "data": [d.closed for d in figures.per_day]},
                        {"name": _("Median hours to resolution"), "type": "line", "yAxisIndex": 1,
                         "data": [round(d.median_resolution / 3600, 1) for d in figures.per_day]},
                    ],
                }).classes("flex-grow h-64").mark("chart-resolution")

    @staticmethod
    def _card(title: str, value: str, marker: str) -> None:
        with ui.card().classes("min-w-56").mark(marker):
            ui.label(title).classes("text-sm text-gray-600")
            ui.label(value).classes("text-lg font-bold")

    def _show_bottlenecks(self, figures: ClosedCaseFigures) -> None:
        process_key = self.process.value or max(figures.flows, key=lambda k: sum(figures.flows[k].edge_counts.values()),
                                                default="")
        if not process_key:
            self.flow_title.set_text(_("Bottlenecks: no case closed in this period"))
            self.legend.clear()
            self.canvas_box.clear()
            self.canvas, self.canvas_process = None, ""
            return
        self.flow_title.set_text(_("Bottlenecks of '{process}': steps coloured by their average wait, connections "
                                   "with how often cases took them").format(
                                       process=self.names.get(process_key, process_key)))
        if self.canvas is None or self.canvas_process != process_key:
            self.canvas_box.clear()
            with self.canvas_box:
                self.canvas = FlowCanvas(diagram(self.rt, self.user, process_key), read_only=True) \
                    .classes("w-full h-full").mark("bottlenecks")
            self.canvas_process = process_key
        flow = figures.flows.get(process_key)
        fills, legend = wait_colours(flow.average_wait if flow else {})
        self.canvas.paint(fills, flow.edge_counts if flow else {})
        self.legend.clear()
        with self.legend:
            for colour, text in legend:
                with ui.row().classes("items-center gap-1"):
                    ui.element("div").style(f"width:14px;height:14px;background:{colour};border:1px solid #24292f")
                    ui.label(text).classes("text-sm")


def routes() -> APIRouter:
    router = APIRouter()

    @router.page("/monitor", title="Flowdesk — monitor")
    async def monitor_page() -> None:
        with frame(N_("Supervisor monitor")) as user:
            show_failed_deliveries = failed_deliveries_block(user)
            view = MonitorView(user)

            async def refresh() -> None:
                show_failed_deliveries()
                await view.refresh()

            ui.timer(REFRESH_SECONDS, refresh)
        await ui.context.client.connected()
        await view.refresh()

    return router
