"""Encryption of secrets at rest, password hashing and the refusal of default secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from soash.config import Settings, new_encryption_key_spec
from soash.security import DecryptionError, KeyRing, hash_password, verify_password


def test_a_ciphertext_opens_only_for_the_row_it_was_sealed_for() -> None:
    ring = KeyRing.parse(new_encryption_key_spec("k1"))
    sealed = ring.encrypt("ig-access-token", context="social_accounts:1:access_token")
    assert "ig-access-token" not in sealed
    assert sealed.startswith("v1.k1.")
    assert ring.decrypt(sealed, context="social_accounts:1:access_token") == "ig-access-token"
    with pytest.raises(DecryptionError):
        ring.decrypt(sealed, context="social_accounts:2:access_token")


def test_the_same_secret_encrypts_differently_each_time() -> None:
    ring = KeyRing.parse(new_encryption_key_spec("k1"))
    assert ring.encrypt("x", context="c") != ring.encrypt("x", context="c")


def test_a_tampered_ciphertext_is_refused() -> None:
    ring = KeyRing.parse(new_encryption_key_spec("k1"))
    sealed = ring.encrypt("secret", context="c")
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(DecryptionError):
        ring.decrypt(tampered, context="c")


def test_after_rotation_new_secrets_use_the_new_key_and_old_ones_still_open() -> None:
    old_spec = new_encryption_key_spec("k1")
    old = KeyRing.parse(old_spec)
    sealed_before = old.encrypt("refresh", context="c")
    rotated = KeyRing.parse(f"{new_encryption_key_spec('k2')},{old_spec}")
    assert rotated.decrypt(sealed_before, context="c") == "refresh"
    assert rotated.key_id(rotated.encrypt("refresh", context="c")) == "k2"
    with pytest.raises(DecryptionError):
        KeyRing.parse(new_encryption_key_spec("k2")).decrypt(sealed_before, context="c")


@pytest.mark.parametrize("spec", ["nokey", "k1:c2hvcnQ", "bad id:" + "A" * 43])
def test_malformed_key_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="key"):
        KeyRing.parse(spec)


def test_passwords_are_hashed_with_argon2id() -> None:
    hashed = hash_password("correct-horse-battery-9")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct-horse-battery-9")
    assert not verify_password(hashed, "wrong-horse-battery-9")
    assert not verify_password(None, "correct-horse-battery-9")


@pytest.mark.parametrize("env", ["prod", "test"])
def test_outside_dev_the_secrets_must_be_set(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOASH_SECURITY_SESSION_SECRET")
    monkeypatch.delenv("SOASH_SECURITY_ENCRYPTION_KEYS")
    with pytest.raises(ValidationError, match="SOASH_SECURITY_SESSION_SECRET"):
        Settings(env=env)


def test_dev_generates_private_secrets_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOASH_SECURITY_SESSION_SECRET")
    monkeypatch.delenv("SOASH_SECURITY_ENCRYPTION_KEYS")
    first = Settings(env="dev", data_dir=tmp_path)
    second = Settings(env="dev", data_dir=tmp_path)
    assert first.security.session_secret == second.security.session_secret
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o077 == 0
