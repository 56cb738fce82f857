"""The names a person reads instead of ids: of processes, queues, users and customers, each looked up once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runtime.errors import NotFound

if TYPE_CHECKING:
    from runtime.service import Runtime


def process_names(runtime: Runtime) -> dict[str, str]:
    """Published processes by key, with the name of their newest version."""
    return {version.process_key: version.name for version in runtime.latest_versions()}


def queue_names(runtime: Runtime) -> dict[str, str]:
    """Every queue of the published processes by id, with its name in the newest version that has it."""
    names: dict[str, str] = {}
    for version in sorted(runtime.store.versions(), key=lambda v: v.number):
        names |= {queue.id: queue.display for queue in runtime.bundle(version).queues}
    return names


class Names:
    """Display names one page of rows needs, each looked up at most once."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._processes: dict[str, str] | None = None
        self._queues: dict[str, str] | None = None
        self._users: dict[str, str] | None = None
        self._customers: dict[str | None, str] = {None: ""}
        self._cases: dict[str, tuple[str | None, str]] = {}  # case id -> its customer's id and its reference

    def process(self, key: str) -> str:
        if self._processes is None:
            self._processes = process_names(self._runtime)
        return self._processes.get(key, key)

    def queue(self, queue_id: str) -> str:
        if self._queues is None:
            self._queues = queue_names(self._runtime)
        return self._queues.get(queue_id, queue_id)

    def user(self, user_id: str | None) -> str:
        """A user's name (their id when they are not known, e.g. the scheduler); "" for nobody."""
        if not user_id:
            return ""
        if self._users is None:
            self._users = {user.id: user.name or user.id for user in self._runtime.store.users()}
        return self._users.get(user_id, user_id)

    def customer(self, customer_id: str | None) -> str:
        """The customer's name; "" without one, the id when the customer is gone."""
        if customer_id not in self._customers:
            try:
                self._customers[customer_id] = self._runtime.store.customer(customer_id or "").name
            except NotFound:
                self._customers[customer_id] = customer_id or ""
        return self._customers[customer_id]

    def customer_of(self, case_id: str) -> str:
        """The name of a case's customer."""
        return self.customer(self._case(case_id)[0])

    def reference_of(self, case_id: str) -> str:
        """A case's reference ("" for a case started before cases had one)."""
        return self._case(case_id)[1]

    def _case(self, case_id: str) -> tuple[str | None, str]:
        if case_id not in self._cases:
            case = self._runtime.store.case(case_id)
            self._cases[case_id] = (case.customer_id, case.reference)
        return self._cases[case_id]
