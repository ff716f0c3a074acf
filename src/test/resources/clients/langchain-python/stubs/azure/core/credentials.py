"""STUB of azure.core.credentials for Sandpool's client test; not the real package."""

from typing import NamedTuple


class AccessToken(NamedTuple):
    """STUB: a bearer token and its expiry (seconds since the epoch)."""

    token: str
    expires_on: int
