"""/api/v1/processes: the published processes, their versions, and the JSON Schema of what a case starts with."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from codegen.forms import form_schema
from designer.api.bodies import CheckedRoute
from designer.api.common import Caller, Flowdesk
from designer.api.models import ProcessOut, VersionOut
from designer.api.problems import FieldProblems, Problem
from models.forms import Form
from runtime.process_version import ProcessVersion
from runtime.views.design import bundle_file
from runtime.views.processes import process_version, processes, versions


def start_form(version: ProcessVersion, start: str | None) -> Form | None:
    """The form of the start node `start` (or of the only start); None when it has none."""
    starts = [node for node in version.starts() if start is None or node.id == start]
    if len(starts) != 1:
        known = ", ".join(node.id for node in version.starts())
        said = f"has no start '{start}'" if start is not None else "has several starts; say which one"
        raise FieldProblems({"start": f"process '{version.version.process_key}' {said} (its starts: {known})"})
    form_id = getattr(starts[0], "form", None)
    return version.bundle.form(form_id) if form_id else None


def routes() -> APIRouter:
    router = APIRouter(tags=["processes"], route_class=CheckedRoute)

    @router.get("/processes")
    def list_processes(user: Caller, flowdesk: Flowdesk) -> list[ProcessOut]:
        """Every published process with its newest version, by name."""
        return [ProcessOut.of(summary) for summary in processes(flowdesk, user)]

    @router.get("/processes/{key}/versions", responses={404: {"model": Problem}})
    def list_versions(key: str, user: Caller, flowdesk: Flowdesk) -> list[VersionOut]:
        """Every published version of a process, oldest first: who published it, when, why, and its content hash."""
        return [VersionOut.of(version) for version in versions(flowdesk, user, key)]

    @router.get("/processes/{key}/start-schema", responses={404: {"model": Problem}})
    def start_schema(key: str, user: Caller, flowdesk: Flowdesk, start: str | None = None) -> dict[str, Any]:
        """The JSON Schema of the `data` a case of this process starts with (its start form's), for a process with
        several starts the one named by `start`."""
        version = process_version(flowdesk, user, key)
        form = start_form(version, start)
        if form is None:
            return {"title": version.bundle.name, "type": "object",
                    "description": "This process has no start form: `data` may set any of its declared case data."}
        return form_schema(form, version.variables)

    @router.get("/processes/{key}/bundle", response_class=Response, responses={
        200: {"content": {"application/json": {}}, "description": "the bundle file"}, 404: {"model": Problem}})
    def bundle(key: str, user: Caller, flowdesk: Flowdesk, version: int | None = None) -> Response:
        """A published version (the newest unless `version` says which) as the bundle file Flowdesk imports."""
        text = bundle_file(flowdesk, user, key, version)
        return Response(content=text.encode("utf-8"), media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{key}.json"'})

    return router
