"""JSON API v1. Each operation: authenticate the key and its scope, validate the request against
its pydantic model (SpecTree), call the domain, and answer with a validated model. Every error is
an RFC 9457 problem."""

import copy
import json
import time
from datetime import timedelta
from functools import wraps

from flask import Blueprint, current_app, g, render_template, request
from flask_limiter.util import get_remote_address
from limits import parse_many
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecuritySchemeData
from werkzeug.exceptions import HTTPException

from app.accounts.permissions import public
from app.accreditation import services as accreditation
from app.accreditation.bulk import BulkRow, check_rows
from app.accreditation.ids import CertificateIdError, CertificateIdTypo, parse_certificate_id
from app.api import problems, schemas
from app.api.keys import Refusal, authenticate, stamp_use
from app.db import get_session
from app.employers.services import organisation_certificates
from app.extensions import csrf, limiter
from app.models import Certificate
from app.models.types import utcnow

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _reject_invalid(req, resp, error, instance, model_adapter):
    """SpecTree's hook after validating a request: an invalid one becomes a 422 problem."""
    if error is not None:
        raise problems.ApiProblem(422, "The request is not valid: see errors", kind="invalid-request",
                                  errors=problems.validation_errors(error))


spec = SpecTree(
    "flask", mode="strict", before=_reject_invalid, validation_error_status=422,
    validation_error_model=schemas.Problem, path="apidoc", naming_strategy=lambda model: model.__name__,
    title="KSS accreditation API", version="1.0.0", openapi_version="3.1.0",
    description="Check accreditation certificates and list your organisation's accreditations. "
                "Authenticate with an API key from the employer's page: `Authorization: Bearer kss_...`. "
                "Errors are RFC 9457 problem details (`application/problem+json`).",
    security_schemes=[SecurityScheme(name="apiKey", data=SecuritySchemeData(
        type="http", scheme="bearer", description="An API key created on the employer's page (kss_...)"))],
    security={"apiKey": []},
)
PROBLEMS = {f"HTTP_{code}": schemas.Problem for code in (400, 401, 403, 415, 422, 429)}


def operation(scope: str):
    """Authenticate the API key and require `scope`; for a body, require JSON. Runs before SpecTree's
    validation, so a bad key is a 401 whatever the body."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            db, now = get_session(), utcnow()
            key = authenticate(db, request.headers.get("Authorization"), now=now)
            if isinstance(key, Refusal):
                _count_refusal()
                raise problems.ApiProblem(401, key.detail, kind=key.kind, headers={"WWW-Authenticate": 'Bearer realm="api"'})
            _count_use(key)
            if scope not in key.scopes:
                raise problems.ApiProblem(403, f"This key may not use this operation: it needs the '{scope}' scope. "
                                          f"The key has: {', '.join(key.scopes) or 'none'}", kind="insufficient-scope")
            if stamp_use(key, now):
                db.commit()
            if request.method == "POST":
                if request.mimetype != "application/json":
                    raise problems.ApiProblem(415, "Send the body as JSON, with 'Content-Type: application/json'",
                                              kind="unsupported-media-type")
                try:
                    json.loads(request.get_data(cache=True) or b"")
                except ValueError:
                    raise problems.ApiProblem(400, "The body is not valid JSON", kind="invalid-json") from None
            g.api_key = key
            return view(*args, **kwargs)

        guarded.access = ("api key", scope)
        return guarded

    return decorate


def _count_refusal() -> None:
    """Refused keys count against the caller's address: past API_FAILED_AUTH_LIMIT, guessing is
    answered with 429 (a valid key from the same address is not affected)."""
    address = get_remote_address() or ""
    for item in parse_many(current_app.config["API_FAILED_AUTH_LIMIT"]):
        if not limiter.limiter.hit(item, current_app.config["RATELIMIT_KEY_PREFIX"], "api-refused", address):
            raise problems.ApiProblem(429, f"Too many requests with keys we do not recognise from this address: the limit is {item}. "
                                      "Wait, then try again with a valid key", headers={"Retry-After": "60"})


def _count_use(key) -> None:
    """Each authenticated request counts against its key (by id, never by anything a caller can
    claim), up to API_RATE_LIMIT."""
    for item in parse_many(current_app.config["API_RATE_LIMIT"]):
        prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
        if not limiter.limiter.hit(item, prefix, "api-key", str(key.id)):
            reset = limiter.limiter.get_window_stats(item, prefix, "api-key", str(key.id)).reset_time
            raise problems.ApiProblem(429, f"Too many requests with this key: the limit is {item}. Wait, then try again",
                                      headers={"Retry-After": str(max(1, int(reset - time.time())))})


def _certificate(certificate: Certificate, now) -> dict:
    return {"certificate_id": certificate.code, "holder_name": certificate.holder_name,
            "registration_number": certificate.registration_number, "tier": certificate.tier.name,
            "tier_code": certificate.tier.code, "status": certificate.current_status(now),
            "issued_on": certificate.issued_at.date(), "valid_until": certificate.expires_at.date(),
            "status_changed_at": certificate.status_changed_at, "issued_by": current_app.config["ISSUING_BODY"]}


def _log(rows, now) -> None:
    db = get_session()
    accreditation.log_lookups(db, [(row.certificate, row.status) for row in rows], route="api", organisation_id=g.api_key.organisation_id,
                              ip=request.remote_addr or "", secret=current_app.config["SECRET_KEY"], now=now)
    db.commit()


def _row(item) -> dict:
    return {k: v for k, v in item.model_dump().items() if v is not None}


@bp.post("/verifications")
@operation("verify")
@spec.validate(json=schemas.VerificationRequest, resp=Response(HTTP_200=schemas.Verification, HTTP_404=schemas.Problem, **PROBLEMS),
               tags=["Verification"], operation_id="verifyCertificate")
def verify(json: schemas.VerificationRequest):
    """Check one certificate

    By certificate id and the holder's surname, or by Social Work England registration number (the
    most recent valid certificate, else the most recent). Unknown ids and wrong surnames are both a 404.
    An id whose check character does not match was mistyped: 422, type mistyped-certificate-id."""
    check = json.root
    if isinstance(check, schemas.CertificateCheck):
        try:
            parse_certificate_id(check.certificate_id)
        except CertificateIdError as error:
            typo = isinstance(error, CertificateIdTypo)
            _log([BulkRow(0, "", "typo" if typo else "error", str(error))], utcnow())  # a check was made, though nothing matched
            raise problems.ApiProblem(422, str(error), kind="mistyped-certificate-id" if typo else "invalid-request",
                                      errors=[{"field": "certificate_id", "message": str(error)}]) from None
    now = utcnow()
    [row] = check_rows(get_session(), [(0, _row(check))], now)
    _log([row], now)
    if row.certificate is None:
        raise problems.ApiProblem(404, row.message, kind="no-match")
    return schemas.Verification(certificate=_certificate(row.certificate, now), checked_at=now)


@bp.post("/verifications/batch")
@operation("verify")
@spec.validate(json=schemas.BatchRequest, resp=Response(HTTP_200=schemas.BatchResponse, **PROBLEMS), tags=["Verification"],
               operation_id="verifyBatch")
def verify_batch(json: schemas.BatchRequest):
    """Check up to 1,000 certificates

    Each item is checked on its own: an item that is malformed or matches nothing gets its own status
    and message, and the others are still checked."""
    now = utcnow()
    rows = check_rows(get_session(), [(index, _row(item)) for index, item in enumerate(json.items)], now)
    _log(rows, now)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return schemas.BatchResponse(checked_at=now, counts=counts, results=[
        schemas.BatchResult(index=row.line, status=row.status, message=row.message,
                            certificate=_certificate(row.certificate, now) if row.certificate else None) for row in rows])


def _accreditations(keep) -> schemas.AccreditationList:
    now, organisation = utcnow(), g.api_key.organisation
    listed = []
    for certificate, _holder in organisation_certificates(get_session(), organisation):
        if keep(certificate, now):
            status = certificate.current_status(now)
            days_left = (certificate.expires_at - now).days if status == "valid" else None
            listed.append(schemas.Accreditation(**_certificate(certificate, now), days_left=days_left))
    return schemas.AccreditationList(organisation=organisation.name, as_of=now, count=len(listed), accreditations=listed)


@bp.get("/accreditations")
@operation("accreditations")
@spec.validate(query=schemas.AccreditationQuery, resp=Response(HTTP_200=schemas.AccreditationList, **PROBLEMS),
               tags=["Accreditations"], operation_id="listAccreditations")
def accreditations(query: schemas.AccreditationQuery):
    """Your organisation's accreditations

    Every certificate held by your staff, by name. A superseded certificate (replaced by a reissue) is
    listed only when you ask for status=superseded."""
    def keep(certificate, now):
        status = certificate.current_status(now)
        return ((status == query.status) if query.status else status != "superseded") and (
            query.tier is None or certificate.tier.code == query.tier)
    return _accreditations(keep)


@bp.get("/accreditations/expiring")
@operation("accreditations")
@spec.validate(query=schemas.ExpiringQuery, resp=Response(HTTP_200=schemas.AccreditationList, **PROBLEMS),
               tags=["Accreditations"], operation_id="listExpiringAccreditations")
def expiring(query: schemas.ExpiringQuery):
    """Accreditations ending soon

    Your staff's valid certificates that end within `within_days` days (90 unless you say), soonest first."""
    result = _accreditations(lambda c, now: c.current_status(now) == "valid" and c.expires_at <= now + timedelta(days=query.within_days))
    result.accreditations.sort(key=lambda a: (a.valid_until, a.holder_name))
    return result


def openapi_document() -> dict:
    """SpecTree's document, with problem responses under their own media type (RFC 9457)."""
    document = copy.deepcopy(spec.spec)
    for path in document["paths"].values():
        for operation_ in path.values():
            for response in operation_.get("responses", {}).values():
                content = response.get("content", {})
                if content.get("application/json", {}).get("schema", {}).get("$ref", "").endswith("/Problem"):
                    content[problems.MEDIA_TYPE] = content.pop("application/json")
    document["servers"] = [{"url": "/", "description": "This service"}]
    return document


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 document for this API."""
    return openapi_document()


@bp.get("/problems/<kind>")
@public
def problem(kind):
    """A page explaining one kind of problem the API reports: the `type` URIs point here."""
    if kind not in problems.KINDS:
        return render_template("api/problem.html", kind=kind, title=None, explanation=None), 404
    title, explanation = problems.KINDS[kind]
    return render_template("api/problem.html", kind=kind, title=title, explanation=explanation)


bp.register_error_handler(problems.ApiProblem, problems.from_exception)
bp.register_error_handler(HTTPException, problems.from_http_exception)
