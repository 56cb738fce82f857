"""The background worker: fires due jobs (timers, SLA escalations) and delivers the outbox.

`flowdesk worker` runs it on its own; the web app runs the same loop in a
thread. Every pass is safe to repeat: a job fires in the step that marks it
done, so it fires once even after a restart with overdue jobs.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from runtime.outbox import Deliverer, DeliveryReport
from runtime.service import JOB_LEASE, Runtime

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    jobs_fired: int
    delivery: DeliveryReport


class Worker:
    def __init__(self, runtime: Runtime, deliverer: Deliverer, interval: float = 5.0,
                 job_lease: timedelta = JOB_LEASE) -> None:
        self.runtime = runtime
        self.deliverer = deliverer
        self.interval = interval
        self.job_lease = job_lease

    def run_once(self) -> PassReport:
        """Fire what is due now, then deliver what is due now."""
        fired = 0
        while batch := self.runtime.fire_due_jobs(lease=self.job_lease):
            fired += batch
        return PassReport(fired, self.deliverer.deliver_due())

    def run_forever(self, stop: threading.Event) -> None:
        """Repeat passes every `interval` seconds until `stop` is set; a failing pass is logged, not fatal."""
        while not stop.is_set():
            try:
                report = self.run_once()
                if report.jobs_fired or report.delivery.sent or report.delivery.errors:
                    log.info("worker: %d jobs fired, %d sent, %d retrying, %d failed", report.jobs_fired,
                             report.delivery.sent, report.delivery.retrying, report.delivery.failed)
            except Exception:  # keep the worker alive; the next pass retries
                log.exception("worker pass failed")
            stop.wait(self.interval)
