"""API tokens: a caller sends `Authorization: Bearer <token>`; only the token's hash is stored, on the user.

A token is made by `flowdesk user token <user>` and shown once. It starts with
the user id, so checking one reads that user only. SHA-256 suffices for the
hash: a token is 256 random bits, not a password someone chose.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from runtime.documents import User
from runtime.errors import NotFound
from runtime.storage.base import Store


def new_api_token(user_id: str) -> tuple[str, str]:
    """A new token for `user_id` and the hash to store in `User.api_token_hash`.

    >>> token, digest = new_api_token("gateway")
    >>> token.startswith("gateway."), digest == api_token_hash(token), token in digest
    (True, True, False)
    """
    token = f"{user_id}.{secrets.token_urlsafe(32)}"
    return token, api_token_hash(token)


def api_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_user(store: Store, token: str) -> User | None:
    """The user whose token this is, or None (unknown user, no token made, or a different one)."""
    token = token.strip()
    user_id, _, secret = token.rpartition(".")
    if not user_id or not secret:
        return None
    try:
        user = store.user(user_id)
    except NotFound:
        return None
    if not user.api_token_hash or not hmac.compare_digest(user.api_token_hash, api_token_hash(token)):
        return None
    return user
