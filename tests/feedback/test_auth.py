"""Staff authentication: argon2 hashes, development login, signed expiring session tokens."""

from __future__ import annotations

import time

import pytest

from assistant.feedback.auth import MAX_FAILURES, StaffAuth, hash_password
from assistant.settings import StaffSettings

ANNA = hash_password("correct horse battery")


def test_hash_is_argon2_and_verifies_only_the_right_password():
    assert ANNA.startswith("$argon2id$") and "correct horse" not in ANNA
    auth = StaffAuth(StaffSettings(users={"anna": ANNA}))
    assert auth.verify("anna", "correct horse battery") == "anna"
    assert auth.verify(" anna ", "correct horse battery") == "anna"
    assert auth.verify("anna", "correct horse") is None
    assert auth.verify("ben", "correct horse battery") is None
    with pytest.raises(ValueError):
        hash_password("")


def test_a_broken_hash_in_settings_refuses_login_instead_of_crashing():
    auth = StaffAuth(StaffSettings(users={"anna": "not-a-hash"}))
    assert auth.verify("anna", "not-a-hash") is None


def test_development_user_only_in_development_without_users(caplog):
    development = StaffAuth(StaffSettings(development=True))
    assert development.login_possible and development.verify("staff", "staff") == "staff"
    assert "development" in caplog.text
    assert development.verify("staff", "wrong") is None

    production = StaffAuth(StaffSettings())
    assert not production.login_possible and production.verify("staff", "staff") is None
    configured = StaffAuth(StaffSettings(development=True, users={"anna": ANNA}))
    assert configured.verify("staff", "staff") is None  # a configured city has no default user


def test_session_tokens_are_signed_and_expire(monkeypatch):
    auth = StaffAuth(StaffSettings(users={"anna": ANNA}, session_minutes=30, session_secret="s" * 32))
    token = auth.issue("anna")
    assert auth.user_from_token(token) == "anna"
    assert auth.user_from_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert auth.user_from_token("") is None and auth.user_from_token(None) is None
    # another process with the same secret accepts it (several instances behind a load balancer)
    assert StaffAuth(auth.settings).user_from_token(token) == "anna"
    # without a configured secret each process signs with its own random one
    assert StaffAuth(StaffSettings(users={"anna": ANNA})).user_from_token(token) is None

    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 29 * 60)
    assert auth.user_from_token(token) == "anna"
    monkeypatch.setattr(time, "time", lambda: real_time() + 31 * 60)
    assert auth.user_from_token(token) is None


def test_a_removed_user_loses_the_session():
    settings = StaffSettings(users={"anna": ANNA}, session_secret="s" * 32)
    token = StaffAuth(settings).issue("anna")
    assert StaffAuth(StaffSettings(users={"ben": ANNA}, session_secret="s" * 32)).user_from_token(token) is None


def test_repeated_failures_block_that_user_from_that_client():
    auth = StaffAuth(StaffSettings(users={"anna": ANNA}))
    for _ in range(MAX_FAILURES):
        assert auth.verify("anna", "guess", client="10.0.0.9") is None
    assert auth.verify("anna", "correct horse battery", client="10.0.0.9") is None
    assert auth.verify("anna", "correct horse battery", client="10.0.0.7") == "anna"


def test_cli_hash_password_prints_a_working_hash_and_the_configuration_line():
    import json

    from typer.testing import CliRunner

    from assistant.cli import cli

    result = CliRunner().invoke(cli, ["staff", "hash-password", "--name", "anna"], input="Rathaus-2026!\n")
    assert result.exit_code == 0, result.output
    hashed, env_line = result.stdout.splitlines()[:2]
    assert StaffAuth(StaffSettings(users={"anna": hashed})).verify("anna", "Rathaus-2026!") == "anna"
    assert env_line.startswith("ASSISTANT_STAFF__USERS='") and json.loads(env_line.split("=", 1)[1].strip("'")) == {
        "anna": hashed
    }
