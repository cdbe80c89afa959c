"""Tokens at rest: Fernet (AES-128-CBC + HMAC-SHA256) with PIONEER_ENCRYPTION_KEY.

`cryptography` is loaded by the first cipher made: a server with one bot token never does.
"""

from __future__ import annotations


class EncryptionKeyMissing(RuntimeError):
    """OAuth mode stores workspace tokens; without a key they would sit in the clear."""


class TokenCipher:
    def __init__(self, key: str | None) -> None:
        if not key:
            raise EncryptionKeyMissing(
                "PIONEER_ENCRYPTION_KEY is not set. Multi-workspace mode stores Slack tokens in "
                "the database and refuses to keep them unencrypted. Create a key with "
                '`python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"` and set PIONEER_ENCRYPTION_KEY.'
            )
        from cryptography.fernet import Fernet

        try:
            self._fernet = Fernet(key.encode())
        except ValueError as exc:
            raise EncryptionKeyMissing(
                "PIONEER_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64 bytes)."
            ) from exc

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("stored token cannot be decrypted with this key") from exc

    @staticmethod
    def generate_key() -> str:
        from cryptography.fernet import Fernet

        return Fernet.generate_key().decode()
