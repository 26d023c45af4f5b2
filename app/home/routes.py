"""Start page, health check, information pages, and the candidate, assessor and moderator homes."""

import time

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import func, select

from app.accounts.navigation import home_endpoint
from app.accounts.permissions import acting_user, public, roles_required
from app.db import get_session
from app.models import Role, Tier
from app.models.types import utcnow

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    return render_template("home/index.html")


@bp.route("/healthz")
@public
def healthz():
    """For load balancers: 200 when the database answers, 503 when it does not. Each server process
    logs when it first finds the database unreachable and when it answers again (the outage's length)."""
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        if _outage.start is None:
            _outage.start = time.monotonic()
            current_app.logger.error("health check: the database is unreachable")
        return {"status": "unavailable", "database": "unreachable"}, 503
    if _outage.start is not None:
        current_app.logger.warning("health check: the database answers again after %.1f s", time.monotonic() - _outage.start)
        _outage.start = None
    return {"status": "ok", "database": "ok"}, 200


class _outage:
    """When this process's health check first failed (None while the database answers)."""

    start: float | None = None


@bp.route("/readyz")
@public
def readyz():
    """For deployments: 200 only when this server can do its work: the database answers and its
    schema is at the latest migration, and the issuer keys are in place; otherwise 503 with each
    check's result, so an instance is not sent traffic before `flask db-upgrade` has run."""
    from app.migrate import schema_state

    checks = {}
    try:
        current, head = schema_state(get_session().connection())
        checks["database"] = "ok"
        checks["migrations"] = "ok" if current == head else f"at {current or 'none'}, latest is {head}: run flask db-upgrade"
    except SQLAlchemyError:
        checks["database"] = checks["migrations"] = "unreachable"
    from app.accreditation.keys import missing_keys

    missing = missing_keys(current_app.config)
    checks["keys"] = "ok" if not missing else f"missing {len(missing)} file(s): run flask keys init"
    ready = all(value == "ok" for value in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("home/accessibility.html")


@bp.route("/privacy")
@public
def privacy():
    return render_template("home/privacy.html")


@bp.route("/standards")
@public
def standards():
    """The Knowledge and Skills Statements each tier is assessed against."""
    tiers = get_session().exec(select(Tier).order_by(Tier.position)).all()
    return render_template("home/standards.html", tiers=tiers)


@bp.route("/candidate")
@roles_required(Role.CANDIDATE)
def candidate():
    from app.exams.attempts import attempt_for
    from app.exams.services import active_endorsements, approved_adjustments, change_cutoff, current_bookings, settled
    from app.quality.equality import answers_of

    user = acting_user()
    db = get_session()
    bookings = current_bookings(db, user)
    from app.models import PracticeSitting

    practice = db.exec(select(PracticeSitting).where(PracticeSitting.candidate_id == user.id).order_by(PracticeSitting.scheduled_at)).all()
    now = utcnow()
    endorsements = active_endorsements(db, user)
    open_tiers = {b.window.tier_id for b in bookings if not settled(db, b, now)}
    can_book = any(e.tier_id not in open_tiers for e in endorsements)
    return render_template("home/candidate.html", user=user, practice=practice, can_book=can_book, endorsements=active_endorsements(db, user), bookings=bookings,
                           attempts={b.id: attempt_for(db, b) for b in bookings}, adjustments=approved_adjustments(db, user),
                           now=utcnow(), change_cutoff=change_cutoff, equality=answers_of(db, user))


@bp.route("/assessor")
@roles_required(Role.ASSESSOR)
def assessor():
    from app.models import MarkerAllocation, PracticeSitting, SittingStatus

    db = get_session()
    to_mark = db.exec(select(func.count()).select_from(MarkerAllocation).join(PracticeSitting, PracticeSitting.id == MarkerAllocation.sitting_id)
                      .where(MarkerAllocation.assessor_id == current_user.id, MarkerAllocation.submitted_at.is_(None),
                             PracticeSitting.status.in_([SittingStatus.SCHEDULED, SittingStatus.CHECKED_IN]))).one()
    return render_template("home/assessor.html", user=current_user, to_mark=to_mark)


@bp.route("/moderator")
@roles_required(Role.MODERATOR)
def moderator():
    from app.models import PracticeSitting, SittingStatus

    waiting = get_session().exec(select(func.count()).select_from(PracticeSitting)
                                 .where(PracticeSitting.status == SittingStatus.MODERATION)).one()
    return render_template("home/moderator.html", user=current_user, waiting=waiting)
