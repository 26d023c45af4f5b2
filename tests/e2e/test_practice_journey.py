"""Observed practice in a real browser: a sitting is allocated to two assessors, both mark blind (one
disagreeing), the moderator resolves it, the administrator releases, the candidate reads feedback and
a practice profile, and the rater-quality report shows kappa. Every page is scanned with axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_quality_journey import sign_in_as, sign_out

pytestmark = pytest.mark.e2e

ASSESSORS = {"Samuel Okafor": "assessor@accreditation.example.org", "Megan Hughes": "assessor2@accreditation.example.org"}


def mark_everything(visit, score, *, first_differs_to=None):
    """Mark every criterion on the page: a score, evidence and feedback."""
    page = visit.page
    groups = page.locator("fieldset:has(input[name^='score-'])")
    for index in range(groups.count()):
        group = groups.nth(index)
        name = group.locator("input[type=radio]").first.get_attribute("name")
        value = str(first_differs_to if index == 0 and first_differs_to else score)
        group.locator(f"input[value='{value}']").check()
        page.locator(f"textarea[name='{name.replace('score-', 'evidence-')}']").fill("Seen in the station: specific, noted at the time.")
        page.locator(f"textarea[name='{name.replace('score-', 'feedback-')}']").fill("You showed this clearly; keep building on it.")


def test_a_sitting_is_marked_blind_moderated_released_and_read(app, visit):
    page = visit.page
    sign_in_as(app, visit, "admin@accreditation.example.org")
    page.get_by_role("link", name="Observed practice", exact=True).click()
    visit.check()
    # The demo candidate's sitting was scheduled with two assessors allocated automatically.
    page.get_by_role("link", name="Jordan Ellis").click()
    expect(page.get_by_role("heading", name="Assessors")).to_be_visible()
    allocated = page.locator("table").first.inner_text()
    assert "Samuel Okafor" in allocated and "Megan Hughes" in allocated
    visit.check()
    page.get_by_role("button", name="Check the candidate in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm the candidate's photo identity")
    visit.check()
    page.get_by_label("I have checked the candidate's photo identity").check()
    page.get_by_label(re.compile("confirmed their Social Work England registration number")).check()
    page.get_by_label("The candidate consents to being filmed").check()
    page.get_by_role("button", name="Check the candidate in").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("checked in")
    visit.check()
    sitting_url = page.url
    sign_out(visit)

    for name, score, differs in (("Samuel Okafor", 5, None), ("Megan Hughes", 5, 2)):
        sign_in_as(app, visit, ASSESSORS[name])
        page.get_by_role("link", name="Observed practice allocated to you").click()
        visit.check()
        page.get_by_role("link", name="Jordan Ellis").click()
        expect(page.get_by_text("Other assessor's mark", exact=True)).to_have_count(0)  # blind
        visit.check()
        mark_everything(visit, score, first_differs_to=differs)
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("draft marks are saved")
        visit.check()
        page.get_by_role("button", name="Submit marks").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("submitted and locked")
        visit.check()
        sign_out(visit)

    sign_in_as(app, visit, "moderator@accreditation.example.org")
    page.get_by_role("link", name="Sittings to moderate").click()
    visit.check()
    page.get_by_role("link", name="Jordan Ellis").click()
    expect(page.get_by_text("Differ by 3")).to_be_visible()
    visit.check()
    groups = page.locator("fieldset:has(input[name^='score-'])")
    for index in range(groups.count()):
        groups.nth(index).locator("input[value='5']").check()
    page.get_by_label("Rationale for the agreed marks").fill(
        "Both assessors' evidence read: the written record supports a 5 on the first criterion, as on the others.")
    page.get_by_role("button", name="Record the agreed marks").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Agreed marks recorded")
    visit.check()
    sign_out(visit)

    sign_in_as(app, visit, "admin@accreditation.example.org")
    page.goto(sitting_url)
    expect(page.get_by_text("Practice component: passed.")).to_be_visible()
    visit.check()
    page.get_by_role("button", name="Release the result to the candidate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Result released")
    visit.check()
    visit.goto("/admin/practice/rater-quality")
    expect(page.get_by_role("table", name="Agreement by assessor and kind of station")).to_contain_text("Megan Hughes")
    expect(page.get_by_role("row", name=re.compile("Megan Hughes All stations"))).to_contain_text("Severe")
    sign_out(visit)

    sign_in_as(app, visit, "candidate@northmoor.example.org")
    page.get_by_role("link", name="See your observed practice result").click()
    expect(page.get_by_role("heading", name="Passed", exact=True)).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("Knowledge and Skills Statement"))).to_contain_text("Meets the standard")
    expect(page.get_by_text("You showed this clearly; keep building on it.").first).to_be_visible()
    visit.check()
