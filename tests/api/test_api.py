"""The JSON API v1: keys, scopes, verification one at a time and in batches, the organisation's
accreditations, RFC 9457 problems for every kind of bad input, and the OpenAPI document."""

from datetime import timedelta

from app.models import ApiKey, Role, VerificationLookup
from app.models.types import utcnow
from tests.conftest import audit_actions, page_text

PROBLEM = "application/problem+json"


def call(client, method, path, secret=None, **kwargs):
    headers = kwargs.pop("headers", {})
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


def assert_problem(response, status, kind=None, detail=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    if kind:
        assert body["type"] == f"/api/v1/problems/{kind}"
    if detail:
        assert detail in body["detail"], body["detail"]
    return body


def test_a_key_checks_a_certificate_by_id_and_surname_or_registration_number(client, session, holder, api_key):
    candidate, certificate = holder
    key, secret = api_key(candidate.organisation)
    response = call(client, "POST", "/verifications", secret, json={"certificate_id": certificate.code, "surname": "ellis"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()["certificate"]
    assert body["certificate_id"] == certificate.code and body["holder_name"] == "Jordan Ellis" and body["status"] == "valid"
    assert body["registration_number"] == "SW777001" and body["tier_code"] == "practitioner"
    by_number = call(client, "POST", "/verifications", secret, json={"registration_number": "SW777001"}).get_json()
    assert by_number["certificate"]["certificate_id"] == certificate.code
    lookups = session.exec(VerificationLookup.__table__.select().where(VerificationLookup.route == "api")).all()
    assert len(lookups) == 2 and {row.organisation_id for row in lookups} == {candidate.organisation_id}
    session.refresh(key)
    assert key.last_used_at is not None


def test_verification_answers_every_bad_input_with_a_specific_problem(client, holder, api_key):
    candidate, certificate = holder
    _, secret = api_key(candidate.organisation)
    typo = certificate.code[:-1] + ("0" if certificate.code[-1] != "0" else "1")
    assert_problem(call(client, "POST", "/verifications", secret, json={"certificate_id": typo, "surname": "Ellis"}), 422,
                   "mistyped-certificate-id", "has a typo")
    assert_problem(call(client, "POST", "/verifications", secret, json={"certificate_id": certificate.code, "surname": "Smith"}), 404,
                   "no-match", "No certificate matches")
    assert_problem(call(client, "POST", "/verifications", secret, json={"certificate_id": certificate.code}), 422, "invalid-request")
    body = assert_problem(call(client, "POST", "/verifications", secret, json={"surname": 5, "extra": 1}), 422, "invalid-request")
    assert {e["field"] for e in body["errors"]} == {"certificate_id", "surname", "extra"}
    assert "certificate_id" in str(assert_problem(call(client, "POST", "/verifications", secret, json={}), 422, "invalid-request"))
    assert_problem(call(client, "POST", "/verifications", secret, data="{not json", content_type="application/json"), 400, "invalid-json")
    assert_problem(call(client, "POST", "/verifications", secret, data="certificate_id=x", content_type="application/x-www-form-urlencoded"),
                   415, "unsupported-media-type")
    assert_problem(call(client, "POST", "/verifications", secret, data="null", content_type="application/json"), 422, "invalid-request")
    assert_problem(call(client, "POST", "/verifications", secret, json=[1, 2]), 422)
    assert_problem(call(client, "GET", "/verifications", secret), 405)
    assert_problem(call(client, "GET", "/nothing-here", secret), 404)


def test_keys_are_refused_when_missing_wrong_revoked_or_out_of_scope(client, session, holder, api_key, user_with_role):
    candidate, certificate = holder
    key, secret = api_key(candidate.organisation, scopes=("verify",))
    payload = {"certificate_id": certificate.code, "surname": "Ellis"}
    missing = assert_problem(call(client, "POST", "/verifications", json=payload), 401, "missing-api-key")
    assert missing["detail"].startswith("Send your API key")
    assert call(client, "POST", "/verifications", json=payload).headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(call(client, "POST", "/verifications", secret[:-2] + "xx", json=payload), 401, "invalid-api-key")
    assert_problem(call(client, "POST", "/verifications", "kss_nothing", json=payload), 401, "invalid-api-key")
    assert_problem(call(client, "POST", "/verifications", "Basic abc", json=payload), 401, "invalid-api-key")
    assert_problem(call(client, "GET", "/accreditations", secret), 403, "insufficient-scope", "needs the 'accreditations' scope")
    from app.api.keys import revoke_key

    revoke_key(session, actor=user_with_role(Role.EMPLOYER), key=key)
    session.commit()
    assert_problem(call(client, "POST", "/verifications", secret, json=payload), 401, "revoked-api-key", "was revoked")
    import hashlib

    stored = session.get(ApiKey, key.id)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()  # only a hash is stored...
    secret_part = secret.split("_", 2)[2]  # kss_<hex prefix>_<secret>; the secret itself may contain "_"
    assert secret_part not in str(stored.model_dump()) and secret_part not in str(audit_actions(session))  # ...and the secret nowhere
    from sqlalchemy import text

    assert not [row for row in session.execute(text("SELECT details FROM audit_event")).all() if secret_part in str(row)]


def test_the_rate_limit_counts_each_key_by_its_id_not_by_what_callers_send(app, client, session, holder, api_key, make_organisation):
    """Nobody can use up another organisation's limit with its (visible) prefix, and no spelling of
    the header escapes one's own."""
    candidate, _ = holder
    key, secret = api_key(candidate.organisation)
    _, other = api_key(make_organisation(), name="Someone else's")
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(5):  # a stranger sends the victim's prefix with a made-up secret
            call(client, "GET", "/accreditations", f"kss_{key.prefix}_made-up", environ_base={"REMOTE_ADDR": "203.0.113.9"})
        for _ in range(3):
            assert call(client, "GET", "/accreditations", other).status_code == 200
        assert call(client, "GET", "/accreditations", secret).status_code == 200  # the victim is unaffected
        assert_problem(call(client, "GET", "/accreditations", other), 429, detail="Too many requests with this key")
        limited = call(client, "GET", "/accreditations", headers={"Authorization": f"Bearer  {other}  "})  # extra spaces
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    finally:
        app.config["API_RATE_LIMIT"] = "600 per minute"


def test_names_in_any_alphabet_and_blank_surnames_get_answers_not_errors(app, client, session, accredited, api_key):
    from tests.accreditation.test_certificates import issue

    candidate, tier = accredited(name="Zoë Brontë")
    certificate = issue(app, session, candidate, tier)
    _, secret = api_key(candidate.organisation)
    decomposed = "Bronte\u0308"  # the same name typed with a combining diaeresis
    for surname in ("Brontë", "BRONTË", decomposed):
        assert call(client, "POST", "/verifications", secret, json={"certificate_id": certificate.code, "surname": surname}).status_code == 200
    assert_problem(call(client, "POST", "/verifications", secret, json={"certificate_id": certificate.code, "surname": "Müller"}), 404)
    batch = call(client, "POST", "/verifications/batch", secret,
                 json={"items": [{"certificate_id": certificate.code, "surname": "   "}, {"certificate_id": certificate.code, "surname": "Øvre"}]})
    assert [r["status"] for r in batch.get_json()["results"]] == ["error", "not_found"]
    assert "surname is missing" in batch.get_json()["results"][0]["message"]


def test_a_mistyped_id_is_logged_as_a_check(client, session, holder, api_key):
    candidate, certificate = holder
    _, secret = api_key(candidate.organisation)
    typo = certificate.code[:-1] + ("0" if certificate.code[-1] != "0" else "1")
    call(client, "POST", "/verifications", secret, json={"certificate_id": typo, "surname": "Ellis"})
    outcomes = [row.outcome for row in session.exec(VerificationLookup.__table__.select().where(VerificationLookup.route == "api")).all()]
    assert outcomes == ["typo"]


def test_refused_keys_and_busy_keys_are_rate_limited(app, client, holder, api_key):
    candidate, _ = holder
    _, secret = api_key(candidate.organisation)
    app.config["API_FAILED_AUTH_LIMIT"], app.config["API_RATE_LIMIT"] = "3 per minute", "5 per minute"
    try:
        for _ in range(3):
            assert call(client, "GET", "/accreditations", "kss_bad_key").status_code == 401
        assert_problem(call(client, "GET", "/accreditations", "kss_bad_key"), 429, detail="keys we do not recognise")
        for _ in range(5):
            assert call(client, "GET", "/accreditations", secret).status_code == 200
        assert_problem(call(client, "GET", "/accreditations", secret), 429)
        assert "Retry-After" in call(client, "GET", "/accreditations", secret).headers
    finally:
        app.config["API_FAILED_AUTH_LIMIT"], app.config["API_RATE_LIMIT"] = "30 per minute", "600 per minute"


def test_a_batch_gets_a_result_per_item_and_malformed_items_do_not_stop_the_rest(client, session, holder, api_key):
    candidate, certificate = holder
    _, secret = api_key(candidate.organisation)
    typo = certificate.code[:-1] + ("0" if certificate.code[-1] != "0" else "1")
    items = [{"certificate_id": certificate.code, "surname": "Ellis"}, {"certificate_id": typo, "surname": "Ellis"},
             {"registration_number": "SW000000"}, {}, {"registration_number": "SW777001"}]
    body = call(client, "POST", "/verifications/batch", secret, json={"items": items}).get_json()
    assert [r["status"] for r in body["results"]] == ["valid", "error", "not_found", "error", "valid"]
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3, 4]
    assert body["counts"] == {"valid": 2, "error": 2, "not_found": 1}
    assert "typo" in body["results"][1]["message"]
    too_many = assert_problem(call(client, "POST", "/verifications/batch", secret, json={"items": [{}] * 1001}), 422)
    assert too_many["errors"][0]["field"] == "items"
    assert_problem(call(client, "POST", "/verifications/batch", secret, json={"items": []}), 422)


def test_an_organisation_lists_its_own_accreditations_and_those_ending_soon(app, client, session, holder, accredited, api_key):
    from tests.accreditation.test_certificates import issue

    candidate, certificate = holder
    elsewhere, tier = accredited(name="Someone Elsewhere")
    issue(app, session, elsewhere, tier)
    _, secret = api_key(candidate.organisation)
    listed = call(client, "GET", "/accreditations", secret).get_json()
    assert listed["organisation"] == candidate.organisation.name and listed["count"] == 1
    assert listed["accreditations"][0]["certificate_id"] == certificate.code and listed["accreditations"][0]["days_left"] > 1000
    assert call(client, "GET", "/accreditations?status=revoked", secret).get_json()["count"] == 0
    assert call(client, "GET", "/accreditations?tier=practitioner", secret).get_json()["count"] == 1
    assert_problem(call(client, "GET", "/accreditations?tier=wizard", secret), 422)
    assert call(client, "GET", "/accreditations/expiring", secret).get_json()["count"] == 0
    certificate.expires_at = utcnow() + timedelta(days=30)
    session.add(certificate)
    session.commit()
    soon = call(client, "GET", "/accreditations/expiring?within_days=31", secret).get_json()
    assert soon["count"] == 1 and soon["accreditations"][0]["days_left"] in (29, 30)
    assert_problem(call(client, "GET", "/accreditations/expiring?within_days=0", secret), 422)
    assert_problem(call(client, "GET", "/accreditations/expiring?within_days=soon", secret), 422)


def test_the_openapi_document_is_3_1_with_problem_responses(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/api/v1/verifications", "/api/v1/verifications/batch", "/api/v1/accreditations",
                                      "/api/v1/accreditations/expiring"}
    responses = document["paths"]["/api/v1/verifications"]["post"]["responses"]
    assert PROBLEM in responses["401"]["content"] and "application/json" in responses["200"]["content"]
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert "No API key" in page_text(client.get("/api/v1/problems/missing-api-key"))
    assert client.get("/api/v1/problems/made-up").status_code == 404


def test_employers_create_see_and_revoke_their_keys(client, session, forms, user_with_role, sign_in, make_organisation):
    employer = user_with_role(Role.EMPLOYER)
    sign_in(employer)
    refused = forms.post("/employer/api-keys", {"name": "", "scopes": []}, page="/employer/api-keys")
    assert refused.status_code == 400 and "Enter a name for the key" in page_text(refused) and "Choose what the key may do" in page_text(refused)
    created = forms.post("/employer/api-keys", {"name": "HR system", "scopes": ["verify"]}, page="/employer/api-keys")
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    secret = next(word for word in page_text(created).split() if word.startswith("kss_") and len(word) > 30)
    assert call(client, "POST", "/verifications", secret, json={"registration_number": "SW1"}).status_code == 404
    again = forms.post("/employer/api-keys", {"name": "hr system", "scopes": ["verify"]}, page="/employer/api-keys")
    assert again.status_code == 400 and "already has a key called" in page_text(again)
    page = page_text(client.get("/employer/api-keys"))
    assert "HR system" in page and secret not in page and "kss_" in page
    key = session.exec(ApiKey.__table__.select()).first()
    other = user_with_role(Role.EMPLOYER, organisation=make_organisation(name="Elsewhere Council"))
    forms.post("/account/sign-out", page="/account/")
    sign_in(other)
    assert forms.post(f"/employer/api-keys/{key.id}/revoke", {}, page="/employer/api-keys").status_code == 403
    forms.post("/account/sign-out", page="/account/")
    sign_in(employer)
    assert "is revoked" in page_text(forms.post(f"/employer/api-keys/{key.id}/revoke", {}, page="/employer/api-keys", follow_redirects=True))
    assert call(client, "POST", "/verifications", secret, json={"registration_number": "SW1"}).status_code == 401
    assert audit_actions(session, action="api_key.created") and audit_actions(session, action="api_key.revoked")


def test_nul_characters_are_refused_not_sent_to_the_database(client, holder, api_key, forms, signed_in_as):
    import io

    candidate, _ = holder
    _, secret = api_key(candidate.organisation)
    assert_problem(call(client, "POST", "/verifications", secret, json={"registration_number": "SW\x00"}), 422)
    assert_problem(call(client, "POST", "/verifications/batch", secret, json={"items": [{"registration_number": "\x00"}]}), 422)
    signed_in_as(Role.EMPLOYER)
    refused = forms.post("/verify/bulk", {"file": (io.BytesIO(b"registration_number\nSW1\nSW\x002\n"), "staff.csv"), "as": "page"},
                         page="/verify/bulk", content_type="multipart/form-data")
    assert refused.status_code == 400 and "Line 3 contains a NUL character" in page_text(refused)
