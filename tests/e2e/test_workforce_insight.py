"""Workforce insight in a real browser: the demo employer's KSS heat map of the simulated cohort's
staff who share their results, and the administrators' national view, each with an axe scan."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_journeys import sign_in

pytestmark = pytest.mark.e2e


def test_the_employer_reads_the_heat_map_of_staff_who_share_their_results(app, visit):
    page = visit.page
    visit.goto("/account/sign-in")
    sign_in(visit, "employer@northmoor.example.org", app.config["DEMO_PASSWORD"])
    page.get_by_role("link", name="See your staff's strengths and areas to develop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workforce insight")
    expect(page.locator(".govuk-inset-text")).to_contain_text(re.compile(r"\d+ of the \d+ people on your staff with released results"))
    table = page.get_by_role("table", name="Child and family practitioner: strengths and areas to develop by statement")
    expect(table.get_by_role("row")).to_have_count(11)  # the header and P1 to P10
    p1 = table.get_by_role("row", name=re.compile(r"^P1 Relationships"))
    expect(p1).to_contain_text(re.compile(r"\d+%\s+\d+%\s+\d+"))
    expect(p1.locator("td.app-heat").first).to_have_class(re.compile(r"app-heat--strength-\d"))
    expect(page.get_by_text("No released results for this tier yet.").first).to_be_visible()
    visit.check()


def test_the_administrator_reads_the_national_view(app, visit):
    page = visit.page
    visit.goto("/account/sign-in")
    sign_in(visit, "admin@accreditation.example.org", app.config["DEMO_PASSWORD"])
    page.get_by_role("link", name="Workforce insight").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workforce insight: national view")
    coverage = page.get_by_role("table", name="Child and family practitioner", exact=True)
    expect(coverage.get_by_role("row", name=re.compile("^Northmoor Borough Council"))).to_be_visible()
    expect(coverage.get_by_role("row", name=re.compile("^All organisations"))).to_be_visible()
    heat_map = page.get_by_role("table", name="Child and family practitioner: strengths and areas to develop by statement")
    expect(heat_map.get_by_role("row", name=re.compile(r"^P10 "))).to_contain_text(re.compile(r"\d+%\s+\d+%\s+\d+"))
    visit.check()
