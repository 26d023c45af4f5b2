"""Administrators: invite people, manage roles and organisations, read the audit log and outbox."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from app.accounts import services as accounts
from app.accounts.errors import AccountError
from app.accounts.permissions import acting_user, roles_required
from app.accounts.routes import invitation_link
from app.admin.forms import InviteUserForm, OrganisationForm, RolesForm
from app.admin.queries import dashboard_counts, list_outbox, list_users
from app.audit import list_events
from app.db import get_session
from app.employers import services as employers
from app.employers.insight import coverage, workforce_insight
from app.forms import ButtonForm
from app.mail import deliver_queued
from app.models import Organisation, OrganisationKind, OutboxMessage, Role, User
from app.models.types import utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = roles_required(Role.ADMINISTRATOR)


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _get_or_404(model, ident):
    return get_session().get(model, ident) or abort(404)


@bp.route("/")
@admin_only
def home():
    return render_template("admin/home.html", counts=dashboard_counts(get_session()))


@bp.route("/users")
@admin_only
def users():
    role = request.args.get("role", "")
    role = Role(role) if role in {r.value for r in Role} else None
    query = request.args.get("q", "").strip()[:100]
    rows, total = list_users(get_session(), role=role, text=query, page=_page())
    return render_template("admin/users.html", users=rows, total=total, page=_page(), role=role, q=query, roles=list(Role))


@bp.route("/users/invite", methods=["GET", "POST"])
@admin_only
def invite_user():
    db = get_session()
    form = InviteUserForm(organisations=db.exec(select(Organisation).order_by(Organisation.name)).all())
    if form.validate_on_submit():
        organisation = db.get(Organisation, int(form.organisation.data)) if form.organisation.data else None
        try:
            user = accounts.invite_user(
                db, actor=acting_user(), name=form.name.data, email=form.email.data, roles=form.roles.roles,
                organisation=organisation, swe_number=form.swe_number.data,
                policy=accounts.AccountPolicy.from_config(current_app.config), link_for=invitation_link,
            )
        except AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.commit()
            deliver_queued(db)
            flash(f"Invitation sent to {user.email}.", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/invite_user.html", form=form)


@bp.route("/users/<int:user_id>")
@admin_only
def user(user_id):
    person = _get_or_404(User, user_id)
    roles_form = RolesForm(data={"roles": sorted(role.value for role in person.roles)})
    events, _total = list_events(get_session(), page=1, per_page=20, object_type="user_account", object_id=person.id)
    return render_template("admin/user.html", person=person, roles_form=roles_form, button=ButtonForm(), events=events)


@bp.route("/users/<int:user_id>/subject-access.<any(json, pdf):fmt>")
@admin_only
def subject_access(user_id, fmt):
    """A subject access export of one person, as JSON or a readable PDF; audited."""
    import json

    from flask import Response, current_app

    from app.accounts.subject_access import export_json, export_pdf
    from app.audit import record_event

    db = get_session()
    person = _get_or_404(User, user_id)
    document = export_json(db, person, service=current_app.config["SERVICE_NAME"])
    record_event(db, actor=acting_user(), action="subject_access.exported", obj=person, format=fmt)
    db.commit()
    name = f"subject-access-{person.id}-{document['exported_at'][:10]}.{fmt}"
    body, mimetype = (json.dumps(document, indent=2, ensure_ascii=False), "application/json") if fmt == "json" else (export_pdf(document), "application/pdf")
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@admin_only
def reset_two_factor(user_id):
    """For someone who lost their authenticator and recovery codes, once their identity is checked:
    they set two-factor sign-in up again at their next sign-in. Audited."""
    from app.accounts import two_factor as tf

    db = get_session()
    person = _get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        tf.disable(db, user=person, actor=acting_user(), required=False)
    except tf.TwoFactorError as error:
        flash(error.message, "info")
    else:
        person.session_version += 1  # their current sessions end too
        db.commit()
        flash(f"Two-factor sign-in for {person.name} is reset. They set it up again when they next sign in.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@admin_only
def user_roles(user_id):
    person = _get_or_404(User, user_id)
    form = RolesForm()
    if not form.validate_on_submit():
        events, _total = list_events(get_session(), page=1, per_page=20, object_type="user_account", object_id=person.id)
        return render_template("admin/user.html", person=person, roles_form=form, button=ButtonForm(), events=events), 400
    db = get_session()
    accounts.set_roles(db, actor=acting_user(), user=person, roles=form.roles.roles)
    db.commit()
    flash(f"Roles saved for {person.name}.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_only
def user_active(user_id):
    person = _get_or_404(User, user_id)
    if person.id == current_user.id or not ButtonForm().validate_on_submit():
        abort(400)
    db = get_session()
    accounts.set_active(db, actor=acting_user(), user=person, active=not person.active)
    db.commit()
    flash(f"{person.name}'s account is now {'active' if person.active else 'deactivated'}.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
@admin_only
def resend_invitation(user_id):
    person = _get_or_404(User, user_id)
    if person.has_password or not person.active or not ButtonForm().validate_on_submit():
        abort(400)
    db = get_session()
    accounts.send_invitation(db, actor=acting_user(), user=person,
                             policy=accounts.AccountPolicy.from_config(current_app.config), link_for=invitation_link)
    db.commit()
    deliver_queued(db)
    flash(f"A new invitation has been sent to {person.email}. Earlier links no longer work.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/organisations")
@admin_only
def organisations():
    return render_template("admin/organisations.html", rows=employers.list_organisations(get_session()))


@bp.route("/organisations/new", methods=["GET", "POST"])
@admin_only
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            organisation = employers.create_organisation(db, actor=acting_user(), name=form.name.data,
                                                         kind=OrganisationKind(form.kind.data))
        except AccountError as error:
            form.name.errors.append(error.message)
        else:
            db.commit()
            flash(f"{organisation.name} has been added.", "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template("admin/new_organisation.html", form=form)


@bp.route("/organisations/<int:organisation_id>")
@admin_only
def organisation(organisation_id):
    org = _get_or_404(Organisation, organisation_id)
    return render_template("admin/organisation.html", organisation=org, staff=employers.staff_of(get_session(), org))


@bp.route("/workforce")
@admin_only
def workforce():
    """The national view: accreditation coverage by organisation and tier, and the KSS heat map of everyone."""
    db = get_session()
    return render_template("admin/workforce.html", insight=workforce_insight(db, organisation=None), coverage=coverage(db, now=utcnow()))


@bp.route("/audit")
@admin_only
def audit():
    events, total = list_events(get_session(), page=_page())
    actors = {user.id: user for user in get_session().exec(
        select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id})))}
    return render_template("admin/audit.html", events=events, actors=actors, total=total, page=_page())


@bp.route("/outbox")
@admin_only
def outbox():
    messages, total = list_outbox(get_session(), page=_page())
    return render_template("admin/outbox.html", messages=messages, total=total, page=_page())


@bp.route("/outbox/<int:message_id>")
@admin_only
def outbox_message(message_id):
    return render_template("admin/outbox_message.html", message=_get_or_404(OutboxMessage, message_id))
