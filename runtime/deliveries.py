"""Deliveries that failed: an incident on their case, and sending them again.

When the deliverer gives up on an entry (`runtime.outbox.Deliverer`), the
entry turns "failed" in the same commit that gives its case an incident ("The
e-mail to … could not be sent: <reason>"), an event on the case's trail and a
"failed_delivery" record, which lists the installation's failed deliveries
without reading every case. The incident stops nothing: the case went on when
the step wrote the entry to the outbox.

Agents and supervisors resend one failed entry of a case, or all of them
(`UseCase.RESEND`); a supervisor resends every failed delivery at once, after
the mail server is fixed (`UseCase.RESEND_ALL`). Resending queues the entry as
if new (attempts from zero), resolves its incident and records who did it on
the trail, in one step that moves the case's revision: of two people resending
one entry at once, the second is told it is queued already. An entry whose
delivery was interrupted while SMTP had it (`OutboxEntry.interrupted`) may have
arrived: it stays failed, to be checked by hand, and is never resent, so
nothing is delivered twice — until an agent or supervisor who checked settles
it (`UseCase.CHECK_DELIVERY`): it arrived (it counts as sent), or it did not
(it is queued again).

E-mails kept in the data folder while no mail server was configured
(`OutboxStatus.KEPT`) each have a "kept_email" record, so that once a server is
saved they are found without reading every case and sent for real
(`UseCase.SEND_KEPT`; `runtime.mail.Mail.send_kept`): each one once, with an
event on its case's trail; the .eml file stays for reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from models.phrases import Phrase, kept_phrase
from runtime.access import UseCase, require, system_user
from runtime.documents import Case, Incident, OutboxEntry, OutboxStatus, Record, User
from runtime.errors import ConflictError, EngineError, NotFound
from runtime.transaction import Transaction, new_id

if TYPE_CHECKING:
    from runtime.service import Request, Runtime

#: The kind of record kept for each failed delivery, keyed by entry id, naming its case.
FAILED_KIND = "failed_delivery"
#: The kind of record kept for each e-mail kept locally for want of a mail server, keyed by entry id, naming its case.
KEPT_KIND = "kept_email"
#: Who gives up on a delivery.
DELIVERER = system_user("outbox")
#: What messages call an entry of each channel.
CHANNEL_WORDS = {"email": Phrase("e-mail"), "letter": Phrase("letter"), "sms": Phrase("SMS"),
                 "connector": Phrase("request")}


def delivery_text(entry: OutboxEntry) -> Phrase:
    """How messages name an entry: "the e-mail to sanne@example.nl" (a letter: the first line of its address)."""
    return Phrase("the {channel} to {recipient}", **_named(entry))


def _named(entry: OutboxEntry) -> dict[str, Phrase | str]:
    """The values of a phrase naming `entry` (as a sentence starts, where a language may say it another way)."""
    return {"channel": CHANNEL_WORDS.get(entry.channel, entry.channel),
            "recipient": next(iter(entry.recipient.splitlines()), "")}


def failed_reason(record_data: Mapping[str, Any], entry: OutboxEntry) -> Phrase | str:
    """Why a delivery failed, as its record kept it (a phrase), else as the entry has it (records from before)."""
    return kept_phrase(record_data.get("reason"), entry.last_error)


def _kept(reason: Phrase | str) -> dict[str, Any] | str:
    return reason.as_data() if isinstance(reason, Phrase) else reason


def phrase_data(problem: Phrase | str) -> dict[str, Any] | None:
    """A problem to keep with its entry (`OutboxEntry.last_error_said`): a phrase as data, None for a plain text."""
    return problem.as_data() if isinstance(problem, Phrase) else None


def last_problem(entry: OutboxEntry) -> Phrase | str:
    """Why the entry's last attempt failed, as a phrase when it was kept as one, else its English text."""
    return kept_phrase(entry.last_error_said, entry.last_error)


def may_resend(entry: OutboxEntry) -> bool:
    """Whether `entry` is one a resend takes: failed, and not perhaps delivered already."""
    return entry.status is OutboxStatus.FAILED and not entry.interrupted


def give_up(runtime: Runtime, entry: OutboxEntry, reason: Phrase | str) -> None:
    """Mark `entry` failed for `reason`, with an incident and a trail event on its case (by the `DELIVERER`); the
    failed delivery's record keeps the reason as said (a phrase, for readers of another language)."""

    def fail(tx: Transaction) -> None:
        case = tx.case(entry.case_id)
        entry.status, entry.last_error, entry.last_error_said = OutboxStatus.FAILED, str(reason), phrase_data(reason)
        tx.add_outbox(entry)
        message = Phrase("The {channel} to {recipient} could not be sent: {reason}", **_named(entry), reason=reason)
        incident = Incident(id=new_id("inc"), token="", node=entry.node, message=str(message), raised_at=tx.now,
                            outbox_entry=entry.id, said=message.as_data())
        case.incidents.append(incident)
        tx.audit(case, "delivery failed", message, node=entry.node or None,
                 details={"outbox": entry.id, "incident": incident.id})
        tx.write_record(tx.record(FAILED_KIND, entry.id), FAILED_KIND, entry.id,  # failed again: the newest reason
                        {"case_id": case.id, "reason": _kept(reason)})

    runtime.step(DELIVERER, fail)


def kept_record(entry: OutboxEntry, revision: int) -> Record:
    """The record saying `entry` was kept locally (written with it by the deliverer; `revision` as the store has
    it for a new one)."""
    return Record(kind=KEPT_KIND, key=entry.id, revision=revision, data={"case_id": entry.case_id},
                  updated_by=DELIVERER.id, updated_at=entry.sent_at)


@dataclass
class ResendReport:
    """What resending every failed delivery did: how many were queued again in how many cases, which may have
    arrived and are left to check by hand, and the cases someone else changed meanwhile."""

    resent: int = 0
    cases: int = 0
    check_by_hand: list[Phrase] = field(default_factory=list)  # "case …: the e-mail to …"
    problems: list[Phrase] = field(default_factory=list)


class Deliveries:
    """Resending failed deliveries of one runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def resend(self, user: User, case_id: str, entry_id: str, *, request: Request | None = None) -> Case:
        """Queue one failed entry of the case again."""
        require(user, UseCase.RESEND)

        def resend(tx: Transaction) -> Case:
            case = tx.case(case_id)
            _requeue(tx, case, self._entry(case_id, entry_id), user)
            return case

        return self.runtime.step(user, resend, request=request)

    def resend_case(self, user: User, case_id: str, *, request: Request | None = None) -> Case:
        """Queue every failed entry of the case again (not those that may have arrived)."""
        require(user, UseCase.RESEND)
        return self.runtime.step(user, lambda tx: self._resend_case(tx, case_id, user)[0], request=request)

    def resend_all(self, user: User) -> ResendReport:
        """Queue every failed delivery of the installation again, one step per case."""
        require(user, UseCase.RESEND_ALL)
        report = ResendReport()
        for case_id in sorted({record.data["case_id"] for record in self.runtime.store.records(FAILED_KIND)}):
            failed = self._failed(case_id)
            report.check_by_hand += [Phrase("case {case}: {delivery}", case=case_id, delivery=delivery_text(entry))
                                     for entry in failed if entry.interrupted]
            if not any(map(may_resend, failed)):
                continue
            try:
                _, resent = self.runtime.step(user, lambda tx, case_id=case_id: self._resend_case(tx, case_id, user,
                                                                                                  quiet=True))
            except ConflictError as error:  # changed by someone else every time it was tried
                report.problems.append(Phrase("case {case}: {problem}", case=case_id, problem=error.args[0]
                                              if len(error.args) == 1 else str(error)))
                continue
            report.resent += resent
            report.cases += bool(resent)
        return report

    def settle(self, user: User, case_id: str, entry_id: str, *, arrived: bool,
               request: Request | None = None) -> Case:
        """Settle an entry whose delivery was interrupted, after checking by hand whether it reached its customer:
        `arrived` marks it sent (nothing goes out again), else it is queued again. Either way its incident is
        resolved and the case's trail says who checked."""
        require(user, UseCase.CHECK_DELIVERY)

        def settle(tx: Transaction) -> Case:
            case = tx.case(case_id)
            entry = self._entry(case_id, entry_id)
            if entry.status is not OutboxStatus.FAILED or not entry.interrupted:
                raise ConflictError(Phrase("{delivery} is not waiting to be checked by hand (it is {status}); "
                                           "nothing was changed", delivery=delivery_text(entry),
                                           status=entry.status))
            if not arrived:
                tx.audit(case, "delivery checked", Phrase("{who} checked the {channel} to {recipient}: it did not "
                                                          "arrive, so it is sent again", who=user.name or user.id,
                                                          **_named(entry)),
                         node=entry.node or None, details={"outbox": entry.id, "arrived": False})
                entry.interrupted = False
                _requeue(tx, case, entry, user)
                return case
            entry.status, entry.sent_at = OutboxStatus.SENT, tx.now
            tx.add_outbox(entry)
            _resolve(tx, case, entry)
            tx.audit(case, "delivery checked", Phrase("{who} checked the {channel} to {recipient}: it arrived, so it "
                                                      "is not sent again", who=user.name or user.id, **_named(entry)),
                     node=entry.node or None, details={"outbox": entry.id, "arrived": True})
            return case

        return self.runtime.step(user, settle, request=request)

    def take_kept(self, user: User, server: str, hold: timedelta, limit: int) -> list[OutboxEntry]:
        """Take e-mails kept locally (those of whole cases, until `limit` or more are taken) to send them through
        the mail server `server` (as messages name it) now: marked "sending" and held from the deliverers for
        `hold` (if the sender dies meanwhile, they find it interrupted: check by hand), one step per case, each
        with an event on the case's trail. The entries taken; one someone else took meanwhile is left to them."""
        require(user, UseCase.SEND_KEPT)
        records: dict[str, list[str]] = {}  # case id -> the keys of its kept e-mails' records
        for record in self.runtime.store.records(KEPT_KIND):
            records.setdefault(record.data["case_id"], []).append(record.key)
        taken: list[OutboxEntry] = []
        for case_id, keys in sorted(records.items()):
            if len(taken) >= limit:
                break
            taken += self.runtime.step(user, lambda tx, case_id=case_id, keys=keys: self._take_kept(
                tx, case_id, keys, user, server, hold))
        return taken

    def _take_kept(self, tx: Transaction, case_id: str, keys: list[str], user: User, server: str,
                   hold: timedelta) -> list[OutboxEntry]:
        """Take the case's kept e-mails in `tx` and remove their records (`keys`); those taken."""
        case = tx.case(case_id)
        kept = [entry for entry in self.runtime.store.outbox(case_id=case_id) if entry.status is OutboxStatus.KEPT]
        for entry in kept:
            entry.status, entry.attempts, entry.next_attempt_at = OutboxStatus.SENDING, 1, tx.now + hold
            tx.add_outbox(entry)
            tx.audit(case, "kept e-mail sent", Phrase("The e-mail to {recipient}, kept locally while no mail server "
                                                      "was configured, goes out through {server} ({who} sent it)",
                                                      recipient=_named(entry)["recipient"], server=server,
                                                      who=user.name or user.id),
                     node=entry.node or None, details={"outbox": entry.id})
        for key in keys:
            record = tx.record(KEPT_KIND, key)
            if record is not None:
                tx.remove_record(record)
        return kept

    def _entry(self, case_id: str, entry_id: str) -> OutboxEntry:
        entry = next((e for e in self.runtime.store.outbox(case_id=case_id) if e.id == entry_id), None)
        if entry is None:
            raise NotFound(f"case {case_id} sent no '{entry_id}'")
        return entry

    def _resend_case(self, tx: Transaction, case_id: str, user: User, *, quiet: bool = False) -> tuple[Case, int]:
        """Requeue the case's failed entries in `tx`; how many. Without any to resend: refused, or none if `quiet`."""
        case = tx.case(case_id)
        failed = self._failed(case_id)
        resendable = list(filter(may_resend, failed))
        if not resendable and not quiet:
            unsure = [Phrase("{delivery} may have arrived: check by hand", delivery=delivery_text(entry))
                      for entry in failed]
            raise EngineError(Phrase("case {case} has no failed deliveries to resend ({unsure})", case=case_id,
                                     unsure=unsure) if unsure else
                              Phrase("case {case} has no failed deliveries to resend", case=case_id))
        for entry in resendable:
            _requeue(tx, case, entry, user)
        return case, len(resendable)

    def _failed(self, case_id: str) -> list[OutboxEntry]:
        return [entry for entry in self.runtime.store.outbox(case_id=case_id) if entry.status is OutboxStatus.FAILED]


def _requeue(tx: Transaction, case: Case, entry: OutboxEntry, user: User) -> None:
    """Queue `entry` again as if new, resolve its incident, and say so on the case's trail."""
    if entry.status is not OutboxStatus.FAILED:
        raise ConflictError(Phrase("{delivery} is {status}, not failed; nothing was resent",
                                   delivery=delivery_text(entry), status=entry.status))
    if entry.interrupted:
        raise EngineError(Phrase("{delivery} may have arrived (its delivery was interrupted): check by hand; it is "
                                 "never resent, so the customer never gets it twice", delivery=delivery_text(entry)))
    reason = last_problem(entry)
    entry.status, entry.attempts, entry.next_attempt_at = OutboxStatus.PENDING, 0, tx.now
    entry.last_error, entry.last_error_said = "", None
    tx.add_outbox(entry)
    _resolve(tx, case, entry)
    tx.audit(case, "delivery resent", Phrase("The {channel} to {recipient} resent by {who} (it failed: {reason})",
                                             **_named(entry), who=user.name or user.id, reason=reason),
             node=entry.node or None, details={"outbox": entry.id, "failed": str(reason)})


def _resolve(tx: Transaction, case: Case, entry: OutboxEntry) -> None:
    """The failed `entry` is dealt with: its incident resolved, its failed-delivery record removed."""
    case.incidents = [incident for incident in case.incidents if incident.outbox_entry != entry.id]
    record = tx.record(FAILED_KIND, entry.id)
    if record is not None:
        tx.remove_record(record)
