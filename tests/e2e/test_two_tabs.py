"""One attempt open in two browser tabs, in Chromium: an older answer from one tab never overwrites a
newer one from the other (the tab that was behind is told, and shows the saved answer), and pressing
"Submit" in both tabs submits once. The concurrent versions of these races, against gunicorn, are in
tests/test_submission_races.py."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.models import AuditEvent, Response
from tests.e2e.test_assessment_journey import journey, sign_in, started_attempt  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e

SLOW = 15_000  # ms: an autosave or a page on a loaded machine (the default wait is 5 s)
OTHER_TAB = "This answer was changed in another window or tab. The answer shown is the one saved."


def single_best_answer_position(app, form_id) -> int:
    from app.models import FormItem, ItemVersion

    engine = app.extensions["db"].engine
    with Session(engine) as session:
        position = session.exec(select(FormItem.position).join(ItemVersion, ItemVersion.id == FormItem.item_version_id)
                                .where(FormItem.form_id == form_id, ItemVersion.type == "single_best_answer")
                                .order_by(FormItem.position)).first()
    engine.dispose()
    return position


def stored(app, attempt_id):
    engine = app.extensions["db"].engine
    with Session(engine) as session:
        responses = [(r.answer, r.revision) for r in session.exec(select(Response).where(Response.attempt_id == attempt_id))]
        submissions = session.exec(select(AuditEvent).where(AuditEvent.action == "attempt.submitted",
                                                            AuditEvent.object_id == str(attempt_id))).all()
    engine.dispose()
    return responses, len(submissions)


def test_two_tabs_on_one_attempt(app, browser, live_server, journey):  # noqa: F811
    attempt_id, form_id = started_attempt(app, journey, time_left=timedelta(minutes=40))
    position = single_best_answer_position(app, form_id)
    base = live_server.url()
    context = browser.new_context()  # one browser: the tabs share the sign-in and the device's answer queue
    first = context.new_page()
    sign_in(first, base, journey["email"], app.config["DEMO_PASSWORD"])
    question = f"{base}/candidate/attempts/{attempt_id}/questions/{position}"
    first.goto(question)
    second = context.new_page()
    second.goto(question)  # both tabs show the question unanswered
    options = [first.locator("input[name='answer']").nth(n) for n in range(4)]
    values = [option.get_attribute("value") for option in options]

    first.locator("input[name='answer']").nth(0).check()
    expect(first.locator("[data-save-status]")).to_have_text("Saved", timeout=SLOW)

    # The second tab, still showing the question unanswered, answers differently: it is behind.
    second.locator("input[name='answer']").nth(1).check()
    expect(second.locator("[data-save-status]")).to_have_text(OTHER_TAB, timeout=SLOW)
    expect(second.locator("input[name='answer']").nth(0)).to_be_checked(timeout=SLOW)  # it now shows the saved answer
    assert stored(app, attempt_id)[0] == [([values[0]], 1)]

    # Now up to date, the second tab's change is saved; then the first tab is the one behind.
    second.locator("input[name='answer']").nth(2).check()
    expect(second.locator("[data-save-status]")).to_have_text("Saved", timeout=SLOW)
    first.locator("input[name='answer']").nth(3).check()
    expect(first.locator("[data-save-status]")).to_have_text(OTHER_TAB, timeout=SLOW)
    expect(first.locator("input[name='answer']").nth(2)).to_be_checked(timeout=SLOW)
    assert stored(app, attempt_id)[0] == [([values[2]], 2)]

    # Both tabs reach the check page and both press Submit: one submission, both see it.
    for tab in (first, second):
        tab.goto(f"{base}/candidate/attempts/{attempt_id}/check")
    for tab in (first, second):
        tab.get_by_role("button", name="Submit your answers").click()
        expect(tab.get_by_role("heading", name="Assessment submitted")).to_be_visible(timeout=SLOW)
    assert stored(app, attempt_id) == ([([values[2]], 2)], 1)

    # The first tab's question page, reopened, no longer takes answers.
    first.goto(question)
    expect(first.get_by_role("heading", name="Assessment submitted")).to_be_visible(timeout=SLOW)
    context.close()
