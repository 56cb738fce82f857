"""The REST API (/api/v1) for back-office systems, gateways and scripts: a door onto the runtime's use cases.

`routes` puts it together and into the app (`install`); one module per resource holds its routes (`processes`,
`cases`, `work`, `contacts`), `models` what they take and return (so the OpenAPI document at /openapi.json
describes them). What every route shares: `common` (the caller, idempotency keys, ETag and If-Match), `paging`
(cursors), `problems` (every error as an RFC 9457 problem), `bodies` (JSON bodies read safely), `form_fields`
(field errors named as the caller sent them) and `limits` (request sizes, before a body is read). `tokens` holds
the API tokens the guard accepts.
"""
