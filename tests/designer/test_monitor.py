"""The supervisor's monitor page, through NiceGUI's user simulation on the seeded data (one open billing complaint)."""

from __future__ import annotations

from typing import Any

import pytest
from nicegui import ui
from nicegui.testing import User

from designer.elements.flow_canvas import FlowCanvas
from designer.pages.monitor import WAIT_COLOURS, duration_text, wait_colours
from runtime.casework import CaseWork
from runtime.service import Runtime
from runtime.storage.base import WorkQuery
from tests.designer.helpers import sign_in
from tests.people import person

pytestmark = pytest.mark.anyio


def app_runtime() -> Runtime:
    from nicegui import app

    return app.state.runtime


def table(user: User, marker: str) -> list[dict[str, Any]]:
    return user.find(marker=marker).elements.pop().rows


def card(user: User, marker: str) -> str:
    [element] = user.find(marker=marker).elements
    return " ".join(label.text for label in element.descendants() if isinstance(label, ui.label))


def close_the_complaint(root_cause: str) -> None:
    rt = app_runtime()
    [case] = rt.store.cases(active=True)
    [item] = rt.store.work_items(WorkQuery(case_id=case.id))
    work = CaseWork(rt)
    work.claim(person("bob"), item.id)
    work.close(person("bob"), case.id, root_cause)


async def test_the_supervisor_sees_open_work_per_queue_and_process_with_sla_status(user: User):
    await sign_in(user, "sue", "sue-demo", target="/monitor")
    await user.should_see("1 open work item in 1 queue")
    [queue] = table(user, "open-per-queue")
    assert (queue["name"], queue["pending"], queue["on_track"], queue["breached"]) == ("Facturatie", 1, 1, 0)
    opened = app_runtime().store.cases(active=True)[0].started_at  # the seeded case, made when the session began
    age = (app_runtime().now() - opened).total_seconds()
    assert queue["oldest"] in {duration_text(age - 60), duration_text(age)}  # the page was drawn moments ago
    [process] = table(user, "open-per-process")
    assert (process["name"], process["pending"]) == ("Klacht over een factuur", 1)
    await user.should_see("0 cases closed in this period")
    await user.should_see("refreshed every 10 seconds")
    assert "no cases" in card(user, "kpi-ttr")


async def test_closing_a_case_shows_in_the_kpis_the_root_cause_chart_and_the_bottleneck_view(user: User):
    await sign_in(user, "sue", "sue-demo", target="/monitor")
    await user.should_see("1 open work item in 1 queue")
    close_the_complaint("double_billing")
    await user.open("/monitor")
    await user.should_see("0 open work items in 0 queues")
    await user.should_see("1 case closed in this period")
    [case] = app_runtime().store.cases(active=False)
    took = duration_text((case.closed_at - case.started_at).total_seconds())  # the seeded case is as old as the run
    assert f"median {took}" in card(user, "kpi-ttr")
    assert f"median {took}" in card(user, "kpi-ttfr")  # bob claimed the task just before closing
    assert "100%" in card(user, "kpi-ftr")
    assert "cases 100%" in card(user, "kpi-sla")
    [causes] = user.find(marker="chart-root-causes").elements
    assert causes.options["yAxis"]["data"] == ["Dubbel gefactureerd of dubbel afgeschreven"]
    assert causes.options["series"][0]["data"] == [1]
    [per_day] = user.find(marker="chart-resolution").elements
    assert per_day.options["series"][0]["data"] == [1]
    await user.should_see("Bottlenecks of 'Klacht over een factuur'")
    [canvas] = user.find(kind=FlowCanvas).elements
    assert canvas.props["readOnly"] is True
    assert canvas.props["edgeCounts"] == {"f_intake_ack": 1, "f_ack_investigate": 1}


async def test_the_page_refreshes_itself_when_a_case_closes(user: User):
    await sign_in(user, "sue", "sue-demo", target="/monitor")
    await user.should_see("0 cases closed in this period")
    close_the_complaint("tariff_error")
    [timer] = user.find(kind=ui.timer).elements
    assert timer.interval == 10
    await timer.callback()
    await user.should_see("1 case closed in this period")
    await user.should_see("0 open work items in 0 queues")


async def test_a_range_without_the_closing_day_leaves_it_out_and_a_reversed_range_is_explained(user: User):
    await sign_in(user, "sue", "sue-demo", target="/monitor")
    await user.should_see("0 cases closed in this period")
    close_the_complaint("tariff_error")
    await user.find(kind=ui.timer).elements.pop().callback()
    await user.should_see("1 case closed in this period")
    user.find(marker="from").clear().type("2020-01-01")
    user.find(marker="to").clear().type("2020-01-31")
    await user.should_see("0 cases closed in this period")
    await user.should_see("Bottlenecks: no case closed in this period")
    user.find(marker="from").clear().type("20-1-2020")
    await user.should_see("Enter both dates as a day")
    user.find(marker="from").clear().type("2020-02-01")
    await user.should_see("'From' is after 'To'")


async def test_an_agent_cannot_open_the_monitor(user: User):
    await sign_in(user, "bob", "bob-demo", target="/monitor")
    await user.should_see("Not allowed")
    await user.should_not_see("cases closed in this period")


def test_the_longest_average_wait_gets_the_last_colour_of_the_legend():
    fills, legend = wait_colours({"check": 3600, "approve": 600, "wait": 0})
    assert fills == {"check": WAIT_COLOURS[-1], "approve": WAIT_COLOURS[0], "wait": WAIT_COLOURS[0]}
    assert [colour for colour, _ in legend] == list(WAIT_COLOURS)
    assert legend[0][1] == "up to 15 min" and legend[-1][1] == "45 min – 1 h"
    assert wait_colours({}) == ({}, [(WAIT_COLOURS[0], "no waiting")])
