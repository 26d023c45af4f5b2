"""The employer's view of their organisation: its staff, and inviting candidates."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts import services as accounts
from app.accounts.errors import AccountError
from app.accounts.permissions import acting_user, can_invite_candidates, roles_required
from app.accounts.routes import invitation_link
from app.db import get_session
from app.employers.forms import InviteCandidateForm
from app.employers.services import staff_of
from app.mail import deliver_queued
from app.models import Role

bp = Blueprint("employers", __name__, url_prefix="/employer")


@bp.route("/")
@roles_required(Role.EMPLOYER)
def home():
    organisation = current_user.organisation
    staff = staff_of(get_session(), organisation) if organisation else []
    return render_template("employers/home.html", organisation=organisation, staff=staff)


@bp.route("/invite", methods=["GET", "POST"])
@roles_required(Role.EMPLOYER)
def invite_candidate():
    if not can_invite_candidates(current_user):
        abort(403)
    form = InviteCandidateForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            user = accounts.invite_user(
                db, actor=acting_user(), name=form.name.data, email=form.email.data, roles=[Role.CANDIDATE],
                organisation=acting_user().organisation, swe_number=form.swe_number.data,
                policy=accounts.AccountPolicy.from_config(current_app.config),
                link_for=invitation_link,
            )
        except AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.commit()
            deliver_queued(db)
            flash(f"Invitation sent to {user.name} at {user.email}.", "success")
            return redirect(url_for("employers.home"))
    return render_template("employers/invite.html", form=form)
