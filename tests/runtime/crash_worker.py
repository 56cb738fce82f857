"""A busy Flowdesk process for test_crash_safety: killed at random moments, restarted on the same folder.

    python tests/runtime/crash_worker.py DATA_DIR SMTP_PORT SEED [CHECKPOINT_BYTES]

Opens the TinyDB data folder, publishes a small process (a task, then an
e-mail) if it is not there yet, and then loops for ever: start a case,
complete an open task, or deliver the outbox by SMTP. After each call
returns it prints one acknowledgement line and flushes it:

    started CASE_ID
    completed ITEM_ID CASE_ID
    delivered SENT FAILED

A line on stdout therefore means the step was committed.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from tests.people import person


def bundle():
    from models import Bundle

    return Bundle.model_validate({
        "key": "crash", "name": "Crash test",
        "roles": [{"id": "agent"}], "queues": [{"id": "q", "role": "agent"}],
        "variables": [{"name": "ticket", "type": "number"}, {"name": "answer", "type": "text"}],
        "nodes": [{"id": "s", "kind": "start"},
                  {"id": "t", "kind": "task", "queue": "q", "name": "Answer"},
                  {"id": "mail", "kind": "send", "letter": "m", "recipient": '"customer@example.nl"'},
                  {"id": "e", "kind": "end", "outcome": "answered"}],
        "edges": [{"id": "f1", "source": "s", "target": "t"}, {"id": "f2", "source": "t", "target": "mail"},
                  {"id": "f3", "source": "mail", "target": "e"}],
        "letters": [{"id": "m", "channel": "email", "variants": [
            {"subject": "Ticket {{ ticket }}", "body": "<p>{{ answer }}</p>", "text_body": "{{ answer }}"}]}],
    })


def main(folder: Path, port: int, seed: int, checkpoint_bytes: int) -> None:
    from runtime.clock import SystemClock
    from runtime.outbox import Deliverer, SmtpSink
    from runtime.service import Runtime
    from runtime.storage.base import WorkQuery
    from runtime.storage.tinydb_store import TinyDBStore

    store = TinyDBStore.open(folder, checkpoint_bytes=checkpoint_bytes)
    clock = SystemClock()
    runtime = Runtime(store, clock)
    deliverer = Deliverer(runtime, lambda: {"email": SmtpSink("127.0.0.1", port, timeout=30)})
    if store.latest_version("crash") is None:
        runtime.publish(person("crash-test"), bundle())
    print("ready", flush=True)
    chance = random.Random(seed)
    ticket = seed * 100_000
    while True:
        roll = chance.random()
        if roll < 0.4:
            ticket += 1
            case = runtime.start_case(person("worker"), "crash", {"ticket": ticket})
            print(f"started {case.id}", flush=True)
        elif roll < 0.8:
            items = store.work_items(WorkQuery(limit=5))
            if items:
                item = chance.choice(items)
                runtime.complete(person("worker"), item.id, {"answer": f"answer to {item.case_id}"})
                print(f"completed {item.id} {item.case_id}", flush=True)
        else:
            report = deliverer.deliver_due()
            print(f"delivered {report.sent} {report.failed}", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 4096)
