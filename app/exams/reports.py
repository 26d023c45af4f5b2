"""The candidate's released result as the feedback report sees it: rows translated into plain values."""

from flask import current_app
from sqlmodel import Session, select

from app.exams.attempts import profile
from app.exams.feedback_report import FeedbackReport, StatementFeedback
from app.models import Attempt, Statement
from app.scoring import knowledge_decision


def feedback_report_for(session: Session, attempt: Attempt) -> FeedbackReport:
    result = profile(session, attempt)
    statements = {s.code: s for s in session.exec(select(Statement))}
    window = attempt.booking.window
    return FeedbackReport(
        candidate_name=attempt.candidate.name, registration_number=attempt.candidate.swe_number,
        tier_name=window.tier.name, standard=window.tier.standard, sat_at=attempt.submitted_at,
        score=attempt.score, max_score=attempt.max_score, cut_score=attempt.cut_score, passed=bool(attempt.passed),
        answered=result.answered, questions=len(attempt.form.items),
        statements=tuple(StatementFeedback(code=row.code, title=statements[row.code].title, summary=statements[row.code].summary,
                                           score=row.score, max_score=row.max_score, items=row.items, label=row.label)
                         for row in result.by_statement),
        issuing_body=current_app.config["ISSUING_BODY"], reference=f"Attempt {attempt.id}",
        statement_minimum_percent=attempt.form.statement_minimum_percent,
        below_minimum=knowledge_decision(attempt.score, attempt.cut_score, result.by_statement,
                                         statement_minimum_percent=attempt.form.statement_minimum_percent).below_minimum)
