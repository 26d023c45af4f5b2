"""A past window of simulated candidates, sat through the real forms and scoring, so that the quality
report, regrading and fairness checks can be tried on realistic data (`flask psychometrics
seed-window`). Clearly marked: the candidates are named "Simulated candidate", have addresses at
simulated.example.org and no password, so nobody can sign in as one.

Each candidate has an ability θ ~ N(ability_mean, 1) in logits. Each item's difficulty comes from its
agreed Angoff rating r (the chance a borderline candidate, θ = 0, answers it right): b = ln((1 - r) / r),
so the Rasch model P(right) = 1 / (1 + exp(-(θ - b))) gives exactly r at θ = 0, and the panel's
standard is the simulation's truth. A wrong answer picks distractors at random.

The candidates work for the demo organisations when the demo has been seeded (app.admin.demo:
`DEMO_WORKFORCE` says how many each), and most of them let their employer see their detailed results,
so the employers' workforce insight has something to show. The window's results are released a week
after it closed, as a past window's would be.

Two faults can be planted, as real windows have them:
- a **miskeyed** single best answer item: the option the stored key names is in fact wrong, and a
  candidate who knows the answer picks another one (the quality report should flag it; a key
  correction should fix every score);
- a **DIF** item: harder by `dif_shift` logits for male candidates of the same ability (the
  Mantel-Haenszel check should class it C).
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from string import ascii_uppercase

import numpy as np
from sqlalchemy import insert, update
from sqlmodel import Session, select

from app.admin.demo import DEMO_SHARING, demo_employers
from app.audit import record_event
from app.exams.attempts import form_scoring, outcomes
from app.exams.forms_preparation import prepare_forms
from app.models import (
    AgeBand,
    AssessmentForm,
    AssessmentMode,
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
    ResultsSharing,
    Role,
    RoleMembership,
    Sex,
    Tier,
    User,
)

DOMAIN = "simulated.example.org"
LOCATION = "Simulated cohort"  # marks a simulated window
MISKEY_LABEL = "miskeyed"
SEXES = ([Sex.FEMALE, Sex.MALE, Sex.NOT_SAID], [0.57, 0.38, 0.05])
AGES = ([AgeBand.UNDER_25, AgeBand.FROM_25_TO_34, AgeBand.FROM_35_TO_44, AgeBand.FROM_45_TO_54, AgeBand.FROM_55, AgeBand.NOT_SAID],
        [0.08, 0.34, 0.27, 0.18, 0.1, 0.03])
ETHNIC = ([EthnicGroup.WHITE, EthnicGroup.ASIAN, EthnicGroup.BLACK, EthnicGroup.MIXED, EthnicGroup.OTHER, EthnicGroup.NOT_SAID],
          [0.72, 0.09, 0.1, 0.04, 0.02, 0.03])
DISABILITY = ([Disability.NO, Disability.YES, Disability.NOT_SAID], [0.83, 0.12, 0.05])


class SimulationRefused(Exception):
    pass


@dataclass(frozen=True)
class SimulatedWindow:
    window: AssessmentWindow
    candidates: int
    miskeyed: str | None  # item code
    true_key: str | None  # the letter a knowledgeable candidate picks
    dif_item: str | None
    failed: int  # bookings no form could be prepared for


def seed_simulated_window(session: Session, *, tier: Tier, candidates: int, seed: int, now: datetime, actor: User | None = None,
                          ability_mean: float = 0.3, monitoring_share: float = 0.9, miskey: bool = True, dif_shift: float = 1.5,
                          release: bool = False) -> SimulatedWindow:
    """Create a closed window of `tier` with `candidates` simulated candidates who have sat and
    submitted it, its results released unless `release` is False. Never commits."""
    if candidates < 1:
        raise SimulationRefused("a simulated window needs at least 1 candidate")
    rng = np.random.default_rng(seed)
    workforce = np.random.default_rng([seed, 1])  # its own stream: the answers do not depend on who employs whom
    window = AssessmentWindow(tier_id=tier.id, opens_at=now - timedelta(days=14), closes_at=now - timedelta(days=13, hours=20),
                              capacity=candidates, mode=AssessmentMode.REMOTE, location=LOCATION, change_cutoff_hours=0)
    if release:
        window.results_released_at, window.results_released_by_id = now - timedelta(days=7), actor.id if actor else None
    session.add(window)
    session.flush()
    employers = _employers(session, candidates, workforce)
    people = _candidates(session, window, candidates, employers)
    sharing = _share_results(session, people, employers, workforce, now)
    session.execute(insert(Booking), [{"candidate_id": person_id, "window_id": window.id, "created_at": now - timedelta(days=30)}
                                      for person_id in people])
    preparation = prepare_forms(session, window=window, actor=actor)
    if not preparation.prepared:
        raise SimulationRefused("no form could be prepared: " + ("; ".join(preparation.failed[:1]) or "no bookings"))
    forms = session.exec(select(AssessmentForm.id, Booking.candidate_id, Booking.id, AssessmentForm.time_limit_minutes)
                         .join(Booking, Booking.id == AssessmentForm.booking_id).where(Booking.window_id == window.id)
                         .order_by(Booking.id)).all()
    started = window.opens_at + timedelta(minutes=5)
    session.execute(insert(Attempt), [
        {"booking_id": booking_id, "form_id": form_id, "candidate_id": candidate_id, "status": AttemptStatus.SUBMITTED,
         "started_at": started, "deadline_at": started + timedelta(minutes=minutes), "submitted_at": started + timedelta(minutes=minutes - 10),
         "submitted_by": "candidate", "position": 1, "extension_minutes": 0, "break_seconds": 0}
        for form_id, candidate_id, booking_id, minutes in forms])
    attempts = session.exec(select(Attempt.id, Attempt.form_id, Attempt.candidate_id).join(Booking, Booking.id == Attempt.booking_id)
                            .where(Booking.window_id == window.id).order_by(Attempt.id)).all()
    sex = dict(zip(people, rng.choice(len(SEXES[0]), len(people), p=SEXES[1]), strict=True))
    miskeyed, dif_item = _planted(session, window, miskey, rng)
    rows = _answers(session, window, attempts, rng, ability_mean, {pid: SEXES[0][code] for pid, code in sex.items()}, miskeyed, dif_item,
                    dif_shift, started + timedelta(minutes=30))
    session.execute(insert(Response), rows)
    _monitoring(session, people, sex, rng, monitoring_share, now)
    scored = outcomes(session, [(a.id, a.form_id) for a in attempts])
    session.execute(update(Attempt), [{"id": a.id, "score": scored[a.id].score, "max_score": scored[a.id].max_score,
                                       "cut_score": scored[a.id].cut_score, "passed": scored[a.id].passed} for a in attempts])
    codes = _codes(session, [v for v in (miskeyed and miskeyed[0], dif_item) if v])
    record_event(session, actor=actor, action="window.simulated", obj=window, candidates=len(attempts), seed=seed,
                 miskeyed=codes.get(miskeyed[0]) if miskeyed else None, true_key=miskeyed[1] if miskeyed else None,
                 dif_item=codes.get(dif_item), employed=sum(e is not None for e in employers), sharing=sharing,
                 released=release)
    return SimulatedWindow(window, len(attempts), codes.get(miskeyed[0]) if miskeyed else None, miskeyed[1] if miskeyed else None,
                           codes.get(dif_item), len(preparation.failed))


def has_simulated_window(session: Session, tier: Tier) -> bool:
    return session.exec(select(AssessmentWindow.id).where(AssessmentWindow.tier_id == tier.id,
                                                          AssessmentWindow.location == LOCATION)).first() is not None


def _candidates(session: Session, window: AssessmentWindow, n: int, employers: list[int | None]) -> list[int]:
    users = [User(name=f"Simulated candidate {number:05d}", email=f"sim{window.id}-{number:05d}@{DOMAIN}", organisation_id=employer,
                  memberships=[RoleMembership(role=Role.CANDIDATE)]) for number, employer in zip(range(1, n + 1), employers, strict=True)]
    session.add_all(users)
    session.flush()
    return [user.id for user in users]


def _employers(session: Session, n: int, rng) -> list[int | None]:
    """Each candidate's employer: one of the demo organisations, in proportion to DEMO_WORKFORCE
    (None for all when the demo has not been seeded)."""
    shares = demo_employers(session)
    if not shares:
        return [None] * n
    return [int(organisation_id) for organisation_id in rng.choice(list(shares), n, p=list(shares.values()))]


def _share_results(session: Session, people: list[int], employers: list[int | None], rng, now: datetime) -> int:
    """Most employed candidates let their employer see their detailed results (DEMO_SHARING); the rest
    decline. In bulk: a simulated cohort's choices are not audited one by one. Returns how many share."""
    rows = [{"candidate_id": person, "organisation_id": employer, "share": bool(rng.random() < DEMO_SHARING),
             "decided_at": now - timedelta(days=30)} for person, employer in zip(people, employers, strict=True) if employer is not None]
    if rows:
        session.execute(insert(ResultsSharing), rows)
    return sum(row["share"] for row in rows)


def _planted(session: Session, window: AssessmentWindow, miskey: bool, rng):
    """The two most used single best answer versions in the window: one to miskey, one for DIF."""
    used = session.exec(select(FormItem.item_version_id, ItemVersion.key).join(ItemVersion, ItemVersion.id == FormItem.item_version_id)
                        .join(AssessmentForm, AssessmentForm.id == FormItem.form_id).join(Booking, Booking.id == AssessmentForm.booking_id)
                        .where(Booking.window_id == window.id, ItemVersion.type == "single_best_answer")).all()
    counts: dict[int, int] = {}
    keys = {}
    for version_id, key in used:
        counts[version_id] = counts.get(version_id, 0) + 1
        keys[version_id] = key
    ranked = sorted(counts, key=lambda v: (-counts[v], v))
    miskeyed = None
    if miskey and ranked:
        version_id = ranked.pop(0)
        stored = keys[version_id][0]
        miskeyed = (version_id, str(rng.choice([letter for letter in "ABCD" if letter != stored])))
    return miskeyed, (ranked[0] if ranked else None)


def _answers(session, window, attempts, rng, ability_mean, sex_of, miskeyed, dif_item, dif_shift, now) -> list[dict]:
    forms = form_scoring(session, [a.form_id for a in attempts])
    in_window = (select(FormItem.id, FormItem.rating, FormItem.item_version_id).join(AssessmentForm, AssessmentForm.id == FormItem.form_id)
                 .join(Booking, Booking.id == AssessmentForm.booking_id).where(Booking.window_id == window.id))
    ratings, versions = {}, {}
    for form_item_id, rating, version_id in session.exec(in_window):
        ratings[form_item_id], versions[form_item_id] = rating, version_id
    abilities = rng.normal(ability_mean, 1.0, len(attempts))
    rows = []
    for attempt, ability in zip(attempts, abilities, strict=True):
        form = forms[attempt.form_id]
        for form_item_id, item in zip(form.form_item_ids, form.items, strict=True):
            rating = min(max(ratings[form_item_id] or 0.6, 0.02), 0.98)
            difficulty = math.log((1 - rating) / rating)
            version_id = versions[form_item_id]
            if version_id == dif_item and sex_of.get(attempt.candidate_id) is Sex.MALE:
                difficulty += dif_shift
            right = rng.random() < 1 / (1 + math.exp(-(ability - difficulty)))
            letters = list(ascii_uppercase[:item.option_count])
            if rng.random() < 0.02:
                continue  # the odd question left unanswered
            rows.append({"attempt_id": attempt.id, "form_item_id": form_item_id, "revision": 1, "flagged": False,
                         "answer": _answer(item, letters, right, rng, miskeyed[1] if miskeyed and version_id == miskeyed[0] else None),
                         "saved_at": now})
    return rows


def _answer(item, letters, right, rng, true_key):
    if item.item_type == "single_best_answer":
        correct = true_key or item.key[0]
        return [correct] if right else [str(rng.choice([letter for letter in letters if letter != correct]))]
    if item.item_type == "multiple_response":
        if right:
            return sorted(item.key)
        return sorted(str(letter) for letter in rng.choice(letters, len(item.key), replace=False))
    if right:
        return list(item.key)
    return [str(letter) for letter in rng.permutation(letters)]


def _monitoring(session, people, sex, rng, share, now):
    answering = [pid for pid in people if rng.random() < share]
    session.execute(insert(EqualityMonitoring), [
        {"candidate_id": pid, "sex": SEXES[0][sex[pid]], "age_band": AGES[0][rng.choice(len(AGES[0]), p=AGES[1])],
         "ethnic_group": ETHNIC[0][rng.choice(len(ETHNIC[0]), p=ETHNIC[1])],
         "disability": DISABILITY[0][rng.choice(len(DISABILITY[0]), p=DISABILITY[1])], "consented_at": now, "updated_at": now}
        for pid in answering])


def _codes(session, version_ids) -> dict[int, str]:
    if not version_ids:
        return {}
    return dict(session.exec(select(ItemVersion.id, Item.code).join(Item, Item.id == ItemVersion.item_id)
                             .where(ItemVersion.id.in_(version_ids))).all())
