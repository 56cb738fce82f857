"""The REST API (/api/v1) for back-office systems, gateways and scripts: start cases, list and complete work,
read cases, register inbound contacts. `routes` holds the routes, `models` what they take and return (so the
OpenAPI document at /openapi.json describes them), `tokens` the API tokens the guard accepts."""
