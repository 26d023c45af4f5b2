"""An employer checks a certificate every way the service offers, in a real browser with axe on every
page: by id and surname (a wrong surname first), by the QR code's link, by uploading the PDF
(genuine, then tampered), and in bulk from a CSV file; then creates an API key, calls the API over
real HTTP with it, and revokes it."""

import json
import re
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.accounts.passwords import hash_password
from app.accreditation import services
from app.accreditation.demo import _passes
from app.accreditation.keys import load_keys
from app.models import Organisation, Role, RoleMembership, Tier, User
from app.models.types import utcnow
from tests.e2e.test_quality_journey import sign_in_as

pytestmark = pytest.mark.e2e


def new_holder(app):
    """A Northmoor social worker accredited today, so this journey does not depend on the demo holders'
    states, which other journeys change."""
    with Session(app.extensions["db"].engine) as session:
        tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
        employer = session.exec(select(User).where(User.email == "employer@northmoor.example.org")).one()
        admin = session.exec(select(User).where(User.email == "admin@accreditation.example.org")).one()
        organisation = session.get(Organisation, employer.organisation_id)
        holder = User(name="Jordan Okafor", email="jordan.okafor@northmoor.example.org", swe_number="SW100042", organisation=organisation,
                      password_hash=hash_password(app.config["DEMO_PASSWORD"], profile="fast"),
                      memberships=[RoleMembership(role=Role.CANDIDATE)])
        session.add(holder)
        session.flush()
        _passes(session, holder, tier, employer, utcnow() - timedelta(days=1))
        certificate = services.issue(session, candidate=holder, tier=tier, now=utcnow(), actor=admin, keys=load_keys(app.config),
                                     base_url="http://localhost", issuer=app.config["ISSUING_BODY"])
        session.commit()
        return certificate.code, certificate.token, certificate.pdf


def api(base, path, key=None, body=None):
    request = urllib.request.Request(base + "/api/v1" + path, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the live test server)
            return response.status, response.headers.get_content_type(), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), json.loads(error.read())


def test_an_employer_checks_certificates_every_way_and_uses_the_api(app, visit, tmp_path):
    code, token, pdf = new_holder(app)
    page = visit.page
    sign_in_as(app, visit, "employer@northmoor.example.org")
    expect(page.get_by_role("table", name=re.compile("Staff taking accreditation"))).to_contain_text("Jordan Okafor")
    expect(page.get_by_role("table", name=re.compile("Certificates held by your staff"))).to_contain_text(code)

    # By id and surname: a wrong surname is refused without saying whether the id exists.
    page.get_by_role("link", name="Check a certificate", exact=True).click()
    visit.check()
    page.get_by_label("Certificate id").fill(code.lower().replace("-", " "))
    page.get_by_label("Holder’s surname").fill("Smith")
    page.get_by_role("button", name="Check certificate").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("No certificate matches this id and surname")
    visit.check()
    page.get_by_label("Holder’s surname").fill("okafor")
    page.get_by_role("button", name="Check certificate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate is valid")
    expect(page.locator(".govuk-summary-list")).to_contain_text("SW100042")
    visit.check()

    # The QR code's link.
    visit.goto(f"/verify/{code}?token={token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate is valid")

    # Uploading the PDF: genuine, then with one byte of the signed content changed.
    genuine, tampered = tmp_path / "certificate.pdf", tmp_path / "tampered.pdf"
    genuine.write_bytes(pdf)
    altered = bytearray(pdf)
    position = altered.find(b"/Title")
    altered[position + 10] ^= 0x01
    tampered.write_bytes(bytes(altered))
    visit.goto("/verify/upload")
    page.get_by_label("Certificate PDF").set_input_files(str(genuine))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Genuine and current")
    visit.check()
    visit.goto("/verify/upload")
    page.get_by_label("Certificate PDF").set_input_files(str(tampered))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Altered")
    visit.check()

    # In bulk: one good row, one with a typo in the id, one by registration number.
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    sheet = tmp_path / "staff.csv"
    sheet.write_text(f"certificate_id,surname,registration_number\n{code},Okafor,\n{typo},Okafor,\n,,SW100042\n")
    visit.goto("/verify/bulk")
    page.get_by_label("CSV file").set_input_files(str(sheet))
    page.get_by_role("button", name="Check and show the results").click()
    expect(page.locator("main")).to_contain_text("Results: 2 valid of 3")
    expect(page.locator("main")).to_contain_text("has a typo")
    visit.check()

    # An API key: created, used over HTTP, shown as used, revoked.
    visit.goto("/employer/")
    page.get_by_role("link", name="API keys").click()
    visit.check()
    page.get_by_role("button", name="Create key").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the key")
    visit.check()
    page.get_by_label("Name of the key").fill("Payroll and HR (live)")
    page.get_by_label(re.compile("Check certificates")).check()
    page.get_by_label(re.compile("List your organisation")).check()
    page.get_by_role("button", name="Create key").click()
    key = page.locator("#api-key").inner_text().strip()
    assert key.startswith("kss_")
    visit.check()

    status, media, body = api(visit.base_url, "/verifications", key, {"certificate_id": code, "surname": "Okafor"})
    assert (status, media, body["certificate"]["status"]) == (200, "application/json", "valid")
    status, _, listed = api(visit.base_url, "/accreditations?tier=practitioner", key)
    assert status == 200 and listed["organisation"] == "Northmoor Borough Council" and code in json.dumps(listed)
    status, media, problem = api(visit.base_url, "/verifications", key[:-3] + "xyz", {"certificate_id": code, "surname": "Okafor"})
    assert (status, media, problem["type"]) == (401, "application/problem+json", "/api/v1/problems/invalid-api-key")

    page.get_by_role("link", name="I have copied the key").click()
    row = page.get_by_role("row", name=re.compile("Payroll and HR"))
    expect(row).not_to_contain_text("Never")  # last used: just now
    visit.check()
    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is revoked")
    visit.check()
    status, _, problem = api(visit.base_url, "/accreditations", key)
    assert status == 401 and problem["type"] == "/api/v1/problems/revoked-api-key"
