"""Certificates, appeals and resits in a real browser, with axe on every page: an accredited demo
candidate downloads a signed PDF that pdfsig reports valid and a credential that PyJWT verifies against
the served JWKS; a share link shows the status; revoking changes it everywhere at once; a candidate
refused a resit appeals, the appeal is upheld, and they book."""

import json
import re
import shutil
import subprocess
import urllib.request
from datetime import timedelta

import jwt
import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.accounts.passwords import hash_password
from app.accreditation.credential import bit_is_set, decode_list
from app.models import (
    AssessmentForm,
    AssessmentMode,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    Endorsement,
    Role,
    RoleMembership,
    Tier,
    User,
)
from app.models.types import utcnow
from tests.e2e.test_quality_journey import sign_in_as, sign_out

pytestmark = pytest.mark.e2e


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (the live test server)
        return response.read()


def jwks_key(base: str, token: str):
    """The served key whose thumbprint (the kid's fragment) is the token's: the demo certificates were
    signed before the live server's port was known, so the kid's host part differs from it."""
    fragment = jwt.get_unverified_header(token)["kid"].split("#")[-1]
    keys = json.loads(fetch(f"{base}/.well-known/jwks.json"))["keys"]
    (match,) = [k for k in keys if k["kid"].endswith("#" + fragment)]
    return jwt.PyJWK(match).key


def test_an_accredited_candidate_downloads_shares_and_is_revoked(app, visit, tmp_path, browser):
    page = visit.page
    sign_in_as(app, visit, "accredited.candidate@northmoor.example.org")
    page.get_by_role("link", name="your certificates").click()
    expect(page.get_by_role("heading", name=re.compile("Child and family practitioner"))).to_contain_text("Valid")
    visit.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your certificate (signed PDF)").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    assert shutil.which("pdfsig"), "pdfsig is missing: install poppler-utils"
    report = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, check=False).stdout
    assert "Signature Validation: Signature is Valid." in report
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your digital credential (Open Badges 3.0)").click()
    token = (tmp_path / "credential.jwt")
    download.value.save_as(token)
    token = token.read_text()
    claims = jwt.decode(token, jwks_key(visit.base_url, token), algorithms=["EdDSA"], options={"verify_iss": False})
    assert claims["credentialSubject"]["name"] == "Amira Hussain"
    index = int(claims["credentialStatus"][0]["statusListIndex"])

    page.get_by_role("link", name="Share it with an employer").click()
    visit.check()
    page.get_by_label("Who it is for").fill("Northmoor Borough Council HR")
    page.get_by_role("button", name="Create link").click()
    shared = page.locator(".govuk-panel__body").inner_text().strip()
    visit.check()
    sign_out(visit)

    anonymous = browser.new_page()
    anonymous.goto(shared)
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("This certificate is valid")
    status = json.loads(jwt.utils.base64url_decode(fetch(f"{visit.base_url}/status/revocation").decode().split(".")[1]))
    assert not bit_is_set(decode_list(status["credentialSubject"]["encodedList"]), index)

    sign_in_as(app, visit, "admin@accreditation.example.org")
    visit.goto("/admin/certificates")
    page.get_by_role("row", name=re.compile("Amira Hussain")).get_by_role("link").click()
    visit.check()
    page.get_by_label("Reason (kept in the audit log)").last.fill("Removed from the Social Work England register.")
    page.get_by_role("button", name="Revoke certificate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is now revoked")
    visit.check()

    anonymous.reload()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("This certificate is not valid: revoked")
    revocation = fetch(f"{visit.base_url}/status/revocation").decode()
    document = jwt.decode(revocation, jwks_key(visit.base_url, revocation), algorithms=["EdDSA"], options={"verify_iss": False})
    assert bit_is_set(decode_list(document["credentialSubject"]["encodedList"]), index)
    anonymous.close()


def make_failed_candidate(app) -> str:
    """A practitioner candidate, endorsed, whose knowledge fail was released five days ago."""
    email = "resit.candidate@northmoor.example.org"
    with Session(app.extensions["db"].engine) as session:
        tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
        employer = session.exec(select(User).where(User.email == "employer@northmoor.example.org")).one()
        candidate = User(name="Robin Patel", email=email, swe_number="SW100010", organisation_id=employer.organisation_id,
                         password_hash=hash_password(app.config["DEMO_PASSWORD"], profile="fast"),
                         memberships=[RoleMembership(role=Role.CANDIDATE)])
        session.add(candidate)
        session.flush()
        session.add(Endorsement(candidate_id=candidate.id, tier_id=tier.id, endorsed_by_id=employer.id, statement="Reviewed in supervision."))
        now = utcnow()
        window = AssessmentWindow(tier_id=tier.id, opens_at=now - timedelta(days=12), closes_at=now - timedelta(days=11), capacity=1,
                                  mode=AssessmentMode.REMOTE, location="Past window", results_released_at=now - timedelta(days=5))
        session.add(window)
        session.flush()
        booking = Booking(candidate_id=candidate.id, window_id=window.id)
        session.add(booking)
        session.flush()
        form = AssessmentForm(booking_id=booking.id, time_limit_minutes=90, cut_score=18)
        session.add(form)
        session.flush()
        session.add(Attempt(booking_id=booking.id, form_id=form.id, candidate_id=candidate.id, status=AttemptStatus.SUBMITTED,
                            deadline_at=now - timedelta(days=11), submitted_at=now - timedelta(days=11), score=12, max_score=30,
                            cut_score=18, passed=False))
        session.commit()
    return email


def test_a_resit_is_refused_then_an_upheld_appeal_lets_the_candidate_book(app, visit):
    page = visit.page
    email = make_failed_candidate(app)
    sign_in_as(app, visit, email)
    page.get_by_role("link", name="Book an assessment").click()
    page.get_by_label(re.compile(r"Child and family practitioner: \d")).first.check()
    page.get_by_label(re.compile(r"No, my employer sees only")).check()
    page.get_by_role("button", name="Book this place").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("You can resit the knowledge component from")
    visit.check()
    visit.goto("/candidate")
    page.get_by_role("link", name="appeal a result").click()
    visit.check()
    page.get_by_label(re.compile("knowledge component \\(not yet passed\\)")).check()
    page.get_by_label("Your grounds").fill("My approved 25% extra time was not applied, so the paper ended while I was still answering.")
    page.get_by_role("button", name="Send appeal").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your appeal has been sent")
    visit.check()
    sign_out(visit)

    sign_in_as(app, visit, "admin@accreditation.example.org")
    visit.goto("/admin/appeals")
    page.get_by_role("link", name="Robin Patel").click()
    visit.check()
    page.get_by_label(re.compile("set the result aside")).check()
    page.get_by_label("Rationale").fill("The approved extra time was not applied: the result is set aside and the candidate sits again.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    visit.check()
    sign_out(visit)

    sign_in_as(app, visit, email)
    page.get_by_role("link", name="Book an assessment").click()
    page.get_by_label(re.compile(r"Child and family practitioner: \d")).first.check()
    page.get_by_label(re.compile(r"No, my employer sees only")).check()
    page.get_by_role("button", name="Book this place").click()
    expect(page.get_by_text("You have a place")).to_be_visible()
    visit.check()
