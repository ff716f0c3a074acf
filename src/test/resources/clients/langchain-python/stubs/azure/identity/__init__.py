"""STUB of azure.identity for Sandpool's client test; not the real package.

The test always passes ``access_token_provider``, so this credential must never be used.
"""

from azure.core.credentials import AccessToken


class DefaultAzureCredential:
    """STUB: fails loudly if the client ever falls back to Azure credentials."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def get_token(self, *scopes: str, **kwargs) -> AccessToken:
        raise RuntimeError("stub DefaultAzureCredential: pass access_token_provider instead")
