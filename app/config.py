"""Deployment configuration, read from the environment when a Config is made (never at import).

Things an administrator changes while the service runs (windows, cut scores, validity periods)
live in the database, not here.
"""

import os
import secrets
from pathlib import Path


def _flag(environ, name, default):
    value = environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(environ, name, default):
    value = environ.get(name)
    return default if value in (None, "") else int(value)


def instance_secret(instance_path, filename="secret_key"):
    """Return the secret stored in instance/<filename>, creating it (mode 0600) on first use."""
    path = Path(instance_path) / filename
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


class Config:
    """Production-safe defaults; every value can be set from the environment."""

    TESTING = False
    PASSWORD_HASH_PROFILE = "default"

    def __init__(self, instance_path, environ=None):
        env = os.environ if environ is None else environ
        instance = Path(instance_path)
        self.DATABASE_URL = env.get("DATABASE_URL") or f"sqlite:///{instance / 'accreditation.sqlite3'}"
        self.SECRET_KEY = env.get("SECRET_KEY") or instance_secret(instance)
        self.SERVICE_NAME = env.get("SERVICE_NAME", "Child and family social work accreditation")
        self.ISSUING_BODY = env.get("ISSUING_BODY", "Child and Family Practice Accreditation Board")
        self.GOVUK_BRANDING = _flag(env, "GOVUK_BRANDING", False)
        self.BASE_URL = env.get("BASE_URL", "").rstrip("/")
        # Issuer keys (flask keys init creates them in KEYS_DIR); production may name its own files.
        self.KEYS_DIR = env.get("KEYS_DIR") or str(instance / "keys")
        for name in ("SIGNING_KEY_FILE", "SIGNING_CERT_FILE", "SIGNING_CHAIN_FILE", "CREDENTIAL_KEY_FILE"):
            setattr(self, name, env.get(name))
        # Mail: with MAIL_SERVER unset, messages stay in the outbox table and are written to the log.
        self.MAIL_SERVER = env.get("MAIL_SERVER", "")
        self.MAIL_PORT = _int(env, "MAIL_PORT", 25)
        self.MAIL_USE_TLS = _flag(env, "MAIL_USE_TLS", False)
        self.MAIL_USERNAME = env.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD", "")
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "no-reply@accreditation.invalid")
        # Sign-in protection.
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_KEY_PREFIX = env.get("RATELIMIT_KEY_PREFIX", "kss")  # for a Redis shared with other services
        self.SIGN_IN_RATE_LIMIT = env.get("SIGN_IN_RATE_LIMIT", "10 per minute;50 per hour")
        self.VERIFY_RATE_LIMIT = env.get("VERIFY_RATE_LIMIT", "30 per minute;300 per hour")
        # Roles that must use two-factor sign-in (comma-separated role values; empty: nobody is made to).
        self.TWO_FACTOR_ROLES = env.get("TWO_FACTOR_ROLES", "administrator,assessor,moderator")
        # Answers of unsuccessful attempts are deleted this long after release (flask retention apply).
        self.RETENTION_FAILED_RESPONSES_MONTHS = _int(env, "RETENTION_FAILED_RESPONSES_MONTHS", 24)
        self.LOG_FORMAT = env.get("LOG_FORMAT", "text")  # json: one JSON object a line, for a log collector
        self.ACCESS_LOG = env.get("ACCESS_LOG", "1") not in ("0", "false", "no")  # a line per request, with its id and duration
        self.API_RATE_LIMIT = env.get("API_RATE_LIMIT", "600 per minute")  # per API key
        self.API_FAILED_AUTH_LIMIT = env.get("API_FAILED_AUTH_LIMIT", "30 per minute")  # refused keys, per address
        self.LOCKOUT_THRESHOLD = _int(env, "LOCKOUT_THRESHOLD", 5)
        self.LOCKOUT_MINUTES = _int(env, "LOCKOUT_MINUTES", 15)
        self.INVITATION_VALID_HOURS = _int(env, "INVITATION_VALID_HOURS", 7 * 24)
        self.PASSWORD_RESET_VALID_MINUTES = _int(env, "PASSWORD_RESET_VALID_MINUTES", 60)
        # HTTP and cookies.
        self.MAX_CONTENT_LENGTH = _int(env, "MAX_CONTENT_LENGTH", 1024 * 1024)
        self.FORCE_HTTPS = _flag(env, "FORCE_HTTPS", False)
        self.PROXY_FIX_X_FOR = _int(env, "PROXY_FIX_X_FOR", 0)
        self.SESSION_COOKIE_SECURE = _flag(env, "SESSION_COOKIE_SECURE", True)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_NAME = "accreditation_session"
        self.PERMANENT_SESSION_LIFETIME = _int(env, "SESSION_LIFETIME_MINUTES", 8 * 60) * 60
        self.WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session: no lost answers
        self.DEMO_PASSWORD = env.get("DEMO_PASSWORD", "kss-demo-accreditation")
        # seed-demo adds a past window of this many simulated candidates (0: none) for the quality report.
        self.DEMO_SIMULATED_CANDIDATES = _int(env, "DEMO_SIMULATED_CANDIDATES", 1000)


class TestConfig(Config):
    """For the test suite: its own database, fast password hashing, no real mail."""

    __test__ = False  # not a pytest test class

    TESTING = True
    PASSWORD_HASH_PROFILE = "fast"

    def __init__(self, instance_path, environ=None):
        env = dict(os.environ if environ is None else environ)
        env.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
        env["DATABASE_URL"] = env.get("TEST_DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'test.sqlite3'}"
        env.pop("MAIL_SERVER", None)
        env.setdefault("RATELIMIT_STORAGE_URI", "memory://")
        env.setdefault("DEMO_SIMULATED_CANDIDATES", "40")
        env.setdefault("TWO_FACTOR_ROLES", "")  # the two-factor tests turn it on; other tests sign in with a password only
        super().__init__(instance_path, env)
