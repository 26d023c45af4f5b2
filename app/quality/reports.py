"""A window's quality report: the submitted attempts' responses read from the database into the pure
psychometrics core, and what comes back, labelled for administrators.

Every candidate in a window usually sits a different form drawn from the same bank, so the window is
analysed as one incomplete design (see app.psychometrics.responses): item statistics over the
candidates given each item, and reliability for randomly parallel forms. Differential item
functioning matches candidates on their raw total score, which is fair across forms only because the
forms are assembled to the same blueprint and standard-set to the same borderline candidate; the
report says so. Voided items are left out: they count towards no one's score.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import and_
from sqlmodel import Session, select

from app.models import (
    AgeBand,
    AssessmentForm,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    Disability,
    EqualityMonitoring,
    EthnicGroup,
    FormItem,
    Item,
    ItemVersion,
    Response,
    Sex,
    Statement,
)
from app.psychometrics import (
    MIN_DIF_GROUP,
    DifResult,
    ItemAnalysis,
    ItemInfo,
    Responses,
    ScoreSummary,
    analyse_items,
    dif_all,
    summarise,
)
from app.scoring import score_response

NOT_SAID = {"age_band": AgeBand.NOT_SAID, "sex": Sex.NOT_SAID, "ethnic_group": EthnicGroup.NOT_SAID,
            "disability": Disability.NOT_SAID}
VARIABLES = {"age_band": "Age band", "sex": "Sex", "ethnic_group": "Ethnic group", "disability": "Disability"}


@dataclass(frozen=True)
class ItemLabel:
    version_id: int
    code: str
    number: int
    item_type: str
    statement: str
    voided: bool


@dataclass(frozen=True)
class GroupCount:
    variable: str
    label: str
    count: int | None  # None: fewer than the minimum, so not shown


@dataclass(frozen=True)
class WindowReport:
    window: AssessmentWindow
    attempts: int
    analysis: ItemAnalysis | None  # None when nobody has submitted
    summary: ScoreSummary | None
    dif: tuple[DifResult, ...]
    labels: dict[int, ItemLabel]  # by item version id, for every item met in the window
    voided: tuple[ItemLabel, ...]
    cut_scores: tuple[float, ...]  # each submitted attempt's form cut score
    monitoring: int  # candidates who gave equality-monitoring answers
    groups: tuple[GroupCount, ...]
    min_group: int

    @property
    def flagged(self):
        return [item for item in self.analysis.items if item.flags] if self.analysis else []

    @property
    def dif_reported(self):
        return [result for result in self.dif if result.statistics is not None]

    @property
    def dif_suppressed(self) -> int:
        return sum(result.statistics is None for result in self.dif)


def window_report(session: Session, window: AssessmentWindow, *, min_group: int = MIN_DIF_GROUP) -> WindowReport:
    labels = _labels(session, window)
    counted = {vid: label for vid, label in labels.items() if not label.voided}
    infos = {vid: ItemInfo(label.item_type, key, options) for vid, (label, key, options) in _keys(session, counted).items()}
    rows, passed, candidates, cuts = [], {}, {}, {}
    for attempt_id, did_pass, candidate_id, rule, cut, version_id, answer in session.exec(
            select(Attempt.id, Attempt.passed, Attempt.candidate_id, AssessmentForm.multiple_response_rule, Attempt.cut_score,
                   FormItem.item_version_id, Response.answer)
            .join(Booking, Booking.id == Attempt.booking_id).join(AssessmentForm, AssessmentForm.id == Attempt.form_id)
            .join(FormItem, FormItem.form_id == Attempt.form_id)
            .outerjoin(Response, and_(Response.attempt_id == Attempt.id, Response.form_item_id == FormItem.id))
            .where(Booking.window_id == window.id, Attempt.status == AttemptStatus.SUBMITTED)
            .order_by(Attempt.id, FormItem.position)):
        passed[attempt_id], candidates[attempt_id], cuts[attempt_id] = did_pass, candidate_id, cut
        if version_id in infos:
            info, answer = infos[version_id], answer or []
            rows.append((attempt_id, version_id, score_response(info.item_type, answer, info.key, info.option_count, rule=rule), answer))
    voided = tuple(label for label in labels.values() if label.voided)
    if not rows:
        return WindowReport(window, 0, None, None, (), labels, voided, (), 0, (), min_group)
    responses = Responses.from_rows(rows, infos)
    order = list(responses.attempt_ids)
    decided = [passed[a] for a in order]
    summary = summarise(responses, passed=np.array(decided, dtype=bool) if None not in decided else None)
    groups, counts, monitoring = _equality_groups(session, [candidates[a] for a in order], min_group)
    return WindowReport(window, responses.n_attempts, analyse_items(responses), summary,
                        dif_all(responses, groups, min_group=min_group) if groups else (), labels, voided,
                        tuple(cuts[a] for a in order if cuts[a] is not None), monitoring, counts, min_group)


def _labels(session: Session, window: AssessmentWindow) -> dict[int, ItemLabel]:
    versions = (select(FormItem.item_version_id).join(AssessmentForm, AssessmentForm.id == FormItem.form_id)
                .join(Booking, Booking.id == AssessmentForm.booking_id).where(Booking.window_id == window.id).distinct())
    rows = session.exec(select(ItemVersion.id, Item.code, ItemVersion.number, ItemVersion.type, Statement.code, ItemVersion.voided_at)
                        .join(Item, Item.id == ItemVersion.item_id).join(Statement, Statement.id == ItemVersion.statement_id)
                        .where(ItemVersion.id.in_(versions)).order_by(Item.code, ItemVersion.number))
    return {vid: ItemLabel(vid, code, number, item_type, statement, voided_at is not None)
            for vid, code, number, item_type, statement, voided_at in rows}


def _keys(session: Session, labels: dict[int, ItemLabel]):
    rows = session.exec(select(ItemVersion.id, ItemVersion.key, ItemVersion.options).where(ItemVersion.id.in_(list(labels))))
    return {vid: (labels[vid], key, len(options)) for vid, key, options in rows}


def _equality_groups(session: Session, candidate_ids: list[int], min_group: int):
    """Per variable, one label per attempt (None: not given), and the counts safe to show."""
    answers = {row.candidate_id: row for row in session.exec(
        select(EqualityMonitoring).where(EqualityMonitoring.candidate_id.in_(sorted(set(candidate_ids)))))}
    if not answers:
        return {}, (), 0
    groups, counts = {}, []
    for variable in VARIABLES:
        labels = []
        for candidate_id in candidate_ids:
            value = getattr(answers[candidate_id], variable) if candidate_id in answers else None
            labels.append(None if value is None or value == NOT_SAID[variable] else value.value)
        if any(label is not None for label in labels):
            groups[variable] = labels
        for label in sorted({label for label in labels if label is not None}):
            count = labels.count(label)
            counts.append(GroupCount(variable, label, count if count >= min_group else None))
    return groups, tuple(counts), len(answers)


# CSV exports -------------------------------------------------------------------------------------------

def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or a tab or carriage return)
    would otherwise be run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_csv(header: list[str], rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()


def _round(value: float | None, places: int = 3):
    return "" if value is None else round(value, places)


def items_csv(report: WindowReport) -> str:
    header = ["item", "version", "type", "statement", "taken", "answered", "facility", "corrected_point_biserial",
              "upper_lower_d", "flags", "not_enough_data", "options (chosen/upper/lower, * keyed)"]
    rows = []
    for stats in report.analysis.items if report.analysis else ():
        label = report.labels[stats.item_id]
        options = "; ".join(f"{o.option}{'*' if o.keyed else ''} {_round(o.chosen, 2)}/{_round(o.upper, 2)}/{_round(o.lower, 2)}"
                            for o in stats.options)
        rows.append([label.code, label.number, label.item_type, label.statement, stats.taken, stats.answered, _round(stats.facility),
                     _round(stats.point_biserial), _round(stats.discrimination), " ".join(stats.flags),
                     "; ".join(stats.not_enough_data), options])
    return to_csv(header, rows)


def dif_csv(report: WindowReport) -> str:
    header = ["item", "version", "variable", "reference_group", "focal_group", "reference_n", "focal_n", "mh_odds_ratio",
              "mh_d_dif", "d_dif_se", "chi_square", "p_value", "ets_class", "note"]
    rows = []
    for result in report.dif:
        label, stats = report.labels[result.item_id], result.statistics
        values = ([_round(stats.odds_ratio), _round(stats.d_dif, 2), _round(stats.d_dif_se, 2), _round(stats.chi_square, 2),
                   _round(stats.p_value, 4), stats.ets_class or "", stats.reason or ""] if stats else ["", "", "", "", "", "", result.reason])
        rows.append([label.code, label.number, VARIABLES.get(result.variable, result.variable), result.reference, result.focal,
                     "" if result.reference_n is None else result.reference_n, "" if result.focal_n is None else result.focal_n, *values])
    return to_csv(header, rows)


def summary_csv(report: WindowReport) -> str:
    s = report.summary
    rel = s.reliability if s else None
    rows = [["attempts", report.attempts], ["mean", _round(s.mean if s else None, 2)], ["sd", _round(s.sd if s else None, 2)],
            ["minimum", _round(s.minimum if s else None, 2)], ["maximum", _round(s.maximum if s else None, 2)],
            ["reliability", _round(rel.coefficient if rel else None)], ["reliability_method", (rel.method or "") if rel else ""],
            ["reliability_design", (rel.design or "") if rel else ""], ["sem", _round(s.sem if s else None, 2)],
            ["pass_rate", _round(s.pass_rate if s else None)]]
    rows += [[f"distribution_{mark}", count] for mark, count in enumerate(s.distribution if s else ())]
    return to_csv(["statistic", "value"], rows)
