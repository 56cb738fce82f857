"""Two people completing the two branches of a parallel split at the same moment, through the API: both succeed,
every time, and the case goes on past the join once."""

from __future__ import annotations

import threading

import httpx

from tests.api.conftest import AGENT, SUPERVISOR, Api

ROUNDS = 20


def complete_at_once(api: Api, work: dict[str, tuple[str, str]]) -> dict[str, httpx.Response]:
    """Each of `work`'s people (node -> (caller, item id)) completes their task at the same moment."""
    barrier = threading.Barrier(len(work))
    answers: dict[str, httpx.Response] = {}

    def complete(node: str, name: str, item_id: str) -> None:
        with api.client(name) as client:
            barrier.wait()
            answers[node] = client.post(f"/api/v1/work-items/{item_id}/complete",
                                        json={"data": {f"{node}_note": f"by {name}"}})

    workers = [threading.Thread(target=complete, args=(node, name, item_id))
               for node, (name, item_id) in work.items()]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answers


def test_both_branches_completed_at_once_both_succeed_every_time(api: Api):
    for _ in range(ROUNDS):
        case = api.start("parallel_review", {})
        items = {item["node"]: item["id"] for item in case["open_items"]}
        answers = complete_at_once(api, {"left": (AGENT, items["left"]), "right": (SUPERVISOR, items["right"])})
        assert {node: answer.status_code for node, answer in answers.items()} == {"left": 200, "right": 200}, \
            {node: answer.text for node, answer in answers.items()}
        done = api.case(case["id"])
        assert (done["status"], done["open_items"]) == ("completed", [])
        assert (done["data"]["left_note"], done["data"]["right_note"]) == (f"by {AGENT}", f"by {SUPERVISOR}")
        assert [e["kind"] for e in done["timeline"]].count("task completed") == 2
