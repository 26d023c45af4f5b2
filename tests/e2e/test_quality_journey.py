"""Standard setting, the quality report and regrading, and equality monitoring, in a real browser
with an axe scan of every page."""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.models import AuditEvent
from tests.e2e.conftest import SIMULATED_CANDIDATES
from tests.e2e.test_journeys import sign_in

pytestmark = pytest.mark.e2e


def simulated(app) -> dict:
    with Session(app.extensions["db"].engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "window.simulated")).one()
        return {"window_id": int(event.object_id), **event.details}


def sign_in_as(app, visit, email):
    visit.goto("/account/sign-in")
    sign_in(visit, email, app.config["DEMO_PASSWORD"])


def sign_out(visit):
    visit.page.get_by_role("button", name="Sign out").click()
    visit.check()


def test_administrator_reads_the_quality_report_and_regrades_a_miskeyed_item(app, visit):
    planted = simulated(app)
    page = visit.page
    sign_in_as(app, visit, "admin@accreditation.example.org")
    visit.goto(f"/admin/windows/{planted['window_id']}/attempts")
    expect(page.get_by_role("columnheader", name="Pass mark")).to_be_visible()  # each candidate's form has its own cut score
    page.get_by_role("link", name="Quality report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quality report")
    expect(page.get_by_text(f"From the {SIMULATED_CANDIDATES} submitted attempts")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("randomly parallel forms")
    expect(page.get_by_role("img", name=re.compile("Score distribution"))).to_be_visible()
    page.get_by_text("Score distribution as a table").click()
    expect(page.get_by_role("table", name="Candidates at each score")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(planted["miskeyed"]))
    expect(row.first).to_contain_text("Distractor beats key")
    dif = page.get_by_role("table", name="Items with moderate or large DIF")
    expect(dif.get_by_role("row", name=re.compile(f"{planted['dif_item']}.*Male compared with Female.*C"))).to_be_visible()
    visit.check()

    page.get_by_role("link", name=planted["miskeyed"], exact=True).click()
    expect(page.get_by_role("table", name="Options")).to_be_visible()
    visit.check()
    page.get_by_role("link", name="Correct its key or void it").click()
    expect(page.get_by_role("heading", name="Who it reaches")).to_be_visible()
    visit.check()
    page.get_by_label("Correct key").fill(planted["true_key"])
    page.get_by_label("Why the key was wrong").fill("Item analysis: strong candidates chose another option; the writer confirmed the key.")
    page.get_by_role("button", name=re.compile("^Correct the key and rescore")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("submitted attempt(s) rescored")
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"Key after {planted['true_key']}")
    visit.check()
    page.get_by_role("link", name="Back to regrading").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Regrading")
    visit.check()
    visit.goto(f"/admin/windows/{planted['window_id']}/quality")
    expect(page.get_by_role("row", name=re.compile(planted["miskeyed"])).first).not_to_contain_text("Distractor beats key")


def test_a_panel_sets_the_standard_in_the_browser(app, visit):
    page = visit.page
    sign_in_as(app, visit, "admin@accreditation.example.org")
    page.get_by_role("link", name="Standard setting").click()
    expect(page.get_by_role("heading", name="How the cut score is set")).to_be_visible()
    visit.check()
    page.get_by_role("link", name="Open a panel").click()
    visit.check()
    page.get_by_label("Practice leader").check()
    page.get_by_label("Name of the panel").fill("Leader panel, browser test")
    for name in ("Samuel Okafor", "Grace Adeyemi", "Megan Hughes"):
        page.get_by_label(re.compile(name)).check()
    page.get_by_label(re.compile("Include items that already have an agreed rating")).check()
    page.get_by_role("button", name="Open panel").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Leader panel, browser test is open")
    visit.check()
    panel_url = page.url
    sign_out(visit)

    for email, rating in (("assessor@accreditation.example.org", "55"), ("moderator@accreditation.example.org", "65"),
                          ("assessor2@accreditation.example.org", "60")):
        sign_in_as(app, visit, email)
        visit.goto("/panels")
        page.get_by_role("link", name=re.compile("Leader panel, browser test")).click()
        while True:
            visit.check()
            for field in page.locator("input[name^='rating_']").all():
                field.fill(rating)
            page.get_by_role("button", name="Save and continue").click()
            if "/rate" not in page.url:
                break
        visit.check()
        sign_out(visit)

    sign_in_as(app, visit, "admin@accreditation.example.org")
    page.goto(panel_url)
    visit.check()
    page.get_by_role("button", name="Agree the round 1 mean for every item").click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    visit.check()
    page.get_by_role("button", name="Close the panel").click()
    visit.check()
    visit.goto("/admin/standard-setting")
    expect(page.get_by_role("row", name=re.compile("Leader panel, browser test"))).to_contain_text("Closed")


def test_a_candidate_gives_equality_monitoring_answers(app, visit):
    page = visit.page
    sign_in_as(app, visit, "candidate@northmoor.example.org")
    page.get_by_role("link", name="Answer the equality-monitoring questions").click()
    visit.check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page).to_have_title(re.compile("^Error:"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select your age group, or Prefer not to say")
    visit.check()
    page.get_by_label("35 to 44").check()
    page.get_by_label("Female").check()
    page.get_by_role("group", name=re.compile("ethnic group")).get_by_label("Prefer not to say").check()
    page.get_by_role("group", name=re.compile("disability")).get_by_label("No", exact=True).check()
    page.get_by_label(re.compile("I agree that my answers")).check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your answers are saved")
    visit.check()
    page.get_by_role("link", name="Change or withdraw them").click()
    expect(page.get_by_label("35 to 44")).to_be_checked()
    page.get_by_role("button", name="Withdraw and delete my answers").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("deleted")
    visit.check()
