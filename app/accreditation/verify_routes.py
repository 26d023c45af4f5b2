"""Checking a certificate on the web: by id and surname, by the QR code's link, by a share link, by
uploading its PDF, and in bulk from a CSV file. Every check is logged for the holder to see.
Registered on the certificates blueprint."""

import secrets

from flask import Response, abort, current_app, render_template, request
from sqlmodel import select

from app.accounts.permissions import public, roles_required
from app.accreditation import services
from app.accreditation.bulk import surname_matches
from app.accreditation.ids import CertificateIdError, parse_certificate_id
from app.accreditation.keys import load_keys
from app.accreditation.routes import bp
from app.db import get_session
from app.extensions import limiter
from app.forms import ButtonForm
from app.models import Certificate, Role
from app.models.types import utcnow


def _log(certificate, route: str, outcome: str) -> None:
    """Log a lookup, committed at once: the check happened whatever the page shows next."""
    _log_all([(certificate, outcome)], route)


def _log_all(checks, route: str) -> None:
    from flask_login import current_user

    db = get_session()
    organisation = current_user.organisation_id if current_user.is_authenticated else None
    services.log_lookups(db, checks, route=route, organisation_id=organisation, ip=request.remote_addr or "",
                         secret=current_app.config["SECRET_KEY"], now=utcnow())
    db.commit()


@bp.route("/verify", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"], methods=["POST"])
def verify_form():
    """Check a certificate by its id and the holder's surname: both are needed, so ids cannot be
    tried one after another to find people."""
    error, values = None, request.form
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        surname = request.form.get("surname", "")
        try:
            code = parse_certificate_id(request.form.get("certificate_id", ""))
        except CertificateIdError as problem:
            error = ("certificate_id", str(problem))
            _log(None, "form", "typo")
        else:
            if not surname.strip():
                error = ("surname", "Enter the holder's surname, as it is on the certificate")
            else:
                found = get_session().exec(select(Certificate).options(*services.LOOKUP_OPTIONS).where(Certificate.code == code)).first()
                if found is None or not surname_matches(found.holder_name, surname):
                    error = ("certificate_id", "No certificate matches this id and surname. Check both against the certificate")
                    _log(None, "form", "not_found")  # a wrong surname is not logged against the certificate: it says nothing to its holder
                else:
                    _log(found, "form", found.current_status(utcnow()))
                    return _verified(found)
    return render_template("certificates/verify_form.html", error=error, values=values, button=ButtonForm()), 400 if error else 200


@bp.route("/verify/upload", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"], methods=["POST"])
def verify_upload():
    """Upload a certificate PDF to check that it is genuine, unchanged and current."""
    from app.accreditation.upload_check import check_pdf

    result, error = None, None
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        upload = request.files.get("certificate")
        if upload is None or not upload.filename:
            error = "Choose the certificate PDF to upload"
        else:
            result = check_pdf(get_session(), upload.read(), load_keys(current_app.config), utcnow())
            _log(result.certificate, "upload", result.status or result.verdict)
    return render_template("certificates/verify_upload.html", result=result, error=error, button=ButtonForm()), 400 if error else 200


@bp.route("/verify/bulk", methods=["GET", "POST"])
@roles_required(Role.EMPLOYER, Role.ADMINISTRATOR)
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"], methods=["POST"])
def verify_bulk():
    """Check up to 1,000 certificates from a CSV file, on screen or as a CSV download."""
    from app.accreditation import bulk
    from app.quality.reports import to_csv

    results, error = None, None
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise bulk.BulkRefused("Choose the CSV file to check")
            results = bulk.check_rows(get_session(), bulk.read_rows(upload.read()), utcnow())
        except bulk.BulkRefused as refused:
            error = str(refused)
        else:
            _log_all([(row.certificate, row.status) for row in results], "bulk")
            if request.form.get("as") == "csv":
                body = to_csv(["line", "query", "status", "name", "registration_number", "tier", "valid_until", "message"],
                              [[r.line, r.query, r.status, r.certificate.holder_name if r.certificate else "",
                                r.certificate.registration_number if r.certificate else "", r.certificate.tier.name if r.certificate else "",
                                f"{r.certificate.expires_at:%Y-%m-%d}" if r.certificate else "", r.message] for r in results])
                return Response(body, mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="verification-results.csv"'})
    return render_template("certificates/verify_bulk.html", results=results, error=error, button=ButtonForm(),
                           max_rows=1000), 400 if error else 200


def _verified(certificate: Certificate):
    successor = get_session().get(Certificate, certificate.superseded_by_id) if certificate.superseded_by_id else None
    return render_template("certificates/verify.html", certificate=certificate, status=certificate.current_status(utcnow()),
                           checked_at=utcnow(), successor=successor)


@bp.route("/verify/<code>")
@public
def verify(code):
    """The page the QR code opens: the certificate's status, shown only with its secret token."""
    certificate = get_session().exec(select(Certificate).options(*services.LOOKUP_OPTIONS).where(Certificate.code == code)).first()
    if certificate is None or not secrets.compare_digest(request.args.get("token", "").encode(), certificate.token.encode()):
        _log(None, "qr", "not_found")
        return render_template("certificates/verify_unknown.html"), 404
    _log(certificate, "qr", certificate.current_status(utcnow()))
    return _verified(certificate)



@bp.route("/shared/<token>")
@public
def shared_status(token):
    db = get_session()
    now = utcnow()
    link, certificate = services.shared(db, token, now)
    if link is None:
        return render_template("certificates/share_unknown.html", reason="unknown"), 404
    if not link.usable(now):
        return render_template("certificates/share_unknown.html", reason="revoked" if link.revoked_at else "expired"), 410
    _log(certificate, "share", certificate.current_status(now))  # commits the view count too
    return _verified(certificate)
