"""Cross-site scripting: payloads placed in free-text fields (people's and organisations' names,
an endorsement statement, an API key's name, CSV cells, a form re-shown with its values) never run in
Chromium. The test fails on any dialog, checks that every page carries a CSP without 'unsafe-inline'
scripts, and that template syntax is shown as text, not evaluated."""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.api.keys import create_key
from app.models import Endorsement, Organisation, OrganisationKind, Role, RoleMembership, Tier, User
from tests.e2e.test_quality_journey import sign_in_as, sign_out

pytestmark = pytest.mark.e2e

PAYLOADS = [
    "<script>alert('x1')</script>",
    "\"><img src=x onerror=alert('x2')>",
    "<svg onload=alert('x3')>",
    "javascript:alert('x4')",
    "{{ 7*7 }}{% raw %}",
]


def plant(app):
    """Payloads stored the way data arrives (imports, other users' typing)."""
    with Session(app.extensions["db"].engine) as session:
        organisation = Organisation(name="Xss Council " + PAYLOADS[1], kind=OrganisationKind.LOCAL_AUTHORITY)
        session.add(organisation)
        session.flush()
        employer = User(name="Employer " + PAYLOADS[0], email="xss.employer@example.org", organisation_id=organisation.id,
                        memberships=[RoleMembership(role=Role.EMPLOYER)])
        staff = User(name="Staff " + PAYLOADS[2] + PAYLOADS[4], email="xss.staff@example.org", organisation_id=organisation.id,
                     swe_number="SW199999", memberships=[RoleMembership(role=Role.CANDIDATE)])
        session.add_all([employer, staff])
        session.flush()
        tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
        session.add(Endorsement(candidate_id=staff.id, tier_id=tier.id, endorsed_by_id=employer.id, statement="Reviewed " + " ".join(PAYLOADS)))
        create_key(session, actor=employer, organisation=organisation, name="Key " + PAYLOADS[1], scopes=["verify"])
        session.commit()
        return staff.id, organisation.id


def test_payloads_in_free_text_never_run(app, visit, tmp_path):
    staff_id, organisation_id = plant(app)
    page = visit.page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    csp = []
    page.on("response", lambda response: csp.append(response.headers.get("content-security-policy", ""))
            if response.request.resource_type == "document" else None)

    sign_in_as(app, visit, "admin@accreditation.example.org")
    visit.goto(f"/admin/users/{staff_id}")
    expect(page.locator("main")).to_contain_text("Staff <svg onload=alert('x3')>{{ 7*7 }}")
    for path in ("/admin/users", "/admin/organisations", f"/admin/organisations/{organisation_id}", "/admin/audit"):
        visit.goto(path)
    sign_out(visit)

    # As the organisation's employer: their staff, the endorsement, the API key's name, and the checking pages.
    with Session(app.extensions["db"].engine) as session:
        from app.accounts.passwords import hash_password

        employer = session.exec(select(User).where(User.email == "xss.employer@example.org")).one()
        employer.password_hash = hash_password(app.config["DEMO_PASSWORD"], profile="fast")
        session.commit()
    sign_in_as(app, visit, "xss.employer@example.org")
    for path in ("/employer/", f"/employer/staff/{staff_id}", "/employer/api-keys"):
        visit.goto(path)
    visit.goto("/verify")
    page.get_by_label("Certificate id").fill(PAYLOADS[1])
    page.get_by_label("Holder’s surname").fill(PAYLOADS[0])
    page.get_by_role("button", name="Check certificate").click()
    visit.check()
    sheet = tmp_path / "xss.csv"
    sheet.write_text("certificate_id,surname\n" + "\n".join(f'"{p.replace(chr(34), chr(34) * 2)}",x' for p in PAYLOADS) + "\n")
    visit.goto("/verify/bulk")
    page.get_by_label("CSV file").set_input_files(str(sheet))
    page.get_by_role("button", name="Check and show the results").click()
    expect(page.locator("main")).to_contain_text("<script>alert('x1')</script>")
    visit.check()

    assert dialogs == []
    assert csp and all("script-src 'self'" in header and "unsafe-inline" not in header.split("script-src")[1].split(";")[0]
                       for header in csp), csp
    assert not re.search(r"\b49\b", page.locator("main").inner_text())
