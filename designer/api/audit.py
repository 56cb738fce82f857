"""/api/v1/audit: verify every trail against the signed checkpoints, and export cases as a file that verifies."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.requests import Request as HttpRequest

from designer.api.bodies import CheckedRoute
from designer.api.common import Caller, Flowdesk, IdempotencyKey, step_request
from runtime.exports import MAX_CASES, export_cases


class Verification(BaseModel):
    """What verifying the whole store found."""

    intact: bool
    cases: int
    checkpoints: int
    signed: bool
    unanchored: int = Field(description="cases with events newer than the newest checkpoint")
    problems: list[dict[str, Any]]


class ExportRequest(BaseModel):
    cases: list[str] = Field(min_length=1, max_length=MAX_CASES, description="the ids of the cases to export")


def routes() -> APIRouter:
    router = APIRouter(prefix="/audit", tags=["audit"], route_class=CheckedRoute)

    @router.get("/verify")
    def verify(user: Caller, flowdesk: Flowdesk) -> Verification:
        """Every case's trail against its hash chain and the signed checkpoints that anchor it store-wide."""
        verdict = flowdesk.verify_audit(user)
        return Verification(intact=verdict.intact, cases=verdict.cases, checkpoints=verdict.checkpoints,
                            signed=verdict.signed, unanchored=verdict.unanchored,
                            problems=[vars(problem) for problem in verdict.problems])

    @router.post("/exports")
    def export(body: ExportRequest, http: HttpRequest, user: Caller, flowdesk: Flowdesk,
               idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
        """The cases as one file that verifies offline (`flowdesk audit verify-export`): their events with hashes,
        the version each ran on, digests of what was sent, and the signed checkpoint. Recorded on each trail."""
        return export_cases(flowdesk, user, body.cases,
                            request=step_request(http, idempotency_key, body.model_dump()))

    return router
