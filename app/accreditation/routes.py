"""Certificates on the web: the issuer's public keys, profile and status lists (public, cacheable);
candidates' downloads; administrators' issuing, revoking, suspending and reissuing; and the page the
certificate's QR code opens."""

import json
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from sqlmodel import select

from app.accounts.permissions import acting_user, public, roles_required
from app.accreditation import services
from app.accreditation.credential import issuer_id, okp_key, sign, status_list_credential
from app.accreditation.keys import load_keys
from app.db import get_session
from app.forms import ButtonForm
from app.models import Certificate, CertificateStatus, Role, Tier, User
from app.models.types import utcnow

bp = Blueprint("certificates", __name__)


def base_url() -> str:
    return current_app.config.get("BASE_URL") or request.host_url.rstrip("/")


def issuer_name() -> str:
    return current_app.config["ISSUING_BODY"]


# Public -----------------------------------------------------------------------------------------------------

@bp.route("/.well-known/jwks.json")
@public
def jwks():
    keys = load_keys(current_app.config)
    response = Response(json.dumps({"keys": [keys.public_jwk(issuer_id(base_url()))]}), mimetype="application/jwk-set+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/issuer")
@public
def issuer():
    """The Open Badges issuer profile."""
    jwk = load_keys(current_app.config).public_jwk(issuer_id(base_url()))
    profile = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
               "id": issuer_id(base_url()), "type": ["Profile"], "name": issuer_name(), "url": base_url(),
               "description": "Accredits child and family social workers in England against the Knowledge and Skills Statements.",
               "verificationMethod": [{"id": jwk["kid"], "type": "JsonWebKey", "controller": issuer_id(base_url()),
                                       "publicKeyJwk": jwk}]}
    return Response(json.dumps(profile), mimetype="application/ld+json")


@bp.route("/status/<purpose>")
@public
def status_list(purpose):
    """The Bitstring Status List credential for revocation or suspension, as a VC-JWT. Cached for a
    minute at most, so a change reaches verifiers quickly."""
    if purpose not in ("revocation", "suspension"):
        abort(404)
    now = utcnow()
    document = status_list_credential(base_url(), issuer_name(), purpose, services.status_indexes(get_session(), purpose), now)
    token = sign(document, okp_key(load_keys(current_app.config).credential_key, issuer_id(base_url())), subject=document["id"], not_before=now,
                 expires=now + timedelta(days=365))
    response = Response(token, mimetype="application/vc+jwt")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


# Candidates ---------------------------------------------------------------------------------------------------

def _own(code) -> Certificate:
    certificate = get_session().exec(select(Certificate).where(Certificate.code == code)).first() or abort(404)
    if certificate.candidate_id != acting_user().id:
        abort(403)
    return certificate


@bp.route("/candidate/certificates")
@roles_required(Role.CANDIDATE)
def my_certificates():
    db = get_session()
    rows = db.exec(select(Certificate).where(Certificate.candidate_id == acting_user().id).order_by(Certificate.issued_at.desc())).all()
    return render_template("certificates/mine.html", certificates=rows, now=utcnow())


@bp.route("/candidate/certificates/<code>/checks")
@roles_required(Role.CANDIDATE)
def checks(code):
    """Who checked my certificate."""
    certificate = _own(code)
    return render_template("certificates/checks.html", certificate=certificate, rows=services.lookups_of(get_session(), certificate))


@bp.route("/candidate/certificates/<code>/certificate.pdf")
@roles_required(Role.CANDIDATE)
def download_pdf(code):
    certificate = _own(code)
    return Response(certificate.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="certificate-{certificate.code}.pdf"'})


@bp.route("/candidate/certificates/<code>/credential.jwt")
@roles_required(Role.CANDIDATE)
def download_credential(code):
    certificate = _own(code)
    return Response(certificate.credential_jwt, mimetype="application/vc+jwt",
                    headers={"Content-Disposition": f'attachment; filename="credential-{certificate.code}.jwt"'})


# Administrators -----------------------------------------------------------------------------------------------------

@bp.route("/admin/certificates", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def certificates():
    db = get_session()
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        candidate = db.exec(select(User).where(User.email == request.form.get("email", "").strip().lower())).first()
        tier = db.exec(select(Tier).where(Tier.code == request.form.get("tier", ""))).first()
        if candidate is None or tier is None:
            flash("Enter the email address of a candidate and choose a tier.")
        else:
            try:
                certificate = services.issue(db, candidate=candidate, tier=tier, now=utcnow(), actor=acting_user(),
                                             keys=load_keys(current_app.config), base_url=base_url(), issuer=issuer_name())
            except services.CertificateRefused as error:
                db.rollback()
                flash(error.message)
            else:
                db.commit()
                flash(f"Certificate {certificate.code} issued to {candidate.name}.", "success")
        return redirect(url_for("certificates.certificates"))
    rows = db.exec(select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id.desc())).all()
    return render_template("certificates/admin.html", certificates=rows, now=utcnow(), button=ButtonForm(),
                           tiers=db.exec(select(Tier).order_by(Tier.position)).all())


@bp.route("/admin/certificates/<code>", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def certificate(code):
    db = get_session()
    found = db.exec(select(Certificate).where(Certificate.code == code)).first() or abort(404)
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        action, reason = request.form.get("action", ""), request.form.get("reason", "")
        try:
            if action == "reissue":
                new = services.reissue(db, certificate=found, holder_name=request.form.get("holder_name", ""), reason=reason,
                                       actor=acting_user(), now=utcnow(), keys=load_keys(current_app.config), base_url=base_url(),
                                       issuer=issuer_name())
                db.commit()
                flash(f"Reissued as {new.code}. {found.code} now verifies as superseded.", "success")
                return redirect(url_for("certificates.certificate", code=new.code))
            targets = {"revoke": CertificateStatus.REVOKED, "suspend": CertificateStatus.SUSPENDED, "reinstate": CertificateStatus.VALID}
            if action not in targets:
                abort(400)
            services.change_status(db, certificate=found, to=targets[action], reason=reason, actor=acting_user(), now=utcnow())
        except services.CertificateRefused as error:
            db.rollback()
            flash(error.message)
        else:
            db.commit()
            flash(f"Certificate {found.code} is now {found.status.value}. Every verification route shows it at once.", "success")
        return redirect(url_for("certificates.certificate", code=found.code))
    return render_template("certificates/admin_certificate.html", certificate=found, status=found.current_status(utcnow()),
                           button=ButtonForm(), verify_link=services.verify_url(base_url(), found))


# Appeals ---------------------------------------------------------------------------------------------------------

@bp.route("/candidate/appeals", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def my_appeals():
    from app.accreditation import appeals
    from app.models import Appeal

    db = get_session()
    me = acting_user()
    error, values = None, {}
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        values = request.form
        try:
            appeals.submit(db, candidate=me, choice=request.form.get("result", ""), grounds=request.form.get("grounds", ""), now=utcnow())
        except appeals.AppealRefused as refused:
            db.rollback()
            error = refused.message
        else:
            db.commit()
            from app.mail.services import deliver_queued

            deliver_queued(db)
            flash("Your appeal has been sent. We will email you with the outcome.", "success")
            return redirect(url_for("certificates.my_appeals"))
    rows = db.exec(select(Appeal).where(Appeal.candidate_id == me.id).order_by(Appeal.submitted_at.desc())).all()
    return render_template("certificates/my_appeals.html", appeals=rows, options=appeals.appealable(db, me, utcnow()), error=error,
                           values=values, button=ButtonForm(), policy=services.current_policy(db)), 400 if error else 200


@bp.route("/admin/appeals")
@roles_required(Role.ADMINISTRATOR)
def appeals_list():
    from app.models import Appeal

    rows = get_session().exec(select(Appeal).order_by(Appeal.status, Appeal.submitted_at)).all()
    return render_template("certificates/appeals.html", appeals=rows)


@bp.route("/admin/appeals/<int:appeal_id>", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def appeal(appeal_id):
    from app.accreditation import appeals
    from app.models import Appeal, AppealRemedy, Attempt, PracticeSitting

    db = get_session()
    found = db.get(Appeal, appeal_id) or abort(404)
    error = None
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        outcome = request.form.get("outcome", "")
        choices = {"remark": (True, AppealRemedy.REMARK), "void": (True, AppealRemedy.VOID), "not_upheld": (False, None)}
        try:
            if outcome not in choices:
                raise appeals.AppealRefused("Choose the outcome of the appeal")
            upheld, remedy = choices[outcome]
            appeals.decide(db, appeal=found, upheld=upheld, remedy=remedy, rationale=request.form.get("rationale", ""), actor=acting_user(),
                           now=utcnow())
        except appeals.AppealRefused as refused:
            db.rollback()
            error = refused.message
        else:
            db.commit()
            from app.mail.services import deliver_queued

            deliver_queued(db)
            flash("Decision recorded. The candidate has been sent the outcome and your reasons.", "success")
            return redirect(url_for("certificates.appeals_list"))
    result = db.get(Attempt, found.attempt_id) if found.attempt_id else db.get(PracticeSitting, found.practice_sitting_id)
    return render_template("certificates/appeal.html", appeal=found, result=result, error=error, button=ButtonForm(),
                           values=request.form), 400 if error else 200


# Policy and decisions ---------------------------------------------------------------------------------------------

@bp.route("/admin/accreditation-policy", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def policy():
    from app.accreditation.rules import Policy

    db = get_session()
    current = services.current_policy(db)
    error = None
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        try:
            values = Policy(*(int(request.form.get(name, "")) for name in ("pass_valid_months", "resit_interval_months", "appeal_days",
                                                                              "validity_years")))
        except ValueError as problem:
            error = _policy_message(str(problem))
        else:
            services.save_policy(db, values=values, actor=acting_user())
            db.commit()
            flash("Accreditation policy saved. It applies to decisions, resits and appeals from now on.", "success")
            return redirect(url_for("certificates.policy"))
    return render_template("certificates/policy.html", policy=current, error=error, values=request.form), 400 if error else 200


def _policy_message(problem: str) -> str:
    names = {"pass_valid_months": "How long a pass counts", "resit_interval_months": "The time before a resit",
             "appeal_days": "The appeal period", "validity_years": "How long accreditation lasts"}
    for name, label in names.items():
        if problem.startswith(name):
            return f"{label}: {problem[len(name) + 1:]}"
    return "Enter each setting as a whole number"


@bp.route("/admin/windows/<int:window_id>/decisions", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def decisions(window_id):
    from app.models import AssessmentWindow, Booking

    db = get_session()
    window = db.get(AssessmentWindow, window_id) or abort(404)
    now = utcnow()
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        issued, held, not_yet = services.issue_for_window(db, window=window, now=now, actor=acting_user(), keys=load_keys(current_app.config),
                                                          base_url=base_url(), issuer=issuer_name())
        db.commit()
        flash(f"Decisions confirmed: {issued} certificate(s) issued, {held} already held, {len(not_yet)} not yet accredited.", "success")
        return redirect(url_for("certificates.decisions", window_id=window.id))
    candidates = db.exec(select(User).join(Booking, Booking.candidate_id == User.id).where(Booking.window_id == window.id)
                         .distinct().order_by(User.name)).all()
    ids = [c.id for c in candidates]
    decided, certificates = services.evidence_for(db, ids, window.tier, now), services.current_certificates(db, ids, window.tier, now)
    rows = [(c, decided[c.id], certificates.get(c.id)) for c in candidates]
    return render_template("certificates/decisions.html", window=window, rows=rows, button=ButtonForm())


# Share links ---------------------------------------------------------------------------------------------------------

@bp.route("/candidate/certificates/<code>/share", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def share(code):
    from app.models import ShareLink

    db = get_session()
    certificate = _own(code)
    error, new_link = None, None
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        try:
            if request.form.get("revoke"):
                link = db.get(ShareLink, int(request.form["revoke"])) if request.form["revoke"].isdigit() else None
                if link is None or link.certificate_id != certificate.id:
                    abort(404)
                services.revoke_share_link(db, link=link, holder=acting_user(), now=utcnow())
                db.commit()
                flash(f"The link for {link.label} no longer works.", "success")
                return redirect(url_for("certificates.share", code=code))
            days = int(request.form.get("days", "0")) if request.form.get("days", "").isdigit() else 0
            token = services.create_share_link(db, certificate=certificate, holder=acting_user(), label=request.form.get("label", ""),
                                               days=days, now=utcnow())
        except services.CertificateRefused as refused:
            db.rollback()
            error = refused.message
        else:
            db.commit()
            new_link = base_url() + url_for("certificates.shared_status", token=token)
    links = db.exec(select(ShareLink).where(ShareLink.certificate_id == certificate.id).order_by(ShareLink.created_at.desc())).all()
    return render_template("certificates/share.html", certificate=certificate, links=links, error=error, new_link=new_link,
                           button=ButtonForm(), now=utcnow(), days=services.SHARE_DAYS, values=request.form), 400 if error else 200


from app.accreditation import verify_routes  # noqa: E402,F401  (registers the checking pages on bp)
