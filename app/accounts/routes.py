"""Sign in and out, set a password from an invitation, reset a forgotten password."""

import re
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from app.accounts import services
from app.accounts.errors import AccountError, LinkNotUsable
from app.accounts.forms import ChoosePasswordForm, PasswordResetRequestForm, SignInForm
from app.accounts.navigation import home_endpoint
from app.accounts.permissions import acting_user, public, signed_in
from app.db import get_session
from app.extensions import limiter
from app.mail import deliver_queued
from app.models import TokenPurpose

bp = Blueprint("accounts", __name__, url_prefix="/account")


def invitation_link(secret: str) -> str:
    """The absolute address of the page where an invitation link's secret is redeemed."""
    return url_for("accounts.set_password", secret=secret, _external=True)


def _policy():
    return services.AccountPolicy.from_config(current_app.config)


def _sign_in_limit():
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _safe_next(target):
    """Only a path on this site may follow sign-in (no open redirects). Browsers read a backslash as
    a slash and drop tabs and newlines, so `/\\evil.example` would take them to //evil.example: a
    target with either, or any other control character or space, is refused."""
    if not target or re.search(r"[\\\x00-\x20\x7f]", target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = SignInForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            user = services.authenticate(db, email=form.email.data, password=form.password.data, policy=_policy())
        except AccountError as error:
            db.commit()  # keep the failure count and any lock
            form.email.errors = [*form.email.errors, error.message]
        else:
            db.commit()
            from app.accounts import two_factor
            from app.accounts.two_factor_routes import begin_second_step, complete_sign_in

            if two_factor.enabled(db, user):
                return begin_second_step(user, request.args.get("next"))
            return complete_sign_in(user, request.args.get("next"), second_factor=False)
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    db = get_session()
    services.record_sign_out(db, user=acting_user())
    db.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/set-password/<secret>", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def set_password(secret):
    return _choose_password(secret, TokenPurpose.INVITATION, "accounts/set_password.html")


@bp.route("/reset-password/<secret>", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def reset_password(secret):
    return _choose_password(secret, TokenPurpose.PASSWORD_RESET, "accounts/reset_password.html")


def _choose_password(secret, purpose, template):
    db = get_session()
    try:
        token = services.check_link(db, secret=secret, purpose=purpose)
    except LinkNotUsable as problem:
        status = 404 if problem.reason == "unknown" else 410
        return render_template("accounts/link_problem.html", problem=problem, purpose=purpose.value), status
    form = ChoosePasswordForm(user=token.user)
    if form.validate_on_submit():
        services.redeem_link(db, secret=secret, purpose=purpose, password=form.password.data, policy=_policy())
        db.commit()
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash("Your password has been saved. You can now sign in.", "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template(template, form=form, user=token.user)


@bp.route("/forgotten-password", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def forgotten_password():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        db = get_session()
        services.request_password_reset(
            db, email=form.email.data, policy=_policy(),
            link_for=lambda secret: url_for("accounts.reset_password", secret=secret, _external=True),
        )
        db.commit()
        deliver_queued(db)
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgotten_password.html", form=form)


@bp.route("/")
@signed_in
def account():
    return render_template("accounts/account.html", user=acting_user())


from app.accounts import two_factor_routes  # noqa: E402  (registers the two-factor pages on bp)

bp.before_app_request(two_factor_routes.require_two_factor)
