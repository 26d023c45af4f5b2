"""Workforce insight: the KSS heat map of an organisation's staff (those who let it see their detailed
results) or of everyone, and national accreditation coverage by organisation and tier.

Translates rows into the pure core's inputs (app.employers.heatmap) in a fixed handful of queries,
however many people there are. Only results a candidate may see count: a knowledge attempt in a
window whose results are released, not set aside on appeal and not waiting for review of a changed
decision; a practice sitting whose result is released and not set aside. Each person's latest such
attempt and sitting per tier is used. Keyword-only, take the session, never commit.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, cast
from sqlmodel import Session, func, select

from app.employers.consent import sharing_staff_ids
from app.employers.heatmap import BANDS, MIN_GROUP, Evidence, TierMap, heat_map
from app.exams.attempts import FormScoring
from app.models import (
    AgreedMark,
    AssessmentForm,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    Certificate,
    CertificateStatus,
    Endorsement,
    EndorsementStatus,
    FormItem,
    ItemVersion,
    Organisation,
    PracticeSitting,
    RegradedAttempt,
    Response,
    Role,
    RoleMembership,
    SittingStatus,
    Statement,
    StationSetVersion,
    Tier,
    User,
)
from app.practice.rules import practice_profile
from app.quality.regrading import AWAITING_REVIEW
from app.scoring import ScoredItem, attempt_outcome

Labels = dict[tuple[int, str], dict[str, str | None]]  # (person, tier code) -> statement code -> label


# Heat map ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Insight:
    maps: tuple[TierMap, ...]
    tiers: dict[str, Tier]  # by code
    titles: dict[str, str]  # statement code -> title
    with_results: int  # people with any released result in scope
    included: int  # of whom counted (for an employer: those who share their results with it)
    min_group: int = MIN_GROUP
    bands: tuple[tuple[int, int], ...] = BANDS  # the shades' ranges, for the key


def workforce_insight(session: Session, *, organisation: Organisation | None) -> Insight:
    """The heat map of `organisation`'s staff who share their detailed results with it, or, when
    `organisation` is None, of every candidate (the national view: aggregate and suppressed, so
    consent to an employer does not apply)."""
    organisation_id = organisation.id if organisation is not None else None
    evidence = [item for item in _evidence(session, organisation_id) if item.knowledge or item.practice]
    with_results = {item.person for item in evidence}
    if organisation is not None:
        sharing = sharing_staff_ids(session, organisation.id)
        evidence = [item for item in evidence if item.person in sharing]
    tiers = session.exec(select(Tier).order_by(Tier.position)).all()
    statements = {tier.code: [s.code for s in tier.statements] for tier in tiers}
    order = [code for codes in statements.values() for code in codes]
    titles = {s.code: s.title for tier in tiers for s in tier.statements}
    return Insight(heat_map(evidence, statements, order=order), {t.code: t for t in tiers}, titles,
                   len(with_results), len({item.person for item in evidence}))


def _evidence(session: Session, organisation_id: int | None) -> list[Evidence]:
    knowledge, practice = knowledge_labels(session, organisation_id), practice_labels(session, organisation_id)
    return [Evidence(person, tier, knowledge.get((person, tier), {}), practice.get((person, tier), {}))
            for person, tier in sorted(set(knowledge) | set(practice))]


def _staff_of(query, column, organisation_id: int | None):
    if organisation_id is None:
        return query
    return query.join(User, User.id == column).where(User.organisation_id == organisation_id)


def knowledge_labels(session: Session, organisation_id: int | None = None) -> Labels:
    """Each person's statement labels from their latest countable knowledge attempt per tier, scored
    as the candidate sees their profile (after any key correction or void)."""
    held = select(RegradedAttempt.attempt_id).where(*AWAITING_REVIEW)
    countable = _staff_of(select(Attempt.id, Attempt.form_id, Attempt.candidate_id, Tier.code)
                          .join(Booking, Booking.id == Attempt.booking_id).join(AssessmentWindow, AssessmentWindow.id == Booking.window_id)
                          .join(Tier, Tier.id == AssessmentWindow.tier_id)
                          .where(Attempt.status == AttemptStatus.SUBMITTED, AssessmentWindow.results_released_at.is_not(None),
                                 Attempt.voided_on_appeal.is_(False), Attempt.id.not_in(held)), Attempt.candidate_id, organisation_id)
    latest = {(person, tier): (attempt_id, form_id)
              for attempt_id, form_id, person, tier in session.exec(countable.order_by(Attempt.submitted_at, Attempt.id))}
    forms = _form_scoring(session, countable.with_only_columns(Attempt.form_id))
    answers = _answers(session, countable.with_only_columns(Attempt.id))
    labels = {}
    for key, (attempt_id, form_id) in latest.items():
        form, saved = forms[form_id], answers.get(attempt_id, {})
        result = attempt_outcome(form.items, [saved.get(i, ()) for i in form.form_item_ids], rule=form.rule, cut_score=form.cut_score,
                                 statement_minimum_percent=form.statement_minimum_percent)
        labels[key] = {s.code: s.label for s in result.profile.by_statement}
    return labels


def _form_scoring(session: Session, form_ids) -> dict[int, FormScoring]:
    """The scoring view of each form in the `form_ids` subquery, as app.exams.attempts.form_scoring
    gives it, but reading each item version (and decoding its JSON) once rather than once per form
    it is on: a window's thousand forms share a bank of a few hundred versions."""
    on_forms = select(FormItem.item_version_id).where(FormItem.form_id.in_(form_ids))
    versions = {version_id: (code, item_type, tuple(key), len(options), voided_at is not None)
                for version_id, item_type, key, options, voided_at, code in session.exec(
                    select(ItemVersion.id, ItemVersion.type, ItemVersion.key, ItemVersion.options, ItemVersion.voided_at, Statement.code)
                    .join(Statement, Statement.id == ItemVersion.statement_id).where(ItemVersion.id.in_(on_forms)))}
    items: dict[int, list[tuple[int, ScoredItem]]] = {}
    scored: dict[tuple[int, float | None], ScoredItem] = {}  # one per version and rating, shared by the forms
    for form_id, form_item_id, rating, version_id in session.exec(
            select(FormItem.form_id, FormItem.id, FormItem.rating, FormItem.item_version_id)
            .where(FormItem.form_id.in_(form_ids)).order_by(FormItem.form_id, FormItem.position)):
        item = scored.get((version_id, rating)) or scored.setdefault((version_id, rating), ScoredItem(*versions[version_id], rating))
        items.setdefault(form_id, []).append((form_item_id, item))
    return {form_id: FormScoring(tuple(i for i, _ in items.get(form_id, [])), tuple(item for _, item in items.get(form_id, [])),
                                 rule, cut_score, minimum)
            for form_id, cut_score, rule, minimum in session.exec(
                select(AssessmentForm.id, AssessmentForm.cut_score, AssessmentForm.multiple_response_rule,
                       AssessmentForm.statement_minimum_percent).where(AssessmentForm.id.in_(form_ids)))}


def _answers(session: Session, attempt_ids) -> dict[int, dict[int, tuple[str, ...]]]:
    """The saved answers of the attempts in the `attempt_ids` subquery. Read as JSON text and each
    distinct answer decoded once: thousands of answers are a few hundred different letter lists."""
    answers: dict[int, dict[int, tuple[str, ...]]] = {}
    decoded: dict[str, tuple[str, ...]] = {}
    for attempt_id, form_item_id, text in session.exec(select(Response.attempt_id, Response.form_item_id, cast(Response.answer, Text))
                                                       .where(Response.attempt_id.in_(attempt_ids))):
        answer = decoded.get(text) or decoded.setdefault(text, tuple(json.loads(text)))
        answers.setdefault(attempt_id, {})[form_item_id] = answer
    return answers


def practice_labels(session: Session, organisation_id: int | None = None) -> Labels:
    """Each person's statement labels from their latest countable practice sitting per tier."""
    countable = (PracticeSitting.status == SittingStatus.RELEASED, PracticeSitting.voided_on_appeal.is_(False))
    query = (select(PracticeSitting.id, PracticeSitting.candidate_id, Tier.code, PracticeSitting.set_version_id)
             .join(Tier, Tier.id == PracticeSitting.tier_id).where(*countable)
             .order_by(PracticeSitting.released_at, PracticeSitting.id))
    latest = {(person, tier): (sitting_id, version_id)
              for sitting_id, person, tier, version_id in session.exec(_staff_of(query, PracticeSitting.candidate_id, organisation_id))}
    if not latest:
        return {}
    chosen = {sitting_id for sitting_id, _ in latest.values()}
    marks: dict[int, dict[tuple[str, str], float]] = {}
    rows = (select(AgreedMark.sitting_id, AgreedMark.station, AgreedMark.criterion, AgreedMark.score)
            .join(PracticeSitting, PracticeSitting.id == AgreedMark.sitting_id).where(*countable))
    for sitting_id, station, criterion, score in session.exec(_staff_of(rows, PracticeSitting.candidate_id, organisation_id)):
        if sitting_id in chosen:
            marks.setdefault(sitting_id, {})[(station, criterion)] = score
    versions = {v.id: v.kss() for v in session.exec(select(StationSetVersion)
                                                    .where(StationSetVersion.id.in_({v for _, v in latest.values()})))}
    return {key: {p.code: p.label for p in practice_profile(marks.get(sitting_id, {}), versions[version_id])}
            for key, (sitting_id, version_id) in latest.items()}


# Accreditation coverage ---------------------------------------------------------------------------------

NO_ORGANISATION = "Not linked to an organisation"


@dataclass(frozen=True)
class CoverageRow:
    organisation: str
    staff: int  # candidates on the service who work there
    endorsed: int  # with an active endorsement for the tier
    certified: int  # holding a valid certificate for the tier

    @property
    def share(self) -> float | None:
        return self.certified / self.staff if self.staff else None


@dataclass(frozen=True)
class TierCoverage:
    tier: Tier
    rows: tuple[CoverageRow, ...]

    @property
    def total(self) -> CoverageRow:
        return CoverageRow("All organisations", *(sum(getattr(r, name) for r in self.rows) for name in ("staff", "endorsed", "certified")))


def coverage(session: Session, *, now: datetime) -> list[TierCoverage]:
    """Per tier, each organisation's staff, how many are endorsed and how many hold a valid
    certificate (in three grouped queries)."""
    staff = dict(session.exec(select(User.organisation_id, func.count(func.distinct(User.id)))
                              .join(RoleMembership, RoleMembership.user_id == User.id)
                              .where(RoleMembership.role == Role.CANDIDATE).group_by(User.organisation_id)).all())
    endorsed = _per_organisation_and_tier(session, Endorsement.candidate_id, Endorsement.tier_id,
                                          Endorsement.status == EndorsementStatus.ACTIVE)
    certified = _per_organisation_and_tier(session, Certificate.candidate_id, Certificate.tier_id,
                                           Certificate.status == CertificateStatus.VALID, Certificate.expires_at > now)
    organisations = [(o.id, o.name) for o in session.exec(select(Organisation).order_by(Organisation.name))]
    if staff.get(None):
        organisations.append((None, NO_ORGANISATION))
    return [TierCoverage(tier, tuple(CoverageRow(name, staff.get(oid, 0), endorsed.get((oid, tier.id), 0), certified.get((oid, tier.id), 0))
                                     for oid, name in organisations))
            for tier in session.exec(select(Tier).order_by(Tier.position))]


def _per_organisation_and_tier(session: Session, candidate, tier, *conditions) -> dict[tuple[int | None, int], int]:
    rows = session.exec(select(User.organisation_id, tier, func.count(func.distinct(candidate)))
                        .join(User, User.id == candidate).where(*conditions).group_by(User.organisation_id, tier))
    return {(organisation_id, tier_id): count for organisation_id, tier_id, count in rows}
