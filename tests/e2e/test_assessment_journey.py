"""The knowledge assessment end to end, in Chromium: the employer endorses, the candidate books and
sits the whole assessment (going offline part-way, leaving and coming back, with no answer lost),
submits, an administrator releases results and the candidate sees them. Then the same journey
with JavaScript off. axe scans every page of the JavaScript journey."""

import itertools
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.accounts.passwords import hash_password
from app.models import AssessmentMode, AssessmentWindow, Attempt, Organisation, Response, Role, RoleMembership, Tier, User
from app.models.types import utcnow

pytestmark = pytest.mark.e2e

_serial = itertools.count(1)


@pytest.fixture
def journey(app):
    """A new candidate at Northmoor, and a supervisor window (at its own centre) they can book."""
    n = next(_serial)
    engine = app.extensions["db"].engine
    with Session(engine) as session:
        northmoor = session.exec(select(Organisation).where(Organisation.name == "Northmoor Borough Council")).one()
        candidate = User(name=f"Alex Morgan {n}", email=f"alex.morgan{n}@northmoor.example.org", swe_number=f"SW77{n:04d}",
                         organisation_id=northmoor.id, password_hash=hash_password(app.config["DEMO_PASSWORD"], profile="fast"),
                         memberships=[RoleMembership(role=Role.CANDIDATE)])
        supervisor = session.exec(select(Tier).where(Tier.code == "supervisor")).one()
        window = AssessmentWindow(tier_id=supervisor.id, opens_at=utcnow() + timedelta(days=20), closes_at=utcnow() + timedelta(days=20, hours=6),
                                  capacity=5, mode=AssessmentMode.CENTRE, location=f"Journey Centre {n}", change_cutoff_hours=48)
        session.add_all([candidate, window])
        session.commit()
        details = {"name": candidate.name, "email": candidate.email, "window_id": window.id, "location": window.location}
    yield details
    engine.dispose()


def open_window_now(app, window_id):
    """Time passes: the window the candidate booked opens."""
    engine = app.extensions["db"].engine
    with Session(engine) as session:
        window = session.get(AssessmentWindow, window_id)
        window.opens_at, window.closes_at = utcnow() - timedelta(minutes=5), utcnow() + timedelta(hours=6)
        session.commit()
    engine.dispose()


def stored_answers(app, email) -> int:
    engine = app.extensions["db"].engine
    with Session(engine) as session:
        candidate = session.exec(select(User).where(User.email == email)).one()
        attempt = session.exec(select(Attempt).where(Attempt.candidate_id == candidate.id)).one()
        count = sum(1 for r in session.exec(select(Response).where(Response.attempt_id == attempt.id)) if r.answer)
    engine.dispose()
    return count


def sign_in(page, base, email, password):
    page.goto(base + "/account/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def endorse_and_book(app, page, base, journey, check=lambda: None):
    sign_in(page, base, "employer@northmoor.example.org", app.config["DEMO_PASSWORD"])
    page.get_by_role("link", name=journey["name"]).click()
    page.get_by_role("link", name="Endorse for a tier").click()
    page.get_by_label("Practice supervisor").check()
    page.get_by_label("Your endorsement statement").fill("Reviewed their supervision records and two observed sessions against S1-S8.")
    page.get_by_label("I have reviewed their practice").check()
    page.get_by_role("button", name="Endorse").click()
    expect(page.get_by_text(f"{journey['name']} is endorsed for Practice supervisor.")).to_be_visible()
    check()
    sign_out(page)
    sign_in(page, base, journey["email"], app.config["DEMO_PASSWORD"])
    page.get_by_role("link", name="Book an assessment").click()
    page.get_by_label(re.compile(journey["location"])).check()
    page.get_by_label(re.compile(r"No, my employer sees only")).check()
    page.get_by_role("button", name="Book this place").click()
    expect(page.get_by_text("You have a place")).to_be_visible()
    check()


def prepare(app):
    result = app.test_cli_runner().invoke(args=["exams", "prepare-due"])
    assert result.exit_code == 0, result.output


def answer_question(page):
    """Choose an answer of the question's type: the first option, the first three, or a full ranking."""
    form = page.locator("form[data-module='app-answer']")
    kind = form.get_attribute("data-type")
    if kind == "single_best_answer":
        page.locator("input[name='answer']").first.check()
    elif kind == "multiple_response":
        for n in range(3):
            page.locator("input[name='answer']").nth(n).check()
    else:
        selects = page.locator("select[data-rank]")
        for n in range(selects.count()):
            selects.nth(n).select_option(str(n + 1))
    return kind


def release_results(app, browser, base, window_id):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, base, "admin@accreditation.example.org", app.config["DEMO_PASSWORD"])
    page.goto(base + f"/admin/windows/{window_id}/attempts")
    expect(page.get_by_role("cell", name="Submitted", exact=True)).to_be_visible()
    page.get_by_role("button", name="Release results").click()
    expect(page.get_by_text("Results released to 1 candidate(s)")).to_be_visible()
    context.close()


def test_candidate_sits_the_whole_assessment_with_javascript_and_a_lost_connection(app, browser, live_server, visit, journey):
    page, context, base = visit.page, visit.page.context, live_server.url()
    endorse_and_book(app, page, base, journey, check=visit.check)
    open_window_now(app, journey["window_id"])
    prepare(app)

    visit.goto("/candidate")
    page.get_by_role("link", name="Start your assessment").click()
    expect(page.get_by_text("There are 30 questions")).to_be_visible()
    visit.check()
    page.get_by_label("I have read the rules and I am ready to start").check()
    page.get_by_role("button", name="Start assessment").click()
    status = page.locator("[data-save-status]")

    for position in range(1, 31):
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Question {position}")
        expect(page.locator("[data-timer-value]")).to_contain_text("minute")
        if position == 3:
            # The connection drops: the answer is kept on this device, and the page says so.
            context.set_offline(True)
            answer_question(page)
            expect(status).to_contain_text("Not saved yet")
            page.get_by_role("button", name="Save and continue").click()
            expect(status).to_contain_text("You appear to be offline")
            expect(page).to_have_url(re.compile(r"/questions/3$"))
            # The candidate closes the tab and, once back online, carries on from their home page.
            page.close()
            context.set_offline(False)
            offline = [p for p in visit.problems if "ERR_INTERNET_DISCONNECTED" in p]
            assert offline, "the browser should have failed to reach the server while offline"
            visit.problems[:] = [p for p in visit.problems if p not in offline]
            page = context.new_page()
            visit.page = page
            visit.goto("/candidate")
            page.get_by_role("link", name="Carry on with your assessment").click()
            expect(page).to_have_url(re.compile(r"/questions/3$"))
            status = page.locator("[data-save-status]")
            expect(status).to_have_text("Saved")  # the queued answer was sent when the page loaded
            page.reload()
            expect(page.locator("form[data-module='app-answer'] :checked, select[data-rank] option:checked[value='1']")
                   .first).to_be_attached()
            visit.check()
            page.get_by_role("button", name="Save and continue").click()
            continue
        answer_question(page)
        expect(status).to_have_text("Saved")
        if position == 1:
            page.get_by_label("Flag this question to review later").check()
            expect(status).to_have_text("Saved")
        if position in (1, 7, 30):
            visit.check()
        page.get_by_role("button", name="Save and check your answers" if position == 30 else "Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before you submit")
    expect(page.get_by_text("You flagged 1 question to review.")).to_be_visible()
    visit.check()
    assert stored_answers(app, journey["email"]) == 30
    page.get_by_role("button", name="Submit your answers").click()
    expect(page.get_by_role("heading", name="Assessment submitted")).to_be_visible()
    visit.check()

    release_results(app, browser, base, journey["window_id"])
    visit.goto("/candidate")
    page.get_by_role("link", name="See your result").click()
    expect(page.get_by_role("heading", name="Your knowledge assessment result")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Your score: [\d.]+ out of 30"))).to_be_visible()
    visit.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your feedback report (PDF)").click()
    assert download.value.suggested_filename.startswith("knowledge-assessment-feedback-")


def test_candidate_sits_the_whole_assessment_with_javascript_off(app, browser, live_server, journey):
    context = browser.new_context(java_script_enabled=False)
    page, base = context.new_page(), live_server.url()
    endorse_and_book(app, page, base, journey)
    open_window_now(app, journey["window_id"])
    prepare(app)

    page.goto(base + "/candidate")
    page.get_by_role("link", name="Start your assessment").click()
    page.get_by_role("button", name="Start assessment").click()
    expect(page.get_by_text("Confirm you have read the rules and are ready to start").first).to_be_visible()
    page.get_by_label("I have read the rules and I am ready to start").check()
    page.get_by_role("button", name="Start assessment").click()
    for position in range(1, 31):
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Question {position}")
        answer_question(page)
        if position == 10:
            # Leave part-way and come back: the attempt resumes where it was, with every answer kept.
            page.get_by_role("button", name="See all questions").click()
            expect(page.get_by_text("You have answered 10 of 30 questions")).to_be_visible()
            page.goto(base + "/candidate")
            page.get_by_role("link", name="Carry on with your assessment").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Question 10")
            page.get_by_role("button", name="Save and continue").click()
            continue
        page.get_by_role("button", name="Save and check your answers" if position == 30 else "Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before you submit")
    assert stored_answers(app, journey["email"]) == 30
    page.get_by_role("button", name="Submit your answers").click()
    expect(page.get_by_role("heading", name="Assessment submitted")).to_be_visible()

    release_results(app, browser, base, journey["window_id"])
    page.goto(base + "/candidate")
    page.get_by_role("link", name="See your result").click()
    expect(page.get_by_text(re.compile(r"Your score: [\d.]+ out of 30"))).to_be_visible()
    context.close()


def started_attempt(app, journey, *, time_left: timedelta):
    """Straight to a started attempt (endorsed, booked, form prepared, started) with `time_left`;
    returns (attempt id, form id)."""
    from app.exams.attempts import start_attempt
    from app.exams.forms_preparation import prepare_forms
    from app.models import Booking, Endorsement

    open_window_now(app, journey["window_id"])
    engine = app.extensions["db"].engine
    with Session(engine) as session:
        candidate = session.exec(select(User).where(User.email == journey["email"])).one()
        window = session.get(AssessmentWindow, journey["window_id"])
        employer = session.exec(select(User).where(User.email == "employer@northmoor.example.org")).one()
        session.add(Endorsement(candidate_id=candidate.id, tier_id=window.tier_id, endorsed_by_id=employer.id,
                                statement="Reviewed against every supervisor statement in supervision."))
        booking = Booking(candidate_id=candidate.id, window_id=window.id)
        session.add(booking)
        session.flush()
        prepare_forms(session, window=window, actor=None)
        attempt = start_attempt(session, booking=booking, now=utcnow())
        attempt.deadline_at = utcnow() + time_left
        session.commit()
        ids = attempt.id, attempt.form_id
    engine.dispose()
    return ids


def test_time_left_is_announced_at_ten_five_and_one_minutes_only(app, live_server, visit, journey):
    """The visible time counts down every second; the screen-reader announcement changes only at
    the sensible moments (10, 5 and 1 minutes left)."""
    attempt_id, _form_id = started_attempt(app, journey, time_left=timedelta(minutes=10, seconds=40))

    page = visit.page
    page.clock.install()
    sign_in(page, live_server.url(), journey["email"], app.config["DEMO_PASSWORD"])
    # Keep the page's own count: its once-a-minute check with the server would undo the fast-forward.
    page.route("**/status", lambda route: route.abort())
    visit.goto(f"/candidate/attempts/{attempt_id}/questions/1")
    announce = page.locator("[data-timer-announce]")
    expect(page.locator("[data-timer-value]")).to_have_text("10 minutes")
    expect(announce).to_have_text("")
    page.clock.run_for(60_000)  # past 10:00 left
    expect(announce).to_have_text("10 minutes left")
    page.clock.run_for(60_000)
    expect(announce).to_have_text("10 minutes left")  # unchanged for the minutes in between
    page.clock.run_for(4 * 60_000)
    expect(announce).to_have_text("5 minutes left")
    expect(page.locator(".app-timer")).to_have_class(re.compile("app-timer--low"))
    visit.problems[:] = [p for p in visit.problems if "ERR_FAILED" not in p]  # the blocked status checks
