"""Staff authentication: argon2 password hashes and signed, expiring session tokens.

Users are configured as ``settings.staff.users`` (name -> argon2 hash, made with
``assistant staff hash-password``). A session is a token signed with
``settings.staff.session_secret`` (a random secret per process when empty) that
carries the user name and expires ``session_minutes`` after it was issued;
the staff transport re-issues it while the user is active.

>>> from assistant.settings import StaffSettings
>>> auth = StaffAuth(StaffSettings(users={"anna": hash_password("correct horse")}))
>>> auth.verify("anna", "correct horse"), auth.verify("anna", "wrong")
('anna', None)
>>> auth.user_from_token(auth.issue("anna"))
'anna'
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from assistant.settings import StaffSettings

log = logging.getLogger(__name__)

DEVELOPMENT_USER = ("staff", "staff")
HASHER = PasswordHasher()
# verified when the user name is unknown, so a wrong name takes as long as a wrong password
_DUMMY_HASH = HASHER.hash(secrets.token_hex(16))
MAX_FAILURES = 10  # failed logins per user name and client ...
FAILURE_WINDOW_S = 15 * 60  # ... within this time, before further attempts are refused
HOW_TO_CONFIGURE = (
    "No staff user is configured. Create a password hash with `assistant staff hash-password` and set it, "
    'e.g. ASSISTANT_STAFF__USERS=\'{"name": "<hash>"}\' or [staff.users] in assistant.toml. '
    "/ Es ist kein Benutzer eingerichtet: Passwort-Hash mit `assistant staff hash-password` erzeugen und "
    "in ASSISTANT_STAFF__USERS eintragen."
)


def hash_password(plain: str) -> str:
    """An argon2id hash (with its salt and parameters) for ``settings.staff.users``."""
    if not plain:
        raise ValueError("the password is empty")
    return HASHER.hash(plain)


class StaffAuth:
    def __init__(self, settings: StaffSettings) -> None:
        self.settings = settings
        self.max_age_s = settings.session_minutes * 60
        secret = settings.session_secret or secrets.token_urlsafe(32)
        self._serializer = URLSafeTimedSerializer(secret, salt="assistant-staff-session")
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()
        if self.development_login:
            log.warning("staff review: no user configured, development mode lets 'staff' / 'staff' log in")

    @property
    def development_login(self) -> bool:
        return self.settings.development and not self.settings.users

    @property
    def login_possible(self) -> bool:
        return bool(self.settings.users) or self.development_login

    def known(self, username: str) -> bool:
        return username in self.settings.users or (self.development_login and username == DEVELOPMENT_USER[0])

    def verify(self, username: str, password: str, client: str = "") -> str | None:
        """The user name when the password is right, else None."""
        username = username.strip()
        if self._blocked(username, client):
            log.warning("staff login refused for %r from %s: too many failed attempts", username, client or "?")
            return None
        if self.development_login:
            ok = (username, password) == DEVELOPMENT_USER
            if ok:
                log.warning("staff login with the development user 'staff' (configure staff.users)")
        else:
            ok = _verify_hash(self.settings.users.get(username, _DUMMY_HASH), password) and self.known(username)
        if not ok:
            self._fail(username, client)
            return None
        return username

    def issue(self, username: str) -> str:
        """A signed session token for a verified user."""
        return self._serializer.dumps({"user": username})

    def user_from_token(self, token: str | None) -> str | None:
        """The user a valid, unexpired token belongs to; None for anything else."""
        session = self.session(token)
        return session[0] if session else None

    def session(self, token: str | None) -> tuple[str, float] | None:
        """``(user, age in seconds)`` of a valid token (the user must still be configured)."""
        if not token:
            return None
        try:
            payload, issued = self._serializer.loads(token, max_age=self.max_age_s, return_timestamp=True)
        except BadSignature:  # also SignatureExpired
            return None
        user = payload.get("user") if isinstance(payload, dict) else None
        if not isinstance(user, str) or not self.known(user):
            return None
        return user, max(0.0, time.time() - issued.timestamp())

    def _blocked(self, username: str, client: str) -> bool:
        with self._lock:
            failures = self._failures.get((username, client))
            if not failures:
                return False
            while failures and time.monotonic() - failures[0] > FAILURE_WINDOW_S:
                failures.popleft()
            return len(failures) >= MAX_FAILURES

    def _fail(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.setdefault((username, client), deque(maxlen=MAX_FAILURES)).append(time.monotonic())


def _verify_hash(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except VerifyMismatchError:
        return False
    except (InvalidHashError, VerificationError):
        log.error("a staff password hash in settings.staff.users is not a valid argon2 hash")
        return False
