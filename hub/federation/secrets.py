"""Partner credentials at rest: encrypted with a key derived from HUB_SECRET_KEY, so a copy of the
database alone does not hand out the tokens other centers gave us."""

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub.errors import Conflict
from hub.settings import get_settings

TOKEN_PREFIX = "hubp_"  # noqa: S105 - a prefix, not a secret


def _fernet() -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"school-safety-hub partner secrets"
    ).derive(get_settings().secret_key.get_secret_value().encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str) -> str:
    """Encrypt a credential for storage."""
    return _fernet().encrypt(value.encode()).decode()


def unseal(value: str) -> str:
    """Decrypt a stored credential; a changed HUB_SECRET_KEY makes old ones unreadable."""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        raise Conflict(
            "a stored partner credential cannot be decrypted (was HUB_SECRET_KEY changed?); "
            "set it again with `hub partners credentials`"
        ) from None


def new_token() -> str:
    """A bearer token for a partner, shown once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """How an issued token is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()
