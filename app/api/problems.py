"""Errors as RFC 9457 problem details (`application/problem+json`): a `type` URI naming the kind of
problem, a short `title`, the HTTP `status`, a `detail` for this occurrence, and for invalid
requests the `errors` found, each with the field it concerns."""

from flask import current_app, json, request
from werkzeug.exceptions import HTTPException

MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal server error",
}


class ApiProblem(Exception):
    def __init__(self, status: int, detail: str, *, kind: str | None = None, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.kind, self.errors, self.headers = status, detail, kind, errors, headers or {}


# The kinds of problem this API reports, each documented at /api/v1/problems/<kind>
KINDS = {
    "missing-api-key": ("No API key", "Send your organisation's API key in the Authorization header: "
                        "`Authorization: Bearer kss_...`. Keys are created on the employer's page, under API keys."),
    "invalid-api-key": ("API key not recognised", "The key is not one we issued, or it was copied incompletely. "
                        "Check it against the one shown when it was created, or create a new key."),
    "revoked-api-key": ("API key revoked", "Someone in your organisation revoked this key. Create a new key on the "
                        "employer's page."),
    "insufficient-scope": ("The key may not do this", "Each key is created for some operations only. Create a key "
                           "with the scope this operation needs."),
    "invalid-json": ("Body is not JSON", "The request body could not be read as JSON. Check it with a JSON validator."),
    "unsupported-media-type": ("Body must be JSON", "Send the request body as JSON with the header `Content-Type: application/json`."),
    "invalid-request": ("Invalid request", "The `errors` list names each field that is wrong and why."),
    "mistyped-certificate-id": ("Certificate id mistyped", "The id's last character is a check character, and it "
                                "does not match: one of the characters was mistyped. Check the id against the certificate."),
    "no-match": ("No certificate matches", "Nothing matches what was sent. Check the certificate id and surname, or the "
                 "registration number, against the certificate."),
}


def problem_type(kind: str | None) -> str:
    return f"/api/v1/problems/{kind}" if kind in KINDS else "about:blank"


def problem_response(status: int, detail: str, *, kind: str | None = None, errors: list[dict] | None = None,
                     headers: dict[str, str] | None = None):
    # A problem type's title is the same for every occurrence (RFC 9457 3.1.3); plain HTTP errors use the status phrase.
    title = KINDS[kind][0] if kind in KINDS else TITLES.get(status, "Error")
    body = {"type": problem_type(kind), "title": title, "status": status,
            "detail": detail, "instance": request.path}
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    response.headers.update(headers or {})
    return response


def from_exception(error: ApiProblem):
    return problem_response(error.status, error.detail, kind=error.kind, errors=error.errors, headers=error.headers)


def from_http_exception(error: HTTPException):
    detail = {
        404: "There is nothing at this address. The API's operations are listed at /api/v1/openapi.json",
        405: f"{request.method} is not allowed here. The API's operations are listed at /api/v1/openapi.json",
        413: "The request body is too large",
        429: f"Too many requests: the limit is {error.description}. Wait, then try again",
    }.get(error.code, error.description)
    headers = {k: v for k, v in error.get_headers() if k.lower() in {"retry-after", "allow"}}
    return problem_response(error.code or 500, detail, headers=headers)


def validation_errors(error) -> list[dict]:
    """pydantic's errors as {field, message}, field in dotted form (`items.3.surname`)."""
    from app.api.schemas import UNION_TAGS

    return [{"field": ".".join(str(part) for part in e["loc"] if part not in UNION_TAGS) or "(body)", "message": e["msg"]}
            for e in error.errors()]
