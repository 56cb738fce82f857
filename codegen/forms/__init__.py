"""Forms generated from one form definition: server-side validator, JSON Schema and the agent's NiceGUI form.

All three read the per-kind rules in `codegen.forms.rules`, so a value one of
them accepts the others accept too. `view` imports NiceGUI and is imported on
its own (`from codegen.forms.view import FormView`).
"""

from codegen.forms.schema import form_schema
from codegen.forms.validator import Compiler, Submission, check_submission, validate_submission

__all__ = ["Compiler", "Submission", "check_submission", "form_schema", "validate_submission"]
