"""The application factory."""

from functools import cache
from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from app import db
from app.config import Config
from app.sessions import ThrottledRefreshSessionInterface

PROJECT_ROOT = Path(__file__).resolve().parent.parent

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def create_app(config=None) -> Flask:
    """Build the app. `config` may be None (read the environment), a Config class or an instance."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"))
    if config is None or isinstance(config, type):
        config = (config or Config)(app.instance_path)
    app.config.from_object(config)
    app.session_interface = ThrottledRefreshSessionInterface()
    from app.observability import configure_logging

    configure_logging(app)
    register_extensions(app)
    register_templates(app)
    register_blueprints(app)
    register_cli(app)
    register_errorhandlers(app)
    from app.accounts.permissions import check_every_view_is_guarded

    check_every_view_is_guarded(app)
    return app


def register_extensions(app: Flask) -> None:
    from app.extensions import csrf, limiter, login_manager, talisman

    db.init_app(app)
    from app.audit import chain  # noqa: F401  (every audit event is chained as it is flushed)
    csrf.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    if app.config["PROXY_FIX_X_FOR"]:
        count = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


@cache
def _user_with_roles():
    """Built once: every signed-in request runs this one query (the user and their roles)."""
    from sqlalchemy import bindparam
    from sqlalchemy.orm import joinedload
    from sqlmodel import select

    from app.models import User

    return select(User).options(joinedload(User.memberships)).where(User.id == bindparam("user_id"))


def _load_user(user_id: str):
    ident, _, version = user_id.partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.get_session().exec(_user_with_roles(), params={"user_id": int(ident)}).unique().first()
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def register_templates(app: Flask) -> None:
    from flask_login import current_user
    from govuk_frontend_wtf.main import WTFormsHelpers

    from app.accounts.navigation import navigation_for

    app.jinja_loader = ChoiceLoader([
        PackageLoader("app"),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    @app.context_processor
    def service_context():
        return {
            "service_name": app.config["SERVICE_NAME"],
            "govuk_branding": app.config["GOVUK_BRANDING"],
            "navigation": navigation_for(current_user),
        }

    from app.models import Role

    app.jinja_env.globals["Role"] = Role

    from app.templating import register_filters

    register_filters(app)


def register_blueprints(app: Flask) -> None:
    from app.accounts.routes import bp as accounts_bp
    from app.accreditation.routes import bp as certificates_bp
    from app.admin.routes import bp as admin_bp
    from app.api.routes import bp as api_bp
    from app.bank.routes import bp as bank_bp
    from app.employers.routes import bp as employers_bp
    from app.exams.routes import bp as exams_bp
    from app.exams.sitting_routes import bp as sitting_bp
    from app.home.routes import bp as home_bp
    from app.practice.routes import bp as practice_bp
    from app.quality.routes import bp as quality_bp
    from app.standards.routes import bp as standards_bp

    for blueprint in (home_bp, accounts_bp, admin_bp, employers_bp, bank_bp, exams_bp, sitting_bp, standards_bp, quality_bp, practice_bp, certificates_bp, api_bp):
        app.register_blueprint(blueprint)


def register_cli(app: Flask) -> None:
    from app.cli import register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register

    register(app)
