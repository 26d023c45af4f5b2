"""Journeys a person takes, in a real browser, with an accessibility scan of each page."""

import re

import pytest
from playwright.sync_api import expect

from app.admin.demo import DEMO_ACCOUNTS
from app.models import Role

pytestmark = pytest.mark.e2e

HOMES = {
    Role.CANDIDATE: ("/candidate", "Your accreditation"),
    Role.ASSESSOR: ("/assessor", "Marking"),
    Role.MODERATOR: ("/moderator", "Moderation"),
    Role.EMPLOYER: ("/employer/", "Northmoor Borough Council"),
    Role.ADMINISTRATOR: ("/admin/", "Administration"),
}


def sign_in(visit, email, password):
    page = visit.page
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    visit.check()


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda account: account.role.value)
def test_each_role_signs_in_to_their_home_page_and_out_again(app, visit, account):
    page = visit.page
    visit.goto("/")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile("^Sign in"))
    visit.check()
    sign_in(visit, account.email, app.config["DEMO_PASSWORD"])
    path, heading = HOMES[account.role]
    expect(page).to_have_url(visit.base_url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_text(account.email)).to_be_visible()
    visit.check()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    visit.check()


def test_public_pages_are_accessible(visit):
    page = visit.page
    visit.goto("/")
    page.get_by_role("link", name="The standards").click()
    expect(page.get_by_role("heading", name="Practice leader")).to_be_visible()
    visit.check()
    for link in ("Accessibility statement", "Privacy notice"):
        page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(link)
        visit.check()
    visit.goto("/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert visit.page_status == 404 and visit.problems == []  # the browser's own note of the 404 is expected; the page is scanned


def test_sign_in_errors_are_summarised_and_linked_to_the_fields(visit):
    page = visit.page
    visit.goto("/account/sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile("^Error: Sign in"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    visit.check()


def test_administrator_invites_someone_who_sets_a_password_with_javascript_off(app, browser, live_server):
    """The whole invitation journey works with no JavaScript at all."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = live_server.url()
    page.goto(base + "/account/sign-in")
    page.get_by_label("Email address").fill("admin@accreditation.example.org")
    page.get_by_label("Password", exact=True).fill(app.config["DEMO_PASSWORD"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Invite someone").first.click()
    page.get_by_label("Full name").fill("Femi Johnson")
    page.get_by_label("Email address").fill("femi.johnson@example.org")
    page.get_by_label("Assessor").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to femi.johnson@example.org.")).to_be_visible()

    page.goto(base + "/admin/outbox")
    page.get_by_role("row", name=re.compile("femi.johnson@example.org")).get_by_role("link").click()
    # live_server gives the app SERVER_NAME localhost.localdomain, which does not resolve here: keep the path
    link = re.search(r"http://\S+?(/account/set-password/[\w-]+)", page.locator("pre").inner_text()).group(1)
    page.get_by_role("button", name="Sign out").click()

    page.goto(base + link)
    expect(page.get_by_text("Welcome, Femi Johnson.")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("marble otter saucepan")
    page.get_by_label("Confirm new password").fill("marble otter saucepan")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_text("Your password has been saved. You can now sign in.")).to_be_visible()
    page.get_by_label("Email address").fill("femi.johnson@example.org")
    page.get_by_label("Password", exact=True).fill("marble otter saucepan")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Marking")
    context.close()


def test_the_accessibility_scan_reports_violations(visit):
    """Guards the guard: an image without alternative text must be caught."""
    visit.goto("/")
    visit.page.evaluate("document.querySelector('main').appendChild(Object.assign(document.createElement('img'), {src: '/static/images/favicon.svg'}))")
    visit.check()
    assert any(problem.startswith("axe image-alt") for problem in visit.problems)
    visit.problems.clear()


def test_administrator_reviews_an_item_in_the_bank(app, visit):
    page = visit.page
    visit.goto("/account/sign-in")
    sign_in(visit, "admin@accreditation.example.org", app.config["DEMO_PASSWORD"])
    page.get_by_role("link", name="Question bank").click()
    visit.check()
    page.get_by_label("Type").select_option("ranking")
    page.get_by_role("button", name="Filter").click()
    visit.check()
    page.locator("table a").first.click()
    expect(page.get_by_role("heading", name="As the candidate sees it")).to_be_visible()
    expect(page.get_by_role("heading", name="Key and rationales")).to_be_visible()
    visit.check()
    page.locator(".govuk-summary-list a").first.click()  # the item's scenario, stage by stage
    expect(page.get_by_role("heading", name=re.compile("^Stage 1"))).to_be_visible()
    visit.check()
    page.go_back()
    page.get_by_role("link", name="Edit this item").click()
    expect(page.get_by_role("button", name="Save as a new version")).to_be_visible()
    visit.check()
    page.get_by_role("button", name="Save as a new version").click()
    expect(page).to_have_title(re.compile("^Error: Edit"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why you are changing this item")
    visit.check()
    visit.goto("/admin/windows")
    page.get_by_role("button", name=re.compile("^Prepare forms for the child and family practitioner window")).first.click()
    expect(page.get_by_text(re.compile("Forms prepared for Child and family practitioner"))).to_be_visible()
    visit.check()
    page.get_by_role("link", name="Create a window").click()
    visit.check()
    visit.goto("/admin/adjustments")
    visit.goto("/admin/blueprints")
    page.get_by_role("link", name="Change the practice leader blueprint").click()
    expect(page.get_by_label("L6 Quality assurance and improvement")).to_have_value("1")
    visit.check()
    visit.goto("/admin/bank/items/new")
    page.get_by_label("Tier").select_option("supervisor")
    page.get_by_label("Type").select_option("multiple_response")
    page.get_by_label("Where the item sits").select_option("general")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Option H text")).to_be_visible()
    visit.check()


def test_employer_endorses_a_candidate_who_sees_it_on_their_home_page(app, visit):
    page = visit.page
    visit.goto("/account/sign-in")
    sign_in(visit, "employer@northmoor.example.org", app.config["DEMO_PASSWORD"])
    page.get_by_role("link", name="Jordan Ellis").click()
    visit.check()
    page.get_by_role("link", name="Endorse for a tier").click()
    visit.check()
    page.get_by_label("Child and family practitioner").check()
    page.get_by_label("Your endorsement statement").fill("Reviewed Jordan's recording and two observed visits against P1-P10.")
    page.get_by_label("I have reviewed their practice").check()
    page.get_by_role("button", name="Endorse").click()
    expect(page.get_by_text("Jordan Ellis is endorsed for Child and family practitioner.")).to_be_visible()
    visit.check()
    page.get_by_role("button", name="Sign out").click()
    sign_in(visit, "candidate@northmoor.example.org", app.config["DEMO_PASSWORD"])
    expect(page.get_by_text("You are endorsed for Child and family practitioner by Priya Shah")).to_be_visible()
    page.get_by_role("link", name="Book an assessment").click()
    visit.check()
    page.get_by_label(re.compile(r"Child and family practitioner: \d")).check()
    page.get_by_label(re.compile(r"Yes, share my results")).check()
    page.get_by_role("button", name="Book this place").click()
    expect(page.get_by_text("You have a place")).to_be_visible()
    visit.check()
    page.get_by_role("link", name="Change booking").click()
    expect(page.get_by_text("There are no other windows with places for your tier")).to_be_visible()
    visit.check()
    page.get_by_role("link", name="Back to your accreditation").click()
    page.get_by_role("link", name="Ask for reasonable adjustments").click()
    visit.check()
    page.get_by_label("25% extra time").check()
    page.get_by_label("Rest breaks that pause the clock").check()
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("Your request has been sent.")).to_be_visible()
    visit.goto("/candidate/adjustments")
    expect(page.get_by_text("Waiting for a decision: 25% extra time; rest breaks that pause the clock.")).to_be_visible()
