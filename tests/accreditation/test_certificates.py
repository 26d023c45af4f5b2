"""Issuing, verifying, revoking and reissuing certificates, checked with independent tools: poppler's
pdfsig and pyHanko's validator for the PDF, PyJWT for the credential and the status list."""

import io
import json
import shutil
import subprocess

import jwt
import pytest
from sqlmodel import select

from app.accreditation import services
from app.accreditation.credential import bit_is_set, decode_list
from app.accreditation.keys import load_keys
from app.models import Certificate, CertificateStatus, Role
from app.models.types import utcnow
from tests.conftest import audit_actions, page_text

BASE = "http://localhost"  # the test client's host, so the credential's kid is the one the served JWKS publishes


def pdfsig(path) -> str:
    if shutil.which("pdfsig") is None:
        pytest.fail("pdfsig is missing: install Debian's poppler-utils (apt-get install poppler-utils)")
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout


def issue(app, session, candidate, tier, actor=None):
    certificate = services.issue(session, candidate=candidate, tier=tier, now=utcnow(), actor=actor, keys=load_keys(app.config),
                                 base_url=BASE, issuer=app.config["ISSUING_BODY"])
    session.commit()
    return certificate


def test_only_an_accredited_candidate_gets_a_certificate(app, session, accredited):
    candidate, tier = accredited(practice=False)
    with pytest.raises(services.CertificateRefused, match="still needs practice"):
        issue(app, session, candidate, tier)
    candidate, tier = accredited(endorsed=False, knowledge=False)
    with pytest.raises(services.CertificateRefused, match="still needs endorsement, knowledge"):
        issue(app, session, candidate, tier)
    candidate, tier = accredited()
    certificate = issue(app, session, candidate, tier)
    assert certificate.code and certificate.current_status(utcnow()) == "valid"
    assert "certificate.issued" in audit_actions(session, certificate)
    with pytest.raises(services.CertificateRefused, match="already holds a current"):
        issue(app, session, candidate, tier)


def test_the_pdf_signature_is_valid_and_any_change_breaks_it(app, session, accredited, tmp_path):
    candidate, tier = accredited(name="Jordan Ellis")
    certificate = issue(app, session, candidate, tier)
    signed = tmp_path / "certificate.pdf"
    signed.write_bytes(certificate.pdf)
    report = pdfsig(signed)
    assert "Signature Validation: Signature is Valid." in report and "Total document signed" in report
    assert "Signature Type: ETSI.CAdES.detached" in report  # PAdES

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: F401  (trust is given explicitly below)

    keys = load_keys(app.config)
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    root = asn1_x509.Certificate.load(pem.unarmor(keys.chain_file.read_bytes())[2])
    reader = PdfFileReader(io.BytesIO(certificate.pdf))
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:  # pyHanko uses asyncio.run; the browser tests may leave a loop in this thread
        status = pool.submit(validate_pdf_signature, reader.embedded_signatures[0], ValidationContext(trust_roots=[root])).result()
    assert status.intact and status.valid and status.trusted
    embedded = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = embedded[1].get_object()
    assert spec["/EF"]["/F"].get_object().data.decode() == certificate.credential_jwt  # one file carries both

    tampered = bytearray(certificate.pdf)
    position = tampered.find(b"/Title")  # inside the signed range: the document's title
    tampered[position + 10] ^= 0x01
    (tmp_path / "tampered.pdf").write_bytes(bytes(tampered))
    assert "Signature is Valid." not in pdfsig(tmp_path / "tampered.pdf")


def test_the_credential_verifies_against_the_published_jwks(app, client, session, accredited):
    candidate, tier = accredited(name="Jordan Ellis")
    certificate = issue(app, session, candidate, tier)
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.mimetype == "application/jwk-set+json"
    key = jwt.PyJWKSet.from_dict(jwks.get_json())[jwt.get_unverified_header(certificate.credential_jwt)["kid"]]
    claims = jwt.decode(certificate.credential_jwt, key.key, algorithms=["EdDSA"], issuer=f"{BASE}/issuer")
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["credentialSubject"]["name"] == "Jordan Ellis" and claims["id"] == f"{BASE}/verify/{certificate.code}"
    assert jwt.get_unverified_header(certificate.credential_jwt)["typ"] == "vc+jwt"

    header, payload, signature = certificate.credential_jwt.split(".")
    forged = json.loads(jwt.utils.base64url_decode(payload))
    forged["credentialSubject"]["name"] = "Someone Else"
    forged_token = ".".join([header, jwt.utils.base64url_encode(json.dumps(forged).encode()).decode(), signature])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged_token, key.key, algorithms=["EdDSA"], issuer=f"{BASE}/issuer")
    from cryptography.hazmat.primitives.asymmetric import ed25519

    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(certificate.credential_jwt, ed25519.Ed25519PrivateKey.generate().public_key(), algorithms=["EdDSA"])


def status_bit(client, purpose, index) -> bool:
    token = client.get(f"/status/{purpose}").get_data(as_text=True)
    key = jwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").get_json())[jwt.get_unverified_header(token)["kid"]]
    document = jwt.decode(token, key.key, algorithms=["EdDSA"], options={"verify_iss": False})
    return bit_is_set(decode_list(document["credentialSubject"]["encodedList"]), index)


def test_revoking_changes_the_status_everywhere_at_once(app, client, forms, session, accredited, signed_in_as):
    candidate, tier = accredited()
    certificate = issue(app, session, candidate, tier)
    verify = f"/verify/{certificate.code}?token={certificate.token}"
    assert "This certificate is valid" in page_text(client.get(verify))
    assert not status_bit(client, "revocation", certificate.status_index)
    assert client.get(f"/verify/{certificate.code}?token=wrong").status_code == 404

    signed_in_as(Role.ADMINISTRATOR)
    page = f"/admin/certificates/{certificate.code}"
    short = forms.post(page, {"action": "revoke", "reason": "no"})
    assert "at least 10 characters" in page_text(client.get(short.headers["Location"]))
    forms.post(page, {"action": "suspend", "reason": "Fitness to practise investigation opened."})
    assert status_bit(client, "suspension", certificate.status_index)
    assert "not valid: suspended" in page_text(client.get(verify))
    forms.post(page, {"action": "revoke", "reason": "Removed from the register by Social Work England."})
    session.expire_all()
    assert session.get(Certificate, certificate.id).status is CertificateStatus.REVOKED
    assert status_bit(client, "revocation", certificate.status_index)
    assert "not valid: revoked" in page_text(client.get(verify))
    assert "certificate.status_changed" in audit_actions(session, certificate)


def test_reissue_supersedes_the_old_certificate(app, client, forms, session, accredited, signed_in_as):
    candidate, tier = accredited(name="Jordan Ellis")
    old = issue(app, session, candidate, tier)
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post(f"/admin/certificates/{old.code}", {"action": "reissue", "holder_name": "Jordan Ellis-Okafor",
                                                              "reason": "Change of name after marriage."})
    session.expire_all()
    new = session.exec(select(Certificate).where(Certificate.code != old.code)).one()
    assert response.headers["Location"].endswith(new.code) and new.holder_name == "Jordan Ellis-Okafor"
    page = page_text(client.get(f"/verify/{old.code}?token={old.token}"))
    assert "not valid: superseded" in page and f"replaced by certificate {new.code}" in page


def test_candidates_download_their_own_certificate(app, client, forms, session, accredited, sign_in, user_with_role):
    candidate, tier = accredited()
    certificate = issue(app, session, candidate, tier)
    sign_in(candidate)
    assert certificate.code in page_text(client.get("/candidate/certificates"))
    pdf = client.get(f"/candidate/certificates/{certificate.code}/certificate.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data == certificate.pdf
    assert client.get(f"/candidate/certificates/{certificate.code}/credential.jwt").get_data(as_text=True) == certificate.credential_jwt
    forms.post("/account/sign-out", page="/account/")
    sign_in(user_with_role(Role.CANDIDATE))
    assert client.get(f"/candidate/certificates/{certificate.code}/certificate.pdf").status_code == 403


def test_certificate_commands(app, session, accredited, tmp_path):
    candidate, tier = accredited(name="Sam Taylor")
    window_id = session.exec(select(services.Booking.window_id).where(services.Booking.candidate_id == candidate.id)).one()
    runner = app.test_cli_runner()
    issued = runner.invoke(args=["certificates", "issue", "--window", str(window_id)])
    assert issued.exit_code == 0 and "1 certificate(s) issued, 0 already held, 0 candidate(s) not yet accredited." in issued.output
    listing = runner.invoke(args=["certificates", "list"]).output.strip().split("\t")
    assert listing[1:] == ["Sam Taylor", "practitioner", "valid"]
    code = listing[0]
    exported = runner.invoke(args=["certificates", "export", code.lower(), "--pdf", str(tmp_path / "c.pdf"),
                                   "--credential", str(tmp_path / "c.jwt")])
    assert exported.exit_code == 0 and (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    assert "Signature is Valid." in pdfsig(tmp_path / "c.pdf")
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    wrong = runner.invoke(args=["certificates", "export", typo, "--pdf", str(tmp_path / "x.pdf")])
    assert wrong.exit_code == 2 and "typo" in wrong.output
    assert runner.invoke(args=["certificates", "issue", "--window", "99999"]).exit_code == 2


def test_expiry_reminders_go_to_the_holder_and_their_employer_once(app, session, accredited, user_with_role):
    from datetime import timedelta

    from app.models import OutboxMessage

    candidate, tier = accredited()
    employer = user_with_role(Role.EMPLOYER, organisation=candidate.organisation)
    certificate = issue(app, session, candidate, tier)
    runner = app.test_cli_runner()
    assert "for 0 certificate(s)" in runner.invoke(args=["certificates", "remind"]).output
    certificate.expires_at = utcnow() + timedelta(days=80)
    session.add(certificate)
    session.commit()
    assert "for 1 certificate(s)" in runner.invoke(args=["certificates", "remind"]).output
    recipients = {m.recipient for m in session.exec(select(OutboxMessage).where(OutboxMessage.subject.like("%ends on%")))}
    assert {candidate.email, employer.email} <= recipients
    assert "for 0 certificate(s)" in runner.invoke(args=["certificates", "remind"]).output  # not twice
    certificate.expires_at = utcnow() + timedelta(days=20)
    session.add(certificate)
    session.commit()
    assert "for 1 certificate(s)" in runner.invoke(args=["certificates", "remind"]).output  # the 30-day one
    assert "certificate.expiry_reminded" in audit_actions(session, certificate)


def test_share_links_expire_and_can_be_stopped(app, client, forms, session, accredited, sign_in):
    import re
    from datetime import timedelta

    from app.models import ShareLink

    candidate, tier = accredited(name="Jordan Ellis")
    certificate = issue(app, session, candidate, tier)
    sign_in(candidate)
    url = f"/candidate/certificates/{certificate.code}/share"
    bad = forms.post(url, {"label": "", "days": "30"})
    assert bad.status_code == 400 and "Say who the link is for" in page_text(bad)
    made = forms.post(url, {"label": "Northmoor HR", "days": "30"})
    link_url = re.search(r"(http://[^\s<]+/shared/[A-Za-z0-9_-]+)", made.get_data(as_text=True)).group(1)
    path = link_url.split("localhost")[-1] if "localhost" in link_url else "/" + link_url.split("/", 3)[3]
    forms.post("/account/sign-out", page="/account/")
    page = page_text(client.get(path))
    assert "This certificate is valid" in page and "Jordan Ellis" in page
    link = session.exec(select(ShareLink)).one()
    assert link.views == 1 and link.token_hash not in link_url  # only a hash is stored
    link.expires_at = utcnow() - timedelta(minutes=1)
    session.add(link)
    session.commit()
    assert client.get(path).status_code == 410 and "has expired" in page_text(client.get(path))
    link.expires_at = utcnow() + timedelta(days=1)
    session.add(link)
    session.commit()
    sign_in(candidate)
    forms.post(url, {"revoke": str(link.id)})
    assert "stopped this link" in page_text(client.get(path))
    assert client.get("/shared/not-a-real-token").status_code == 404


def test_a_forged_status_list_is_detected(app, client, session, accredited):
    from datetime import timedelta

    from cryptography.hazmat.primitives.asymmetric import ed25519

    from app.accreditation.credential import okp_key, sign, status_list_credential

    candidate, tier = accredited()
    certificate = issue(app, session, candidate, tier)
    now = utcnow()
    # Someone publishes a list saying the certificate is fine... or revoked, signed with a key that is not ours.
    forged = sign(status_list_credential(BASE, "Not the issuer", "revocation", [certificate.status_index], now),
                  okp_key(ed25519.Ed25519PrivateKey.generate(), "https://forger.example"), subject="x", not_before=now, expires=now + timedelta(days=1))
    served = jwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").get_json())
    kid = jwt.get_unverified_header(forged)["kid"]
    with pytest.raises(KeyError):
        served[kid]  # its key is not in our JWKS
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, served.keys[0].key, algorithms=["EdDSA"], options={"verify_iss": False})


def test_anyone_checks_a_certificate_by_id_and_surname(app, client, forms, session, accredited):
    candidate, tier = accredited(name="Jordan Ellis")
    certificate = issue(app, session, candidate, tier)
    assert "Check a certificate" in page_text(client.get("/verify"))
    ok = forms.post("/verify", {"certificate_id": certificate.code.lower().replace("-", " "), "surname": " ellis "}, page="/verify")
    assert ok.status_code == 200 and "This certificate is valid" in page_text(ok)
    wrong = forms.post("/verify", {"certificate_id": certificate.code, "surname": "Smith"}, page="/verify")
    assert wrong.status_code == 400 and "No certificate matches this id and surname" in page_text(wrong)
    typo = certificate.code[:-1] + ("0" if certificate.code[-1] != "0" else "1")
    mistyped = forms.post("/verify", {"certificate_id": typo, "surname": "Ellis"}, page="/verify")
    assert "has a typo" in page_text(mistyped)
    blank = forms.post("/verify", {"certificate_id": certificate.code, "surname": ""}, page="/verify")
    assert "Enter the holder's surname" in page_text(blank)


def test_every_check_is_logged_and_shown_to_the_holder(app, client, forms, session, accredited, sign_in, user_with_role):
    from app.models import VerificationLookup

    candidate, tier = accredited(name="Jordan Ellis")
    certificate = issue(app, session, candidate, tier)
    client.get(f"/verify/{certificate.code}?token={certificate.token}")
    employer = user_with_role(Role.EMPLOYER)
    sign_in(employer)
    forms.post("/verify", {"certificate_id": certificate.code, "surname": "Ellis"}, page="/verify")
    forms.post("/verify", {"certificate_id": certificate.code, "surname": "Wrong"}, page="/verify")
    forms.post("/account/sign-out", page="/account/")
    rows = session.exec(select(VerificationLookup).order_by(VerificationLookup.id)).all()
    assert [(r.route, r.outcome, r.certificate_id is not None) for r in rows] == [("qr", "valid", True), ("form", "valid", True),
                                                                                 ("form", "not_found", False)]
    assert rows[1].organisation_id == employer.organisation_id
    assert all(len(r.ip_hash) == 64 and "127.0.0.1" not in r.ip_hash for r in rows)
    sign_in(candidate)
    page = page_text(client.get(f"/candidate/certificates/{certificate.code}/checks"))
    assert "QR code" in page and "Certificate id and surname" in page and employer.organisation.name in page


def test_an_uploaded_pdf_is_checked_genuine_altered_or_not_ours(app, client, forms, session, accredited, user_with_role):
    from app.accreditation.certificate_pdf import CertificateFacts, render_certificate

    candidate, tier = accredited(name="Jordan Ellis")
    certificate = issue(app, session, candidate, tier)

    def upload(data: bytes, name="certificate.pdf"):
        return page_text(forms.post("/verify/upload", {"certificate": (io.BytesIO(data), name)}, page="/verify/upload",
                                    content_type="multipart/form-data"))

    assert "Genuine and current" in upload(certificate.pdf)
    tampered = bytearray(certificate.pdf)
    position = tampered.find(b"/Title")
    tampered[position + 10] ^= 0x01
    assert "Altered" in upload(bytes(tampered))
    assert "Not a PDF" in upload(b"hello, this is not a pdf", "notes.txt")
    unsigned = render_certificate(CertificateFacts("XXXX", "Jordan Ellis", None, tier.name, tier.standard, utcnow(), utcnow(), "Forger",
                                                   "http://x", "http://x"))
    assert "no digital signature" in upload(unsigned)
    assert "Choose the certificate PDF" in page_text(forms.post("/verify/upload", {}, page="/verify/upload"))
    services.change_status(session, certificate=certificate, to=CertificateStatus.REVOKED, reason="Removed from the register.",
                           actor=user_with_role(Role.ADMINISTRATOR), now=utcnow())
    session.commit()
    assert "no longer valid: it is revoked" in upload(certificate.pdf)


def test_bulk_verification_checks_each_row_and_refuses_bad_files(app, client, forms, session, accredited, signed_in_as):
    import csv as csv_module

    candidate, tier = accredited(name="Jordan Ellis", swe_number="SW777001")
    certificate = issue(app, session, candidate, tier)
    signed_in_as(Role.EMPLOYER)

    def post(text, as_="page", encoding="utf-8"):
        return forms.post("/verify/bulk", {"file": (io.BytesIO(text.encode(encoding) if isinstance(text, str) else text), "staff.csv"),
                                           "as": as_}, page="/verify/bulk", content_type="multipart/form-data")

    typo = certificate.code[:-1] + ("0" if certificate.code[-1] != "0" else "1")
    text = (f"Certificate ID,Surname\n{certificate.code},Ellis\n{typo},Ellis\n{certificate.code},Smith\n,\n"
            f"=HYPERLINK(\"http://evil\"),Ellis\n")
    page = page_text(post(text))
    assert "Results: 1 valid of 5" in page and "has a typo" in page and "No certificate matches" in page
    assert "neither a certificate id nor a registration number" in page
    download = post(text, "csv")
    assert download.mimetype == "text/csv"
    rows = list(csv_module.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert [r["status"] for r in rows] == ["valid", "error", "not_found", "error", "error"]
    assert rows[4]["query"].startswith("'=")  # a formula is neutralised in the download
    by_number = page_text(post("registration_number\nSW777001\nSW000000\n"))
    assert "Results: 1 valid of 2" in by_number and "No certificate for this registration number" in by_number
    assert "must name the columns" in page_text(post("name,email\nx,y\n"))
    assert "not UTF-8 text" in page_text(post("certificate_id,surname\nABCD,Müller\n", encoding="utf-16"))
    assert "more than 1,000 rows" in page_text(post("registration_number\n" + "SW1\n" * 10_000))
    assert "no rows to check" in page_text(post("registration_number\n"))
    assert "Choose the CSV file" in page_text(forms.post("/verify/bulk", {}, page="/verify/bulk"))


def test_employers_see_their_staffs_accreditations_and_what_ends_soon(app, client, session, accredited, sign_in, user_with_role):
    from datetime import timedelta

    candidate, tier = accredited(name="Jordan Ellis")
    certificate = issue(app, session, candidate, tier)
    other_candidate, _ = accredited(name="Someone Elsewhere")
    issue(app, session, other_candidate, tier)
    certificate.expires_at = utcnow() + timedelta(days=40)
    session.add(certificate)
    session.commit()
    sign_in(user_with_role(Role.EMPLOYER, organisation=candidate.organisation))
    page = page_text(client.get("/employer/"))
    assert "1 accreditation ends in the next 90 days: Jordan Ellis" in page and certificate.code in page
    assert "Someone Elsewhere" not in page
    body = client.get("/employer/accreditations.csv").get_data(as_text=True)
    assert body.splitlines()[1].startswith("Jordan Ellis,") and "Someone Elsewhere" not in body
