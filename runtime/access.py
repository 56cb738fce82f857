"""Who may do what: the one place that decides access.

Every use case of the runtime asks this module, inside its step and on the
documents it just read: `require(user, USE)` for what a role may do at all,
`require_work` for acting on one work item (its queue and its claim),
`require_release`/`require_reassign` for handing one back or on. Doors
(pages, REST API, CLI, test-run) never decide access themselves; a page may
ask `may(...)` only to hide a button the runtime would refuse anyway.

Roles give capabilities, and each use case needs one of a few capabilities:

    designer    design, approve   drafts, test-runs, publish, migrate open cases; approve others' versions
    approver    approve      review a version someone else submitted, approve or reject it (four eyes)
    agent       work         worklist, intake, start and work cases
    supervisor  work, supervise   + monitor, release or reassign anyone's task, correct data, retry,
                                  resend every failed delivery at once (an agent resends a case's own),
                                  send the e-mails kept while no mail server was configured
    auditor     audit        read every version, case and trail, verify and export; changes nothing
    admin       everything   + users, roles, queues and API tokens

The scheduler and the test-run's sandbox act as `SYSTEM` users, which may do
everything; someone at the server's command line acts as the `console_user`, an
administrator (they have the data folder open, so they could change it anyway).
Every user may see and revoke their own API tokens (and choose their language);
anyone else's, and making tokens at all, is administration. A user's queues are the queues they work; a user with
the work capability but no queues works every queue, and supervising users see every
queue. A task claimed by someone else is refused to everyone (supervisors
too) until it is released or reassigned, so two people never work one task.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum

from models.phrases import Phrase
from models.phrases import moment_text as moment_text  # how messages say a moment, for the modules that say one
from runtime.documents import User, WorkItem
from runtime.errors import AccessDenied


class Capability(StrEnum):
    DESIGN = "design"
    APPROVE = "approve"
    WORK = "work"
    SUPERVISE = "supervise"
    AUDIT = "audit"
    ADMINISTER = "administer"


#: The roles a user can have, with what each one allows.
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "designer": frozenset({Capability.DESIGN, Capability.APPROVE}),
    "approver": frozenset({Capability.APPROVE}),
    "agent": frozenset({Capability.WORK}),
    "supervisor": frozenset({Capability.WORK, Capability.SUPERVISE}),
    "auditor": frozenset({Capability.AUDIT}),
    "admin": frozenset(Capability),
}
ROLES = tuple(ROLE_CAPABILITIES)
#: The role of the installation's own actors (scheduler, test-run sandbox); never given to a person.
SYSTEM_ROLE = "system"


def system_user(name: str) -> User:
    """An actor of the installation itself (e.g. "scheduler"), allowed everything; its id is `name`."""
    return User(id=name, name=name, roles=[SYSTEM_ROLE])


def console_user(name: str) -> User:
    """Someone at the server's command line with the data folder open, named after their OS account `name`: they
    can read and write the data anyway, so they act with the admin role (not stored; `--as USER` acts as a stored
    user instead)."""
    return User(id=name, name=name, roles=["admin"])


class UseCase(StrEnum):
    """Everything a user can ask the runtime to do or show; the value is how messages name it."""

    START_CASE = "start a case"
    SEE_WORK = "see work items"
    CLAIM = "claim a task"
    RELEASE = "release a task"
    REASSIGN = "reassign a task"
    TICK = "tick a checklist item"
    COMPLETE = "complete a task"
    ADD_NOTE = "add a note to a case"
    ATTACH = "attach a file to a case"
    ADD_TASK = "add a task to a case"
    CLOSE_CASE = "close a case"
    DELIVER_MESSAGE = "deliver a message to a case"
    READ_CASE = "read a case"
    CORRECT_DATA = "correct a case's data"
    RETRY = "retry a stopped case"
    RESEND = "resend a case's failed letters, e-mails and SMS"
    RESEND_ALL = "resend every failed delivery at once"
    CHECK_DELIVERY = "settle a delivery that may have arrived: mark it arrived, or send it again"
    SEND_KEPT = "send the e-mails kept locally through the mail server"
    MIGRATE = "move open cases to a newer version"
    RECORD_CONTACT = "record a customer contact"
    FIND_CUSTOMER = "find a customer"
    REGISTER_CUSTOMER = "register a customer"
    READ_PROCESSES = "read processes and their versions"
    READ_DEFINITIONS = "read whole process definitions (flow, forms, letters, tables) and compare versions"
    EDIT_DRAFT = "edit a draft"
    TEST_RUN = "test-run a draft"
    SAMPLE_REAL_DATA = "preview a draft with real customers and cases"
    PUBLISH = "publish a version"
    APPROVE_VERSION = "approve or reject a version someone else submitted"
    MONITOR = "see the monitor"
    READ_AUDIT = "read audit trails"
    ADMINISTER = "manage users and API tokens"
    OWN_TOKENS = "see and revoke one's own API tokens"
    OWN_LANGUAGE = "choose the language the app speaks to oneself"


_W, _S, _D, _A, _ADMIN, _AP = (Capability.WORK, Capability.SUPERVISE, Capability.DESIGN, Capability.AUDIT,
                               Capability.ADMINISTER, Capability.APPROVE)

#: Which capabilities allow each use case (any one of them suffices).
RULES: dict[UseCase, frozenset[Capability]] = {
    UseCase.START_CASE: frozenset({_W}),
    UseCase.SEE_WORK: frozenset({_W}),
    UseCase.CLAIM: frozenset({_W}),
    UseCase.RELEASE: frozenset({_W}),
    UseCase.REASSIGN: frozenset({_W}),
    UseCase.TICK: frozenset({_W}),
    UseCase.COMPLETE: frozenset({_W}),
    UseCase.ADD_NOTE: frozenset({_W}),
    UseCase.ATTACH: frozenset({_W}),
    UseCase.ADD_TASK: frozenset({_W}),
    UseCase.CLOSE_CASE: frozenset({_W}),
    UseCase.DELIVER_MESSAGE: frozenset({_W}),
    UseCase.READ_CASE: frozenset({_W, _A}),
    UseCase.CORRECT_DATA: frozenset({_S}),
    UseCase.RETRY: frozenset({_S}),
    UseCase.RESEND: frozenset({_W}),
    UseCase.RESEND_ALL: frozenset({_S}),
    UseCase.CHECK_DELIVERY: frozenset({_W}),
    UseCase.SEND_KEPT: frozenset({_S}),
    UseCase.MIGRATE: frozenset({_D}),
    UseCase.RECORD_CONTACT: frozenset({_W}),
    UseCase.FIND_CUSTOMER: frozenset({_W}),
    UseCase.REGISTER_CUSTOMER: frozenset({_W}),
    UseCase.READ_PROCESSES: frozenset({_D, _W, _A, _AP}),
    UseCase.READ_DEFINITIONS: frozenset({_D, _A, _AP}),
    UseCase.EDIT_DRAFT: frozenset({_D}),
    UseCase.TEST_RUN: frozenset({_D}),
    UseCase.SAMPLE_REAL_DATA: frozenset({_D}),
    UseCase.PUBLISH: frozenset({_D}),
    UseCase.APPROVE_VERSION: frozenset({_AP}),
    UseCase.MONITOR: frozenset({_S}),
    UseCase.READ_AUDIT: frozenset({_A}),
    UseCase.ADMINISTER: frozenset({_ADMIN}),
    UseCase.OWN_TOKENS: frozenset(Capability),
    UseCase.OWN_LANGUAGE: frozenset(Capability),
}


def capabilities(user: User) -> frozenset[Capability]:
    """What `user`'s roles allow together (a system user: everything)."""
    if SYSTEM_ROLE in user.roles:
        return frozenset(Capability)
    return frozenset().union(*(ROLE_CAPABILITIES.get(role, frozenset()) for role in user.roles))


def may(user: User, use_case: UseCase) -> bool:
    """Whether `user`'s roles allow `use_case` at all (the item-level rules come on top)."""
    return bool(RULES[use_case] & capabilities(user))


def roles_allowed(use_case: UseCase) -> list[str]:
    """The roles that allow `use_case`, for messages and documentation."""
    return [role for role, caps in ROLE_CAPABILITIES.items() if caps & RULES[use_case]]


def require(user: User, use_case: UseCase) -> None:
    """Refuse (`AccessDenied`) unless `user`'s roles allow `use_case`."""
    if not may(user, use_case):
        raise AccessDenied(Phrase("not allowed: to {use_case} you need one of the roles {roles}; {who} has "
                                  "{their_roles}", use_case=use_case, roles=roles_allowed(use_case),
                                  who=user.name or user.id, their_roles=user.roles))


def visible_queues(user: User) -> tuple[str, ...] | None:
    """The queues whose work `user` sees and works, or None for every queue."""
    if Capability.SUPERVISE in capabilities(user) or not user.queues:
        return None
    return tuple(user.queues)


def works_queue(user: User, queue: str) -> bool:
    queues = visible_queues(user)
    return queues is None or queue in queues


def require_tokens_of(user: User, holder_id: str) -> None:
    """Refuse unless `user` may see and revoke the API tokens of `holder_id`: their own, or anyone's as admin."""
    require(user, UseCase.OWN_TOKENS if holder_id == user.id else UseCase.ADMINISTER)


def require_language_of(user: User, holder_id: str) -> None:
    """Refuse unless `user` may choose the app's language for `holder_id`: for themselves, or anyone as admin."""
    require(user, UseCase.OWN_LANGUAGE if holder_id == user.id else UseCase.ADMINISTER)


class ClaimedByOther(AccessDenied):
    """The task is someone else's until they or a supervisor release or reassign it."""


def claim_text(item: WorkItem, name_of: Callable[[str], str]) -> Phrase:
    """ "claimed by Amy since 10:12" (the date too when it was not today)."""
    who = name_of(item.assignee or "")
    if item.claimed_at is None:
        return Phrase("claimed by {who}", who=who)
    return Phrase("claimed by {who} since {since}", who=who, since=item.claimed_at)


#: Who did which tasks of one case: task node id -> (its title, the users who completed it).
DoneBy = Mapping[str, tuple[str, set[str]]]


def work_refusal(user: User, item: WorkItem, use_case: UseCase, name_of: Callable[[str], str],
                 kept_apart: DoneBy | None = None) -> AccessDenied | None:
    """Why `user` may not `use_case` (claim, tick, complete, reassign) this item, or None when they may: its queue
    must be one of theirs (or it was handed to them), nobody else may have claimed it, and they may not have done
    a task this one is kept apart from (`kept_apart`: those tasks of the case and who did them; four eyes).
    `name_of` gives a user's display name for the message."""
    if not may(user, use_case):
        return AccessDenied(Phrase("not allowed: to {use_case} you need one of the roles {roles}",
                                   use_case=use_case, roles=roles_allowed(use_case)))
    if item.assignee not in (None, user.id):
        return ClaimedByOther(Phrase("task '{task}' is {claim}; ask them or a supervisor to release or reassign it",
                                     task=item.title, claim=claim_text(item, name_of)))
    if item.assignee != user.id and not works_queue(user, item.queue):
        return AccessDenied(Phrase("not allowed: task '{task}' is in queue '{queue}', which is not one of yours "
                                   "({queues})", task=item.title, queue=item.queue, queues=user.queues))
    for title, performers in (kept_apart or {}).values():
        if user.id in performers and SYSTEM_ROLE not in user.roles:  # the test-run's sandbox plays every part
            return AccessDenied(Phrase("not allowed: you did '{done}' on this case, so someone else must do "
                                       "'{task}' (four eyes)", done=title, task=item.title))
    return None


def require_work(user: User, item: WorkItem, use_case: UseCase, name_of: Callable[[str], str],
                 kept_apart: DoneBy | None = None) -> None:
    """Refuse what `work_refusal` refuses."""
    refusal = work_refusal(user, item, use_case, name_of, kept_apart)
    if refusal is not None:
        raise refusal


def require_second_person(user: User, submitted_by: str, name_of: Callable[[str], str]) -> None:
    """Four eyes on versions: nobody approves a version they submitted themselves."""
    require(user, UseCase.APPROVE_VERSION)
    if user.id == submitted_by:
        raise AccessDenied(Phrase("not allowed: you submitted this version, so another person must approve it "
                                  "(four eyes); ask an approver other than {who}", who=name_of(submitted_by)))


def require_release(user: User, item: WorkItem, name_of: Callable[[str], str]) -> None:
    """Refuse unless the task is `user`'s own, or `user` supervises (and may hand anyone's task back)."""
    require(user, UseCase.RELEASE)
    if item.assignee not in (None, user.id) and Capability.SUPERVISE not in capabilities(user):
        raise ClaimedByOther(Phrase("task '{task}' is {claim}; only they or a supervisor can release it",
                                    task=item.title, claim=claim_text(item, name_of)))


def require_reassign(user: User, item: WorkItem, name_of: Callable[[str], str]) -> None:
    """A supervisor may hand on any task; an agent one they may work (their queue, not someone else's claim)."""
    if Capability.SUPERVISE in capabilities(user):
        require(user, UseCase.REASSIGN)
        return
    require_work(user, item, UseCase.REASSIGN, name_of)
