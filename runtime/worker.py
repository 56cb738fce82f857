"""The background worker: fires due jobs (timers, SLA escalations), delivers the outbox, anchors the audit trails.

`flowdesk worker` runs it on its own; the web app runs the same loop in a
thread. Every pass is safe to repeat: a job fires in the step that marks it
done, so it fires once even after a restart with overdue jobs.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from runtime.outbox import Deliverer, DeliveryReport
from runtime.service import JOB_LEASE, Runtime

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    jobs_fired: int
    delivery: DeliveryReport


#: Seconds between checkpoints of the audit trails (`runtime.anchors`).
CHECKPOINT_EVERY = 300.0


class Worker:
    def __init__(self, runtime: Runtime, deliverer: Deliverer, interval: float = 5.0,
                 checkpoint_every: float = CHECKPOINT_EVERY, job_lease: timedelta = JOB_LEASE) -> None:
        self.runtime = runtime
        self.deliverer = deliverer
        self.interval = interval
        self.checkpoint_every = checkpoint_every
        self.job_lease = job_lease
        self._last_checkpoint = float("-inf")

    def run_once(self) -> PassReport:
        """Fire what is due now, deliver what is due now, and anchor the trails when a checkpoint is due."""
        fired = 0
        while batch := self.runtime.fire_due_jobs(lease=self.job_lease):
            fired += batch
        report = PassReport(fired, self.deliverer.deliver_due())
        if time.monotonic() - self._last_checkpoint >= self.checkpoint_every:
            self.runtime.checkpoint()
            self._last_checkpoint = time.monotonic()
        return report

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
