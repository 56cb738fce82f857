"""The web app's route groups, one module per area: design, work, monitor, audit.

Each module's `routes()` returns a fresh `APIRouter` with the area's pages and API
routes; `designer.app` includes them. Access is checked by `designer.auth.Guard`,
not here.
"""
