"""The lists a process declares and refers to: case variables, roles, queues, root causes, ad-hoc task types.

Each is matched by its id (a variable by its name); their order means nothing.
A variable's record fields and a choice's options are settings of the variable.
"""

from __future__ import annotations

from collections.abc import Iterator

from codegen.diff.changes import Change, Part
from codegen.diff.compare import list_changes
from models.bundle import Bundle
from models.data import Variable
from models.organisation import AdhocTaskType, Queue, Role, RootCause


def diff_variables(old: Bundle, new: Bundle) -> Iterator[Change]:
    """Case variables added, removed, or changed (type, label, options, record fields, default, personal)."""
    yield from list_changes(Part.VARIABLES, old.variables, new.variables, key=_variable_name,
                            label=_variable_label)


def diff_roles(old: Bundle, new: Bundle) -> Iterator[Change]:
    """Roles added, removed or renamed."""
    yield from list_changes(Part.ROLES, old.roles, new.roles, key=_id, label=_name)


def diff_queues(old: Bundle, new: Bundle) -> Iterator[Change]:
    """Queues added, removed, or changed (name, role, description)."""
    yield from list_changes(Part.QUEUES, old.queues, new.queues, key=_id, label=_name)


def diff_root_causes(old: Bundle, new: Bundle) -> Iterator[Change]:
    """Root causes added, removed or relabelled."""
    yield from list_changes(Part.ROOT_CAUSES, old.root_causes, new.root_causes, key=_id, label=_root_cause_label)


def diff_adhoc_task_types(old: Bundle, new: Bundle) -> Iterator[Change]:
    """Ad-hoc task types added, removed, or changed (name, queue, form, instructions)."""
    yield from list_changes(Part.ADHOC_TASK_TYPES, old.adhoc_task_types, new.adhoc_task_types, key=_id, label=_name)


def _variable_name(variable: Variable) -> str:
    return variable.name


def _variable_label(variable: Variable) -> str:
    return variable.label or variable.name


def _id(element: Role | Queue | RootCause | AdhocTaskType) -> str:
    return element.id


def _name(element: Role | Queue | AdhocTaskType) -> str:
    return element.name or element.id


def _root_cause_label(cause: RootCause) -> str:
    return cause.label or cause.id
