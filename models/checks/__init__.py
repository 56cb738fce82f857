"""Checking a bundle: `check(bundle) -> list[Finding]`.

One rule per module in this package (bpmnlint style): the module docstring
is the rule's help text, its `check(ctx)` yields `Problem`s, and its code is
the module name with dashes (`node_unreachable` -> `node-unreachable`).
Severity is set here, not in the rules. A rule that crashes becomes a
finding instead of stopping the check.

Soundness rules assume the structure is right (one way in, every node
reachable and able to reach an end), so they only run when no structural
rule found an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import ModuleType

from models.bundle import Bundle
from models.checks import (
    decision_conditions,
    decision_default_missing,
    edge_dangling,
    expression_invalid,
    intake_channel_unserved,
    node_connections,
    node_dead_end,
    node_unreachable,
    parallel_shape,
    placeholder_maybe_empty,
    placeholder_unknown,
    reference_missing,
    reference_prefix_taken,
    separation_invalid,
    sla_invalid,
    soundness_deadlock,
    soundness_lack_of_sync,
    soundness_no_completion,
    soundness_too_complex,
    start_ambiguous,
    start_missing,
    subprocess_cycle,
    template_invalid,
    variable_mismatch,
)
from models.checks.context import CheckContext
from models.checks.findings import Finding, Problem, Severity
from models.phrases import Phrase

__all__ = ["RULES", "CheckContext", "Finding", "Severity", "check", "rule_code"]

ERROR, WARNING = Severity.ERROR, Severity.WARNING

#: Structural rules, with their severity.
STRUCTURE: dict[ModuleType, Severity] = {
    start_missing: ERROR,
    start_ambiguous: ERROR,
    edge_dangling: ERROR,
    node_connections: ERROR,
    node_unreachable: ERROR,
    node_dead_end: ERROR,
    decision_conditions: ERROR,
    decision_default_missing: WARNING,
    parallel_shape: ERROR,
    reference_missing: ERROR,
    variable_mismatch: ERROR,
    expression_invalid: ERROR,
    template_invalid: ERROR,
    placeholder_unknown: ERROR,
    sla_invalid: ERROR,
    intake_channel_unserved: WARNING,
    separation_invalid: ERROR,
    subprocess_cycle: ERROR,
    placeholder_maybe_empty: WARNING,
    reference_prefix_taken: ERROR,
}

#: Soundness rules (workflow-net sense); run only on a structurally correct flow.
SOUNDNESS: dict[ModuleType, Severity] = {
    soundness_deadlock: ERROR,
    soundness_lack_of_sync: ERROR,
    soundness_no_completion: ERROR,
    soundness_too_complex: ERROR,
}

RULES: dict[ModuleType, Severity] = STRUCTURE | SOUNDNESS


def rule_code(rule: ModuleType) -> str:
    """A rule's stable code, from its module name."""
    return rule.__name__.rsplit(".", 1)[-1].replace("_", "-")


def check(bundle: Bundle, known_processes: Mapping[str, Bundle] | None = None) -> list[Finding]:
    """Every finding about `bundle`, errors first, then in model order.

    `known_processes` are the processes (by key) a subprocess node may call;
    None leaves calls unchecked.
    """
    ctx = CheckContext(bundle, known_processes)
    findings = _run(STRUCTURE, ctx)
    if not any(f.severity is ERROR for f in findings):
        findings += _run(SOUNDNESS, ctx)
    order = {Severity.ERROR: 0, Severity.WARNING: 1}
    return sorted(findings, key=lambda f: order[f.severity])


def _run(rules: dict[ModuleType, Severity], ctx: CheckContext) -> list[Finding]:
    findings: list[Finding] = []
    for rule, severity in rules.items():
        code = rule_code(rule)
        try:
            problems: Iterable[Problem] = list(rule.check(ctx))
        except Exception as crash:  # a broken rule must not hide the others' findings
            problems = [Problem("", Phrase("The check '{code}' failed: {crash}", code=code, crash=repr(crash)),
                                Phrase("Report this to Flowdesk support."))]
            severity = ERROR
        findings.extend(Finding.of(code, severity, problem) for problem in problems)
    return findings
