"""What each kind of node does when a token reaches it: one handler per node kind.

A handler gets the running case, the token and the node, and either parks
the token (`token.waiting_for`), moves it on (`run.follow`), or removes it.
Raising `CaseStuck` (or any Flowdesk error) turns into an incident at the node.
`HANDLERS` is the one table from node kind to handler.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from codegen.letters import LetterRenderError, address_lines, render_letter
from models.expressions import ExprType
from models.letters import LetterChannel
from models.nodes import (
    AutomaticNode,
    DecisionNode,
    EndNode,
    EscalationMoment,
    ParallelNode,
    SendNode,
    Sla,
    StartNode,
    SubprocessNode,
    TaskNode,
    WaitFor,
    WaitNode,
)
from models.phrases import Phrase, phrase_of
from models.values import to_json_value
from runtime.decision_tables import evaluate_table
from runtime.documents import Job, JobKind, OutboxEntry, Token, WorkItem
from runtime.errors import CaseStuck
from runtime.transaction import new_id

if TYPE_CHECKING:
    from runtime.documents import Case
    from runtime.engine import CaseRun
    from runtime.process_version import ProcessVersion

JOIN = "join"
#: Subprocesses may nest this deep; deeper is runaway recursion.
MAX_SUBPROCESS_DEPTH = 10
CONNECTOR_CHANNEL = "connector"
#: Why a send step stops, per channel: one sentence each, so a language can name the address its own way.
NO_ADDRESS: dict[LetterChannel, Callable[[str], Phrase]] = {
    LetterChannel.EMAIL: lambda letter: Phrase("there is no email address to send '{letter}' to", letter=letter),
    LetterChannel.SMS: lambda letter: Phrase("there is no sms address to send '{letter}' to", letter=letter),
    LetterChannel.LETTER: lambda letter: Phrase("there is no letter address to send '{letter}' to", letter=letter),
}
NOT_SENT: dict[LetterChannel, Callable[[Phrase | str], Phrase]] = {
    LetterChannel.EMAIL: lambda problem: Phrase("the email was not sent: {problem}", problem=problem),
    LetterChannel.SMS: lambda problem: Phrase("the sms was not sent: {problem}", problem=problem),
    LetterChannel.LETTER: lambda problem: Phrase("the letter was not sent: {problem}", problem=problem),
}


def on_start(run: CaseRun, token: Token, node: StartNode) -> None:
    run.follow(token, run.only_way_out(token))


def on_task(run: CaseRun, token: Token, node: TaskNode) -> None:
    """Create a work item in the node's queue, with its SLA deadlines and escalation jobs."""
    now = run.tx.now
    item = WorkItem(
        id=new_id("item"), case_id=run.case.id, process_key=run.case.process_key, node=node.id,
        token=token.id, title=node.display, queue=node.queue, form=node.form, priority=node.priority,
        created_at=now,
        warning_at=run.calendar.add(now, node.sla.warning) if node.sla and node.sla.warning else None,
        due_at=run.calendar.add(now, node.sla.target) if node.sla else None,
    )
    if node.sla:
        item.sla_jobs = [job.id for job in sla_jobs(run, node.sla, work_item=item.id)]
    run.tx.put_work_item(item)
    token.waiting_for = item.id
    run.audit("task created", Phrase("Task '{task}' created in queue '{queue}'", task=node.display,
                                     queue=run.version.bundle.queue_name(node.queue)),
              node=node.id,
              details={"work_item": item.id, "due_at": item.due_at.isoformat() if item.due_at else None})


def on_automatic(run: CaseRun, token: Token, node: AutomaticNode) -> None:
    """Assignments, then the decision table, then the connector; all changes in one audit event."""
    changes: dict[str, list[Any]] = {}
    for assignment in node.assignments:
        expression = run.version.expression(assignment.expression, run.version.variable_type(assignment.variable))
        value = run.normalise(assignment.variable, expression.evaluate(run.scope))
        changes |= run.set_data({assignment.variable: value})
    ran = Phrase("'{step}' ran", step=node.display)
    if node.decision_table:
        table = run.version.bundle.decision_table(node.decision_table)
        outputs = {name: run.normalise(name, value)
                   for name, value in evaluate_table(run.version, table, run.scope).items()}
        changes |= run.set_data(outputs)
        ran = _table_decided(node, table.name or table.id, outputs)
    run.audit("automatic step", ran, node=node.id, changes=changes,
              details={"decision_table": node.decision_table} if node.decision_table else None)
    if node.connector:
        request = connector_request(run, node)
        run.tx.add_outbox(request)
        run.audit("connector called", Phrase("Request to '{connector}' queued", connector=node.connector), node=node.id,
                  details={"outbox": request.id})
    run.follow(token, run.only_way_out(token))


def on_send(run: CaseRun, token: Token, node: SendNode) -> None:
    """Render the letter for this case and put it in the outbox, in this step's transaction."""
    letter = run.version.bundle.letter(node.letter)
    customer = run.scope["customer"] or {}
    if node.recipient:
        recipient = run.version.expression(node.recipient, ExprType.TEXT).evaluate(run.scope)
    else:
        recipient = default_recipient(letter.channel, customer)
    if not recipient:
        raise CaseStuck(NO_ADDRESS[letter.channel](letter.name or letter.id))
    try:
        rendered = render_letter(letter, customer.get("language"), template_context(run))
    except LetterRenderError as error:  # e.g. a placeholder empty in this case: hold the letter back
        raise CaseStuck(NOT_SENT[letter.channel](phrase_of(error))) from None
    entry = OutboxEntry(
        id=new_id("out"), case_id=run.case.id, node=node.id, letter=letter.id, channel=letter.channel.value,
        language=rendered.language, recipient=recipient, subject=rendered.subject, body=rendered.body,
        text_body=rendered.text_body, next_attempt_at=run.tx.now, created_at=run.tx.now,
    )
    run.tx.add_outbox(entry)
    addressee = recipient.splitlines()[0]
    what = {"letter": letter.name or letter.id, "to": addressee}
    queued = {LetterChannel.LETTER: Phrase("Letter '{letter}' to {to} queued for sending", **what),
              LetterChannel.EMAIL: Phrase("Email '{letter}' to {to} queued for sending", **what),
              LetterChannel.SMS: Phrase("Sms '{letter}' to {to} queued for sending", **what)}
    run.audit("message queued", queued[letter.channel], node=node.id, details={"outbox": entry.id})
    run.follow(token, run.only_way_out(token))


def _table_decided(node: AutomaticNode, table: str, outputs: Mapping[str, Any]) -> Phrase:
    """What a step's decision table decided, for the trail and the test-run: each value it set, as an expression
    would write it (`route = "manager"`)."""
    if not outputs:
        return Phrase("'{step}' ran: decision table '{table}' set nothing", step=node.display, table=table)
    return Phrase("'{step}' ran: decision table '{table}' set {values}", step=node.display, table=table,
                  values=[f"{name} = {json.dumps(to_json_value(value), ensure_ascii=False)}"
                          for name, value in outputs.items()])


def on_decision(run: CaseRun, token: Token, node: DecisionNode) -> None:
    """The first outgoing edge (in model order) whose condition holds, else the default.

    A decision with one way out only merges paths: the token just goes on.
    """
    outgoing = run.version.outgoing[node.id]
    if len(outgoing) == 1:
        run.follow(token, outgoing[0])
        return
    default = None
    for edge in outgoing:
        if edge.default:
            default = edge
        elif run.version.expression(edge.condition, ExprType.BOOLEAN).evaluate(run.scope):
            chosen, reason = edge, Phrase("`{condition}` holds", condition=edge.condition)
            break
    else:
        if default is None:
            raise CaseStuck(Phrase("none of the conditions of decision '{decision}' holds and it has no default way",
                                   decision=node.display))
        chosen, reason = default, Phrase("no condition holds, so the default way")
    target = run.version.nodes[chosen.target].display
    run.audit("decision", Phrase("Decision '{decision}': {reason} → '{target}'", decision=node.display, reason=reason,
                                 target=target), node=node.id, details={"edge": chosen.id})
    run.follow(token, chosen)


def on_parallel(run: CaseRun, token: Token, node: ParallelNode) -> None:
    """Join: wait until a token has come over every incoming edge. Split: one token per outgoing edge."""
    incoming = run.version.incoming[node.id]
    if len(incoming) > 1:
        token.waiting_for = JOIN
        arrived = {}
        for waiting in run.case.tokens:
            if waiting.node == node.id and waiting.waiting_for == JOIN:
                arrived.setdefault(waiting.edge, waiting)
        if len(arrived) < len(incoming):
            run.audit("waiting", Phrase("Waiting at '{step}' for the other branches", step=node.display),
                      node=node.id)
            return
        survivors = set(id(t) for t in arrived.values())
        run.case.tokens = [t for t in run.case.tokens if id(t) not in survivors or t is token]
        run.audit("parallel join", Phrase("All {count} branches reached '{step}'", count=len(incoming),
                                          step=node.display), node=node.id)
    outgoing = run.version.outgoing[node.id]
    for edge in outgoing[1:]:
        run.case.tokens.append(run.follow(Token(id=new_id("tok"), node=node.id), edge))
    run.follow(token, outgoing[0])


def on_wait(run: CaseRun, token: Token, node: WaitNode) -> None:
    """Park the token until a timer fires or the message arrives (or its timeout expires)."""
    if node.wait_for is WaitFor.TIMER:
        due = run.calendar.add(run.tx.now, node.duration) if node.duration else _until(run, node)
        job = run.add_job(JobKind.TIMER, due, token=token.id)
        token.waiting_for = job.id
        run.audit("waiting", Phrase("Waiting at '{step}' until {until} UTC", step=node.display,
                                    until=f"{due.astimezone(UTC):%Y-%m-%d %H:%M}"), node=node.id,
                  details={"job": job.id})
        return
    token.waiting_for = message_key(node.message)
    if node.timeout:
        due = run.calendar.add(run.tx.now, node.timeout)
        token.timeout_job = run.add_job(JobKind.MESSAGE_TIMEOUT, due, token=token.id).id
    run.audit("waiting", Phrase("Waiting at '{step}' for message '{message}'", step=node.display,
                                message=node.message), node=node.id)


def on_subprocess(run: CaseRun, token: Token, node: SubprocessNode) -> None:
    """Start the newest published version of the called process as a child case and wait for it."""
    called = run.engine.services.latest_version(node.process)
    if called is None:
        raise CaseStuck(Phrase("process '{process}' is not published", process=node.process))
    if run.case.depth + 1 > MAX_SUBPROCESS_DEPTH:
        run.engine.stop_call_chain(run, Phrase("subprocesses are nested more than {depth} deep",
                                               depth=MAX_SUBPROCESS_DEPTH))
        return
    data = {}
    for mapping in node.inputs:
        expected = called.variable_type(mapping.target)
        data[mapping.target] = run.version.expression(mapping.expression, expected).evaluate(run.scope)
    run.engine.start_child(run, token, called, data)


def on_end(run: CaseRun, token: Token, node: EndNode) -> None:
    run.case.tokens.remove(token)
    run.audit("end reached", Phrase("Reached end '{end}'", end=node.display), node=node.id)
    if not run.case.tokens:
        run.engine.complete_case(run, node.outcome)


HANDLERS: dict[str, Callable[[CaseRun, Token, Any], None]] = {
    "start": on_start,
    "task": on_task,
    "automatic": on_automatic,
    "send": on_send,
    "decision": on_decision,
    "parallel": on_parallel,
    "wait": on_wait,
    "subprocess": on_subprocess,
    "end": on_end,
}


# Helpers ----------------------------------------------------------------------

def message_key(name: str) -> str:
    return f"message:{name}"


def sla_jobs(run: CaseRun, sla: Sla, work_item: str | None) -> list[Job]:
    """Warning and breach jobs for an SLA, for the moments that have escalations."""
    moments = {escalation.when for escalation in sla.escalations}
    jobs = []
    if sla.warning and EscalationMoment.WARNING in moments:
        jobs.append(run.add_job(JobKind.SLA_WARNING, run.calendar.add(run.tx.now, sla.warning), work_item=work_item))
    if EscalationMoment.BREACH in moments:
        jobs.append(run.add_job(JobKind.SLA_BREACH, run.calendar.add(run.tx.now, sla.target), work_item=work_item))
    return jobs


def connector_request(run: CaseRun, node: AutomaticNode) -> OutboxEntry:
    """A call to a back-office system, delivered from the outbox exactly once like a letter.

    The request carries the case id, reference, process and the whole case data as JSON (with the declared
    default of each variable nobody has set, as the process reads it).
    """
    payload = {"case": run.case.id, "reference": run.case.reference, "process": run.case.process_key,
               "node": node.id, "data": run.version.data_read(run.case.data)}
    return OutboxEntry(
        id=new_id("out"), case_id=run.case.id, node=node.id, channel=CONNECTOR_CHANNEL, language="",
        recipient=node.connector, body=json.dumps(payload, sort_keys=True), next_attempt_at=run.tx.now,
        created_at=run.tx.now,
    )


def default_recipient(channel: LetterChannel, customer: dict[str, Any]) -> str:
    """Where a message goes when the node names no recipient: the customer's address for the channel."""
    if channel is LetterChannel.EMAIL:
        return customer.get("email", "")
    if channel is LetterChannel.SMS:
        return customer.get("phone", "")
    return "\n".join(address_lines(customer))


def template_context(run: CaseRun) -> dict[str, Any]:
    """What a letter template sees: case data, the customer, today/now and the case itself."""
    return case_template_context(run.version, run.case, run.scope)


def case_template_context(version: ProcessVersion, case: Case, scope: Mapping[str, Any]) -> dict[str, Any]:
    """`template_context` for any case and its scope, e.g. the designer's letter preview with a real case."""
    context = {name: scope[name] for name in version.variables}
    context |= {
        "customer": scope["customer"] or {},
        "today": scope["today"],
        "now": scope["now"],
        "case": {"id": case.id, "reference": case.display, "process": version.bundle.name,
                 "started": case.started_at},
    }
    return context


def _until(run: CaseRun, node: WaitNode) -> datetime:
    moment = run.version.expression(node.until).evaluate(run.scope)
    if isinstance(moment, datetime):
        return moment
    return datetime.combine(moment, time(0, 0), ZoneInfo(run.calendar.timezone))

