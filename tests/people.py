"""Who acts in tests that are not about access: `person("ann")` may do everything an admin may."""

from __future__ import annotations

from runtime.documents import User


def person(user_id: str, *roles: str, queues: tuple[str, ...] = ()) -> User:
    """A user named `user_id` with `roles` (admin when none are given) and `queues`; not stored anywhere."""
    return User(id=user_id, name=user_id, roles=list(roles) or ["admin"], queues=list(queues))


#: Reads and verifies audit trails.
AUDITOR = person("auditor", "auditor")
