"""What the designer shows: the process list with its drafts, the published bundles a draft is checked
against, a process's bundle file, and the data a draft is previewed and test-run with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from codegen.interchange import EXPORT_FORMATS, NothingToExport, write_process
from codegen.letter_samples import SAMPLE_CUSTOMER, sample_context
from models.bundle import Bundle
from models.customers import Customer
from runtime.access import UseCase, may, require
from runtime.case_values import Scope
from runtime.documents import CaseStatus, User, Version
from runtime.drafts import Drafts, StoredDraft
from runtime.errors import NotFound
from runtime.handlers import case_template_context
from runtime.views.processes import process_version, versions_by_process

if TYPE_CHECKING:
    from runtime.service import Runtime

#: The most customers offered as samples, and the most recent cases offered for a letter preview.
SAMPLE_LIMIT = 200
PREVIEW_CASES = 50


@dataclass(frozen=True)
class ProcessEntry:
    """A process on the designer's list: its published versions (newest first) and its saved draft, if any."""

    key: str
    name: str
    versions: list[Version]
    draft: StoredDraft | None


@dataclass(frozen=True)
class PreviewCase:
    """A real case a letter can be previewed with."""

    id: str
    status: CaseStatus


def process_list(runtime: Runtime, user: User) -> list[ProcessEntry]:
    """Every process, published or only drafted, by name; drafts only for users who may edit them."""
    require(user, UseCase.READ_PROCESSES)
    versions = versions_by_process(runtime)
    drafts = {d.key: d for d in Drafts(runtime).drafts(user)} if may(user, UseCase.EDIT_DRAFT) else {}
    entries = []
    for key in versions.keys() | drafts.keys():
        published = sorted(versions.get(key, []), key=lambda v: -v.number)
        draft = drafts.get(key)
        name = draft.name if draft else published[0].name
        entries.append(ProcessEntry(key, name, published, draft))
    return sorted(entries, key=lambda e: (e.name.lower(), e.key))


def latest_bundles(runtime: Runtime, user: User) -> dict[str, Bundle]:
    """The newest published bundle of every process, by key: what a draft's subprocess calls are checked against."""
    require(user, UseCase.READ_PROCESSES)
    return {version.process_key: runtime.bundle(version) for version in runtime.latest_versions()}


@dataclass(frozen=True)
class ExportedFile:
    """A published version written as a file to download."""

    content: bytes
    filename: str
    media_type: str


def process_file(runtime: Runtime, user: User, key: str, format: str = "json",
                 number: int | None = None) -> ExportedFile:
    """A published version of `key` (the newest when `number` is None) as a file in `format` (a key of
    `EXPORT_FORMATS`): NotFound for a process never published, or without decision tables for DMN."""
    require(user, UseCase.READ_DEFINITIONS)
    bundle = process_version(runtime, user, key, number).bundle
    try:
        content = write_process(bundle, format)
    except NothingToExport as error:
        raise NotFound(str(error)) from None
    written = EXPORT_FORMATS[format]
    return ExportedFile(content, f"{key}{written.suffix}", written.media_type)


def sample_customers(runtime: Runtime, user: User) -> list[Customer]:
    """Customers to preview letters and test-run drafts with (the first `SAMPLE_LIMIT` by id)."""
    require(user, UseCase.SAMPLE_REAL_DATA)
    return runtime.store.customers()[:SAMPLE_LIMIT]


def preview_cases(runtime: Runtime, user: User, key: str) -> list[PreviewCase]:
    """The newest cases of process `key` (at most `PREVIEW_CASES`), newest first."""
    require(user, UseCase.SAMPLE_REAL_DATA)
    ids = runtime.store.case_ids(process_key=key)[-PREVIEW_CASES:]
    return [PreviewCase(case.id, case.status) for case in map(runtime.store.case, reversed(ids))]


def letter_context(runtime: Runtime, user: User, bundle: Bundle, *, case_id: str | None = None,
                   customer: Customer | None = None, language: str = "en") -> dict[str, Any]:
    """What a letter template of the draft `bundle` sees: a real case's data and customer as a send step would
    now, else sample values for its variables (their texts in the letter's `language`) with `customer` (or a
    made-up one)."""
    now = runtime.now()
    if case_id is None:
        require(user, UseCase.EDIT_DRAFT)
        today = now.astimezone(ZoneInfo(runtime.calendar.timezone)).date()
        values = (customer or SAMPLE_CUSTOMER).model_dump(mode="json")
        return sample_context(bundle.variables, values, now=now, today=today, process_name=bundle.name,
                              language=language)
    require(user, UseCase.SAMPLE_REAL_DATA)
    case = runtime.store.case(case_id)
    version = runtime.process_version(case.version_hash)

    def customer_values() -> dict[str, Any] | None:
        try:
            return runtime.store.customer(case.customer_id or "").model_dump(mode="json")
        except NotFound:
            return None

    return case_template_context(version, case, Scope(version, case, now, customer_values,
                                                      runtime.calendar.timezone))
