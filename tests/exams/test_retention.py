"""Retention: the answers of unsuccessful attempts go after the retention period; scores, decisions
and everything else stay."""

from datetime import timedelta

from sqlmodel import select

from app.accounts.retention import apply_retention
from app.models import Attempt, Response
from app.models.types import utcnow
from tests.conftest import audit_actions
from tests.exams.test_sitting import save_json, sign_out, start, the_attempt


def _sat(client, forms, session, booked, *, passed):
    sitting = booked()
    start(client, forms, sitting)
    attempt = the_attempt(session, sitting)
    for position in (1, 2, 3):
        save_json(client, forms, attempt, position, {"answer": ["A"], "flagged": False, "revision": 1})
    sign_out(forms)
    attempt = session.get(Attempt, attempt.id)
    attempt.status, attempt.passed, attempt.score = "submitted", passed, 10
    session.commit()
    return attempt


def _answers(session, attempt):
    return len(session.exec(select(Response).where(Response.attempt_id == attempt.id)).all())


def test_old_unsuccessful_answers_go_and_everything_else_stays(app, client, forms, session, booked, open_window):
    failed, passed = _sat(client, forms, session, booked, passed=False), _sat(client, forms, session, booked, passed=True)
    assert _answers(session, failed) == 3 and _answers(session, passed) == 3
    open_window.results_released_at = utcnow() - timedelta(days=400)  # about 13 months ago
    session.commit()
    assert apply_retention(session, now=utcnow(), months=24).attempts == 0  # not yet due
    app.config["RETENTION_FAILED_RESPONSES_MONTHS"] = 12
    try:
        preview = app.test_cli_runner().invoke(args=["retention", "apply", "--dry-run"])
    finally:
        app.config["RETENTION_FAILED_RESPONSES_MONTHS"] = 24
    assert "Would delete 3 answers from 1 unsuccessful attempts" in preview.output and _answers(session, failed) == 3
    result = apply_retention(session, now=utcnow(), months=12)
    session.commit()
    assert (result.attempts, result.responses) == (1, 3)
    assert _answers(session, failed) == 0 and _answers(session, passed) == 3
    kept = session.get(Attempt, failed.id)
    assert (kept.passed, kept.score) == (False, 10)  # the decision is the record of the assessment
    assert audit_actions(session, action="retention.responses_deleted")
    assert apply_retention(session, now=utcnow(), months=12).attempts == 0  # idempotent
