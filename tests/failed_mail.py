"""A data folder whose e-mails failed for good: what the resend tests of every door start from."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from runtime.clock import ManualClock
from runtime.documents import OutboxStatus
from runtime.outbox import Deliverer, default_sinks, sent_to_customer
from runtime.service import Runtime
from runtime.settings import MailServer
from runtime.storage.tinydb_store import TinyDBStore
from tests.designer.conftest import COMPLAINT
from tests.people import person


def failed_acknowledgements(data: Path, port: int, count: int) -> list[tuple[str, str]]:
    """Make `data` as a first `flowdesk serve` leaves it, with `count` billing complaints whose acknowledgements the
    worker gave up on, sending to the SMTP server on `port` (which must refuse them); (case, e-mail) each."""
    from designer.app import create_demo_users, publish_examples

    with TinyDBStore.open(data) as store:
        clock = ManualClock(datetime.now(UTC))
        runtime = Runtime(store, clock)
        publish_examples(runtime)
        create_demo_users(runtime)
        cases = [runtime.start_case(person("bob"), "billing_complaint", COMPLAINT, customer_id="C-1001").id
                 for _ in range(count)]
        deliverer = Deliverer(runtime, lambda: default_sinks(data / "outbox", MailServer(host="127.0.0.1",
                                                                                         port=port)))
        while store.outbox():
            deliverer.deliver_due()
            clock.advance(max((entry.next_attempt_at for entry in store.outbox()), default=clock.now()) - clock.now())
        failed = [(case_id, sent_to_customer(store, case_id)[0]) for case_id in cases]
        assert {entry.status for _, entry in failed} == {OutboxStatus.FAILED}
        return [(case_id, entry.id) for case_id, entry in failed]
