"""The employer's view of their organisation: its staff, and inviting candidates."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlmodel import select

from app.accounts import services as accounts
from app.accounts.errors import AccountError
from app.accounts.permissions import acting_user, can_invite_candidates, roles_required
from app.accounts.routes import invitation_link
from app.db import get_session
from app.employers.forms import InviteCandidateForm
from app.employers.insight import workforce_insight
from app.exams import services as exams
from app.exams.forms import EndorseForm, WithdrawForm
from app.exams.permissions import can_endorse
from app.mail import deliver_queued
from app.models import Endorsement, Role, Tier, User

bp = Blueprint("employers", __name__, url_prefix="/employer")


@bp.route("/")
@roles_required(Role.EMPLOYER)
def home():
    from datetime import timedelta

    from app.employers.services import organisation_certificates, workforce_progress
    from app.models.types import utcnow

    organisation = current_user.organisation
    now = utcnow()
    staff = workforce_progress(get_session(), organisation, now) if organisation else []
    held = organisation_certificates(get_session(), organisation) if organisation else []
    current = [(c, u) for c, u in held if c.current_status(now) != "superseded"]
    ending = [(c, u) for c, u in current if c.current_status(now) == "valid" and c.expires_at <= now + timedelta(days=90)]
    return render_template("employers/home.html", organisation=organisation, staff=staff, certificates=current, ending=ending, now=now)


@bp.route("/accreditations.csv")
@roles_required(Role.EMPLOYER)
def accreditations_csv():
    """The organisation's accreditations as CSV: holder, registration number, tier, certificate, status, dates."""
    from flask import Response

    from app.employers.services import organisation_certificates
    from app.models.types import utcnow
    from app.quality.reports import to_csv

    organisation = current_user.organisation or abort(404)
    now = utcnow()
    rows = [[u.name, c.registration_number or "", c.tier.name, c.code, c.current_status(now), f"{c.issued_at:%Y-%m-%d}",
             f"{c.expires_at:%Y-%m-%d}"] for c, u in organisation_certificates(get_session(), organisation)]
    body = to_csv(["name", "registration_number", "tier", "certificate", "status", "issued", "valid_until"], rows)
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="accreditations.csv"'})


@bp.route("/insight")
@roles_required(Role.EMPLOYER)
def insight():
    """The KSS heat map of the organisation's staff who share their detailed results with it."""
    organisation = current_user.organisation or abort(404)
    found = workforce_insight(get_session(), organisation=organisation)
    return render_template("employers/insight.html", organisation=organisation, insight=found)


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


def _staff_member_or_404(user_id):
    member = get_session().get(User, user_id)
    if member is None:
        abort(404)
    if not can_endorse(current_user, member):
        abort(403)
    return member


@bp.route("/staff/<int:user_id>")
@roles_required(Role.EMPLOYER)
def staff_member(user_id):
    member = _staff_member_or_404(user_id)
    endorsements = get_session().exec(select(Endorsement).where(Endorsement.candidate_id == member.id)
                                      .order_by(Endorsement.created_at.desc())).all()
    return render_template("employers/staff_member.html", member=member, endorsements=endorsements, withdraw_form=WithdrawForm(),
                           **_results_of(member))


def _results_of(member) -> dict:
    from app.employers.consent import shares_results
    from app.employers.services import released_results

    shares = shares_results(get_session(), member)
    return {"shares_results": shares, "results": released_results(get_session(), member) if shares else []}


@bp.route("/staff/<int:user_id>/endorse", methods=["GET", "POST"])
@roles_required(Role.EMPLOYER)
def endorse(user_id):
    member = _staff_member_or_404(user_id)
    db = get_session()
    tiers = db.exec(select(Tier).order_by(Tier.position)).all()
    form = EndorseForm(tiers=tiers)
    if form.validate_on_submit():
        tier = next(t for t in tiers if t.code == form.tier.data)
        try:
            exams.endorse(db, actor=acting_user(), candidate=member, tier=tier, statement=form.statement.data)
        except AccountError as error:
            form.tier.errors.append(error.message)
        else:
            db.commit()
            flash(f"{member.name} is endorsed for {tier.name}. They can now book an assessment.", "success")
            return redirect(url_for("employers.staff_member", user_id=member.id))
    return render_template("employers/endorse.html", form=form, member=member, tiers=tiers)


@bp.route("/endorsements/<int:endorsement_id>/withdraw", methods=["POST"])
@roles_required(Role.EMPLOYER)
def withdraw_endorsement(endorsement_id):
    db = get_session()
    endorsement = db.get(Endorsement, endorsement_id) or abort(404)
    member = _staff_member_or_404(endorsement.candidate_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            exams.withdraw(db, actor=acting_user(), endorsement=endorsement, reason=form.reason.data)
        except AccountError as error:
            form.reason.errors.append(error.message)
        else:
            db.commit()
            flash(f"Endorsement for {endorsement.tier.name} withdrawn.", "success")
            return redirect(url_for("employers.staff_member", user_id=member.id))
    endorsements = db.exec(select(Endorsement).where(Endorsement.candidate_id == member.id)).all()
    return render_template("employers/staff_member.html", member=member, endorsements=endorsements, withdraw_form=form,
                           **_results_of(member)), 400


from app.employers import api_key_routes  # noqa: E402,F401  (registers the API key pages on bp)
