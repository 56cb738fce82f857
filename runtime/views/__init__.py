"""Read models: what pages, the REST API and the CLI show, as plain data built here from the store.

Each function takes the runtime and the acting user, asks `runtime.access`
first, and returns dataclasses of documents and names; doors format them
(local times, labels, languages) and never read the store themselves.
"""
