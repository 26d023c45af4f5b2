"""Two-factor sign-in pages: the code after the password, setting up an authenticator, recovery
codes, turning it off, and the guard that sends people whose role requires it to set it up.
Registered on the accounts blueprint."""

import time
from io import BytesIO

import segno
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from app.accounts import two_factor as tf
from app.accounts.forms import TwoFactorCodeForm, TwoFactorSetupForm
from app.accounts.navigation import home_endpoint
from app.accounts.permissions import acting_user, public, signed_in
from app.accounts.routes import _safe_next, _sign_in_limit, bp
from app.db import get_session
from app.extensions import limiter
from app.forms import ButtonForm
from app.models import User
from app.models.types import utcnow

PENDING_SECONDS = 300  # the code must follow the password within five minutes
ALWAYS_ALLOWED = {"accounts.two_factor", "accounts.sign_out", "static", "home.healthz", "home.readyz"}


def _roles() -> set[str]:
    return tf.roles_from_config(current_app.config["TWO_FACTOR_ROLES"])


def begin_second_step(user: User, next_target: str | None):
    """After a correct password: remember who, briefly, and ask for the code."""
    session.clear()
    session["two_factor_pending"] = {"user_id": user.id, "version": user.session_version, "at": time.time(), "next": next_target}
    return redirect(url_for("accounts.sign_in_code"))


def complete_sign_in(user: User, next_target: str | None, *, second_factor: bool):
    session.clear()  # a fresh session at sign-in: nothing carried over from before
    login_user(user)
    session.permanent = True
    session["two_factor_ok"] = second_factor
    return redirect(_safe_next(next_target) or url_for(home_endpoint(user)))


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in_code():
    pending = session.get("two_factor_pending")
    db = get_session()
    user = db.get(User, pending["user_id"]) if pending else None
    if user is None or time.time() - pending["at"] > PENDING_SECONDS or not user.active or user.session_version != pending["version"]:
        session.pop("two_factor_pending", None)
        flash("Sign in again: the code must be entered within 5 minutes of your password.", "info")
        return redirect(url_for("accounts.sign_in"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        try:
            kind = tf.verify(db, user=user, code=form.code.data, service_secret=current_app.config["SECRET_KEY"], now=utcnow())
        except tf.TwoFactorError as error:
            form.code.errors.append(error.message)
        else:
            db.commit()
            response = complete_sign_in(user, pending["next"], second_factor=True)  # clears the session: flash after it
            if kind == "recovery code":
                left = tf.unused_recovery_codes(db, user)
                flash(f"You used a recovery code. You have {left} left: get new ones from your account page.", "info")
            return response
    return render_template("accounts/sign_in_code.html", form=form), 400 if form.errors else 200


@bp.route("/two-factor", methods=["GET", "POST"])
@signed_in
def two_factor():
    """Set up an authenticator (with its QR code), or, when on, manage recovery codes and turning it off."""
    db, user, secret_key = get_session(), acting_user(), current_app.config["SECRET_KEY"]
    required = tf.required_for(user, _roles())
    if tf.enabled(db, user):
        return render_template("accounts/two_factor.html", enabled=True, required=required, button=ButtonForm(),
                               unused=tf.unused_recovery_codes(db, user))
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        try:
            codes = tf.confirm_setup(db, user=user, code=form.code.data, service_secret=secret_key, now=utcnow())
        except tf.TwoFactorError as error:
            form.code.errors.append(error.message)
        else:
            db.commit()
            session["two_factor_ok"] = True
            return render_template("accounts/recovery_codes.html", codes=codes), 200, {"Cache-Control": "no-store"}
    secret = tf.setup_secret(db, user=user, service_secret=secret_key)
    db.commit()
    uri = tf.pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=tf.ISSUER_NAME)
    qr = BytesIO()
    segno.make(uri, error="m").save(qr, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title="QR code to add this account to an authenticator app")
    return render_template("accounts/two_factor.html", enabled=False, required=required, form=form, secret=secret,
                           qr=qr.getvalue().decode()), (400 if form.errors else 200), {"Cache-Control": "no-store"}


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@signed_in
def two_factor_recovery_codes():
    db, user = get_session(), acting_user()
    if not ButtonForm().validate_on_submit() or not tf.enabled(db, user):
        abort(400)
    codes = tf.new_recovery_codes(db, user=user)
    db.commit()
    return render_template("accounts/recovery_codes.html", codes=codes), 200, {"Cache-Control": "no-store"}


@bp.route("/two-factor/off", methods=["POST"])
@signed_in
def two_factor_off():
    db, user = get_session(), acting_user()
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        tf.disable(db, user=user, actor=user, required=tf.required_for(user, _roles()))
    except tf.TwoFactorError as error:
        flash(error.message, "info")
    else:
        db.commit()
        flash("Two-factor sign-in is off. You can turn it on again at any time.", "success")
    return redirect(url_for("accounts.two_factor"))


def require_two_factor():
    """Before every request: someone whose role needs two-factor sign-in and who has not used it in
    this session may only set it up (or sign out)."""
    if not current_user.is_authenticated or request.endpoint in ALWAYS_ALLOWED or session.get("two_factor_ok"):
        return None
    if not tf.required_for(current_user, _roles()):
        return None
    if request.blueprint == "api":
        return None
    flash("Your role needs two-factor sign-in. Set it up to continue.", "info")
    return redirect(url_for("accounts.two_factor"))
