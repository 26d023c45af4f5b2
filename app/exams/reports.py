"""The candidate's released result as the feedback report sees it: rows translated into plain values."""

from flask import current_app
from sqlmodel import Session, select

from app.exams.attempts import outcome
from app.exams.feedback_report import FeedbackReport, StatementFeedback
from app.models import Attempt, Statement


def feedback_report_for(session: Session, attempt: Attempt) -> FeedbackReport:
    result = outcome(session, attempt)
    statements = {s.code: s for s in session.exec(select(Statement))}
    window = attempt.booking.window
    return FeedbackReport(
        candidate_name=attempt.candidate.name, registration_number=attempt.candidate.swe_number,
        tier_name=window.tier.name, standard=window.tier.standard, sat_at=attempt.submitted_at,
        score=attempt.score, max_score=attempt.max_score, cut_score=attempt.cut_score, passed=bool(attempt.passed),
        answered=result.profile.answered, questions=result.questions, voided=result.voided,
        statements=tuple(StatementFeedback(code=row.code, title=statements[row.code].title, summary=statements[row.code].summary,
                                           score=row.score, max_score=row.max_score, items=row.items, label=row.label)
                         for row in result.profile.by_statement),
        issuing_body=current_app.config["ISSUING_BODY"], reference=f"Attempt {attempt.id}",
        statement_minimum_percent=attempt.form.statement_minimum_percent,
        below_minimum=result.below_minimum)
