import os
import stat

import pytest

from app.config import Config


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = Config(tmp_path, environ={})
    second = Config(tmp_path, environ={})
    assert first.SECRET_KEY == second.SECRET_KEY and len(first.SECRET_KEY) == 64
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_environment_overrides_defaults(tmp_path):
    config = Config(tmp_path, environ={"SECRET_KEY": "from-env", "DATABASE_URL": "postgresql+psycopg://db/x",
                                       "MAIL_SERVER": "smtp.example.org", "MAIL_PORT": "587", "GOVUK_BRANDING": "yes",
                                       "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    assert config.SECRET_KEY == "from-env" and config.DATABASE_URL == "postgresql+psycopg://db/x"
    assert (config.MAIL_SERVER, config.MAIL_PORT, config.GOVUK_BRANDING) == ("smtp.example.org", 587, True)
    assert config.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"
    assert not (tmp_path / "secret_key").exists()


def test_safe_defaults(tmp_path):
    config = Config(tmp_path, environ={})
    assert config.DATABASE_URL == f"sqlite:///{tmp_path / 'accreditation.sqlite3'}"
    assert config.SESSION_COOKIE_SECURE and config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"
    assert config.MAIL_SERVER == "" and config.RATELIMIT_STORAGE_URI == "memory://"
    assert config.PASSWORD_HASH_PROFILE == "default"


def test_a_view_that_is_neither_public_nor_guarded_is_refused():
    from flask import Flask

    from app.accounts.permissions import check_every_view_is_guarded, public, signed_in

    app = Flask(__name__)
    app.add_url_rule("/open", "open", public(lambda: "ok"))
    app.add_url_rule("/mine", "mine", signed_in(lambda: "ok"))
    check_every_view_is_guarded(app)
    app.add_url_rule("/forgotten", "forgotten", lambda: "oops")
    with pytest.raises(RuntimeError, match="Views neither @public nor guarded: forgotten"):
        check_every_view_is_guarded(app)
