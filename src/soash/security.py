"""Password hashing, opaque tokens stored as HMAC hashes, and AES-GCM encryption of secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from soash.config import Settings, get_settings


@lru_cache(maxsize=1)
def _hasher() -> tuple[PasswordHasher, str]:
    """argon2id with the configured cost, and a hash to verify against when the email is
    unknown, so both paths cost one argon2 verification."""
    security = get_settings().security
    hasher = PasswordHasher(
        time_cost=security.argon2_time_cost, memory_cost=security.argon2_memory_kib
    )
    return hasher, hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check; pass ``None`` for an unknown user to spend the same time."""
    hasher, dummy = _hasher()
    try:
        hasher.verify(password_hash or dummy, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def password_needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters (e.g. before a cost change)."""
    return _hasher()[0].check_needs_rehash(password_hash)


def new_token() -> str:
    """A random, URL-safe token of 256 bits."""
    return secrets.token_urlsafe(32)


def token_hash(token: str, *, purpose: str, settings: Settings | None = None) -> str:
    """HMAC-SHA256 of a token under the session secret, separated by purpose."""
    secret = (settings or get_settings()).security.session_secret
    assert secret is not None
    key = secret.get_secret_value().encode()
    return hmac.new(key, f"{purpose}:{token}".encode(), hashlib.sha256).hexdigest()


class DecryptionError(Exception):
    """A ciphertext that does not open under any known key or for this row."""


@dataclass(frozen=True)
class KeyRing:
    """Encryption keys by id; the first is used to encrypt, all are tried to decrypt."""

    keys: dict[str, bytes]
    active: str

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for part in spec.split(","):
            kid, sep, b64 = part.strip().partition(":")
            if not sep or not kid or not kid.isalnum():
                raise ValueError("encryption key must look like 'kid:base64key' (kid alphanumeric)")
            raw = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
            if len(raw) != 32:
                raise ValueError(f"encryption key {kid!r} must be 32 bytes")
            keys[kid] = raw
            order.append(kid)
        return cls(keys=keys, active=order[0])

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> KeyRing:
        spec = (settings or get_settings()).security.encryption_keys
        assert spec is not None
        return cls.parse(spec.get_secret_value())

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """``v1.<kid>.<nonce+ciphertext>``; ``context`` (the row's identity) is bound as AAD."""
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext.encode(), context.encode())
        blob = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"v1.{self.active}.{blob}"

    def key_id(self, token: str) -> str:
        return token.split(".", 2)[1]

    def decrypt(self, token: str, *, context: str) -> str:
        try:
            version, kid, blob = token.split(".", 2)
            key = self.keys[kid]
        except (ValueError, KeyError) as exc:
            raise DecryptionError("unknown ciphertext format or key id") from exc
        if version != "v1":
            raise DecryptionError(f"unsupported ciphertext version {version}")
        raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode()
        except Exception as exc:
            raise DecryptionError("ciphertext does not open for this row") from exc
