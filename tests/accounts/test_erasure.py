"""Erasing a person keeps verification honest: their certificates answer "revoked", never "valid",
by every route, and nothing left identifies them."""

import io

from sqlmodel import select

from app.models import Certificate, EqualityMonitoring, User
from tests.accreditation.conftest import accredited  # noqa: F401
from tests.accreditation.test_certificates import issue
from tests.api.conftest import api_key  # noqa: F401
from tests.conftest import PASSWORD, audit_actions, page_text
from tests.practice.conftest import framework  # noqa: F401


def test_an_erased_holders_certificate_is_never_valid_and_names_no_one(app, client, forms, session, accredited, api_key):  # noqa: F811
    candidate, tier = accredited(name="Jordan Ellis", swe_number="SW777001")
    certificate = issue(app, session, candidate, tier)
    original_pdf, code, token, email = certificate.pdf, certificate.code, certificate.token, candidate.email
    _, secret = api_key(candidate.organisation)
    refused = app.test_cli_runner().invoke(args=["erase-person", email])
    assert refused.exit_code != 0 and "cannot be undone: run again with --yes" in refused.output
    done = app.test_cli_runner().invoke(args=["erase-person", email.upper(), "--yes"])
    assert done.exit_code == 0 and "certificates revoked 1" in done.output
    session.expire_all()

    person = session.get(User, candidate.id)
    assert (person.name, person.swe_number, person.password_hash, person.active) == ("Erased person", None, None, False)
    kept = session.exec(select(Certificate).where(Certificate.code == code)).one()
    assert kept.status.value == "revoked" and kept.holder_name == "Erased record" and kept.registration_number is None and not kept.pdf
    assert session.exec(select(EqualityMonitoring).where(EqualityMonitoring.candidate_id == candidate.id)).first() is None

    qr = page_text(client.get(f"/verify/{code}?token={token}"))
    assert "not valid: revoked" in qr and "Jordan" not in qr
    by_number = client.post("/api/v1/verifications", json={"registration_number": "SW777001"}, headers={"Authorization": f"Bearer {secret}"})
    assert by_number.status_code == 404
    uploaded = page_text(forms.post("/verify/upload", {"certificate": (io.BytesIO(original_pdf), "certificate.pdf")}, page="/verify/upload",
                                    content_type="multipart/form-data"))
    assert "no longer valid: it was revoked when its holder's record was erased" in uploaded and "Jordan" not in uploaded
    assert forms.post("/account/sign-in", {"email": email, "password": PASSWORD}).status_code != 302
    assert audit_actions(session, obj=person, action="person.erased")


def test_an_unknown_email_is_named(app):
    result = app.test_cli_runner().invoke(args=["erase-person", "nobody@example.org", "--yes"])
    assert result.exit_code != 0 and "No account has the email address nobody@example.org" in result.output
