"""Two-factor sign-in in a real browser, with axe on every page: a social worker adds the service to
an authenticator (here pyotp reads the key the page shows), keeps the recovery codes, then signs in
with a code, and later with a recovery code."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from app.accounts.passwords import hash_password
from app.models import Role, RoleMembership, User
from tests.e2e.test_journeys import sign_in

pytestmark = pytest.mark.e2e


def test_a_social_worker_turns_on_two_factor_and_signs_in_with_it(app, visit):
    with Session(app.extensions["db"].engine) as session:
        session.add(User(name="Alex Morgan", email="alex.morgan@northmoor.example.org", swe_number="SW100077",
                         password_hash=hash_password(app.config["DEMO_PASSWORD"], profile="fast"),
                         memberships=[RoleMembership(role=Role.CANDIDATE)]))
        session.commit()
    page, email, password = visit.page, "alex.morgan@northmoor.example.org", app.config["DEMO_PASSWORD"]
    visit.goto("/account/sign-in")
    sign_in(visit, email, password)
    visit.goto("/account/")
    page.get_by_role("link", name="Set up or manage two-factor sign-in").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    visit.check()
    key = page.locator("#two-factor-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)
    page.get_by_label("Code from your authenticator app").fill("000000" if totp.now() != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("That code is not right")
    visit.check()
    page.get_by_label("Code from your authenticator app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is on")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    visit.check()
    page.get_by_role("link", name="I have kept my recovery codes").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(visit, email, password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Code").fill(totp.at(time.time() + 30))  # the next code: the current one was used to set up
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Enter your code")
    visit.check()
    page.get_by_role("button", name="Sign out").click()

    sign_in(visit, email, password)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have 9 left")
    visit.check()
