"""Workforce insight: an employer's KSS heat map of the staff who share their results with it, and the
administrators' national view (coverage by organisation and tier, and everyone's heat map)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event
from sqlmodel import select

from app.admin.demo import DEMO_WORKFORCE, seed_demo
from app.bank.services import import_framework
from app.employers.consent import set_sharing
from app.employers.insight import NO_ORGANISATION, coverage, knowledge_labels, workforce_insight
from app.exams.attempts import outcomes
from app.models import (
    AgreedMark,
    AssessmentForm,
    AssessmentMode,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    Certificate,
    CertificateStatus,
    CorrectionKind,
    Endorsement,
    FormItem,
    Item,
    ItemCorrection,
    ItemStatus,
    ItemVersion,
    Organisation,
    PracticeRoute,
    PracticeSitting,
    RegradedAttempt,
    ResultsSharing,
    Role,
    SittingStatus,
    Statement,
    StationSet,
    StationSetVersion,
    Tier,
    User,
)
from app.models.types import utcnow
from app.practice.rules import MEETS
from app.quality.simulated import seed_simulated_window
from app.scoring import AREA_TO_DEVELOP, STRENGTH
from tests.conftest import page_text
from tests.exams.conftest import open_window, shipped_content  # noqa: F401  (the shipped bank, for the seeding test)
from tests.practice.conftest import framework  # noqa: F401  (the shipped framework, session-scoped)

SERVICE_SCSS = Path(__file__).resolve().parents[2] / "app" / "assets" / "scss" / "_service.scss"
TEXT_COLOUR = "#0b0c0c"  # GOV.UK Frontend's text colour
PRACTICE_MARK = {STRENGTH: 6.5, MEETS: 4.5, AREA_TO_DEVELOP: 2.0}


class Workforce:
    """Makes staff with released results whose statement labels are known: three items per statement
    all right (a strength) or all wrong (an area to develop), or one item (too few to say)."""

    def __init__(self, session, make_user, tier, employer):
        self.session, self.make_user, self.tier, self.employer = session, make_user, tier, employer
        self.statements = {s.code: s for s in session.exec(select(Statement))}
        self.versions: dict[tuple[str, int], ItemVersion] = {}
        self.set_version = None

    def person(self, organisation, *, shares: bool | None = True, **labels) -> User:
        candidate = self.make_user(organisation=organisation, password=None)
        if shares is not None:
            set_sharing(self.session, candidate=candidate, share=shares)
        if labels:
            self.sat(candidate, labels)
        self.session.commit()
        return candidate

    def _version(self, code: str, number: int) -> ItemVersion:
        if (code, number) not in self.versions:
            item = Item(code=f"t-{code}-{number}", tier_id=self.tier.id, status=ItemStatus.LIVE)
            self.session.add(item)
            self.session.flush()
            version = ItemVersion(item_id=item.id, number=1, statement_id=self.statements[code].id, kind="general", type="single_best_answer",
                                  difficulty="moderate", stem="Which is right?", options=[{"text": t, "rationale": "Why."} for t in "ABCD"],
                                  key=["A"], content_hash=f"hash-{code}-{number}")
            self.session.add(version)
            self.session.flush()
            self.versions[(code, number)] = version
        return self.versions[(code, number)]

    def sat(self, candidate, labels: dict, *, released=True, days_ago=30, voided=False) -> Attempt:
        now = utcnow()
        window = AssessmentWindow(tier_id=self.tier.id, opens_at=now - timedelta(days=days_ago + 1), closes_at=now - timedelta(days=days_ago),
                                  capacity=5, mode=AssessmentMode.REMOTE, results_released_at=now - timedelta(days=days_ago - 1) if released else None)
        self.session.add(window)
        self.session.flush()
        booking = Booking(candidate_id=candidate.id, window_id=window.id)
        self.session.add(booking)
        self.session.flush()
        form = AssessmentForm(booking_id=booking.id, time_limit_minutes=60)
        self.session.add(form)
        self.session.flush()
        attempt = Attempt(booking_id=booking.id, form_id=form.id, candidate_id=candidate.id, status=AttemptStatus.SUBMITTED,
                          deadline_at=now - timedelta(days=days_ago), submitted_at=now - timedelta(days=days_ago), voided_on_appeal=voided)
        self.session.add(attempt)
        self.session.flush()
        position = 0
        for code, label in labels.items():
            for number in range(1 if label is None else 3):
                position += 1
                form_item = FormItem(form_id=form.id, position=position, item_version_id=self._version(code, number).id)
                self.session.add(form_item)
                self.session.flush()
                self.session.execute(Attempt.metadata.tables["attempt_response"].insert().values(
                    attempt_id=attempt.id, form_item_id=form_item.id, answer=["B"] if label == AREA_TO_DEVELOP else ["A"],
                    flagged=False, revision=1, saved_at=now))
        self.session.commit()
        return attempt

    def practised(self, candidate, labels: dict, *, released=True) -> PracticeSitting:
        """A practice sitting whose agreed marks give each statement in `labels` that label."""
        if self.set_version is None:
            station_set = StationSet(code="prac-set-w", tier_id=self.tier.id, status="live")
            self.session.add(station_set)
            self.session.flush()
            rubric = [{"id": f"{code}-{n}", "kss": [code]} for code in self.statements if code.startswith("P") for n in (1, 2)]
            self.set_version = StationSetVersion(set_id=station_set.id, number=1, title="Set W", content_hash="w",
                                                 content={"summary": "W", "stations": [{"id": "st", "kind": "simulation", "rubric": rubric}]})
            self.session.add(self.set_version)
            self.session.flush()
        now = utcnow()
        sitting = PracticeSitting(candidate_id=candidate.id, tier_id=self.tier.id, set_version_id=self.set_version.id, route=PracticeRoute.CENTRE,
                                  scheduled_at=now - timedelta(days=20), status=SittingStatus.RELEASED if released else SittingStatus.AGREED,
                                  passed=True, released_at=now - timedelta(days=10) if released else None, created_by_id=self.employer.id)
        self.session.add(sitting)
        self.session.flush()
        self.session.add_all(AgreedMark(sitting_id=sitting.id, station="st", criterion=f"{code}-{n}", score=PRACTICE_MARK[label])
                             for code, label in labels.items() for n in (1, 2))
        self.session.commit()
        return sitting


@pytest.fixture
def workforce(session, framework, make_user, make_organisation):  # noqa: F811
    import_framework(session, tiers=framework, actor=None)
    session.commit()
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    return Workforce(session, make_user, tier, make_user(roles=(Role.EMPLOYER,), organisation=make_organisation()))


def cell(insight, code, tier="practitioner"):
    heat_map = next(m for m in insight.maps if m.tier == tier)
    return next(c for c in heat_map.cells if c.statement == code)


# The service -----------------------------------------------------------------------------------------------

def test_fewer_than_five_people_are_suppressed(session, workforce, make_organisation):
    organisation = make_organisation()
    for _ in range(4):
        workforce.person(organisation, P1=STRENGTH)
    insight = workforce_insight(session, organisation=organisation)
    assert cell(insight, "P1").suppressed and cell(insight, "P1").strength_percent is None
    assert (insight.included, insight.with_results) == (4, 4)

    workforce.person(organisation, P1=AREA_TO_DEVELOP)
    shown = cell(workforce_insight(session, organisation=organisation), "P1")
    assert (shown.people, shown.strength_percent, shown.area_percent) == (5, 80, 20)


def test_the_employer_counts_only_staff_who_share_but_the_national_view_counts_everyone(session, workforce, make_organisation):
    organisation = make_organisation()
    for _ in range(5):
        workforce.person(organisation, P1=STRENGTH)
    workforce.person(organisation, shares=False, P1=AREA_TO_DEVELOP)
    workforce.person(organisation, shares=None, P1=AREA_TO_DEVELOP)  # never asked: not shared either
    employer = workforce_insight(session, organisation=organisation)
    assert (cell(employer, "P1").people, cell(employer, "P1").strength_percent, cell(employer, "P1").area_percent) == (5, 100, 0)
    assert (employer.included, employer.with_results) == (5, 7)

    national = workforce_insight(session, organisation=None)
    assert (cell(national, "P1").people, cell(national, "P1").strengths, cell(national, "P1").areas) == (7, 5, 2)
    assert national.included == national.with_results == 7


def test_another_organisations_staff_are_never_counted(session, workforce, make_organisation):
    ours, theirs = make_organisation(), make_organisation()
    for _ in range(5):
        workforce.person(ours, P1=STRENGTH)
    for _ in range(5):
        workforce.person(theirs, P1=AREA_TO_DEVELOP)
    mover = workforce.person(theirs, P1=AREA_TO_DEVELOP)
    # Consent given to us lapses when they move on: it is tied to the organisation it was given to.
    session.add(ResultsSharing(candidate_id=workforce.person(ours, shares=None).id, organisation_id=theirs.id, share=True))
    mover.organisation_id = ours.id
    session.add(mover)
    session.commit()
    insight = workforce_insight(session, organisation=ours)
    assert (cell(insight, "P1").people, cell(insight, "P1").areas, insight.included) == (5, 0, 5)
    assert insight.with_results == 6  # the newcomer has results, but shared them with their old employer only


def test_only_countable_results_count_and_the_latest_per_tier(session, workforce, make_user):
    candidate = workforce.person(None, shares=None)
    workforce.sat(candidate, {"P1": STRENGTH}, days_ago=200)
    workforce.sat(candidate, {"P1": AREA_TO_DEVELOP}, days_ago=100)
    workforce.sat(candidate, {"P1": STRENGTH}, released=False, days_ago=5)  # not released yet
    workforce.sat(candidate, {"P1": STRENGTH}, voided=True, days_ago=50)  # set aside on appeal
    held = workforce.sat(candidate, {"P1": STRENGTH}, days_ago=20)  # a changed decision waiting for review
    version = next(iter(workforce.versions.values()))
    admin = make_user(roles=(Role.ADMINISTRATOR,))
    correction = ItemCorrection(item_version_id=version.id, kind=CorrectionKind.KEY, previous_key=["A"], key=["B"],
                                reason="A test correction of the key.", corrected_by_id=admin.id)
    session.add(correction)
    session.flush()
    session.add(RegradedAttempt(correction_id=correction.id, attempt_id=held.id, old_score=3, new_score=0, old_max_score=3,
                                new_max_score=3, old_cut_score=2, new_cut_score=2, old_passed=True, new_passed=False))
    session.commit()
    assert knowledge_labels(session)[(candidate.id, "practitioner")] == {"P1": AREA_TO_DEVELOP}

    session.exec(select(RegradedAttempt)).one().reviewed_at = utcnow()
    session.commit()
    assert knowledge_labels(session)[(candidate.id, "practitioner")] == {"P1": STRENGTH}


def test_knowledge_and_practice_are_combined_per_person(session, workforce, make_organisation):
    organisation = make_organisation()
    people = [workforce.person(organisation, P1=STRENGTH, P2=STRENGTH, P3=None) for _ in range(5)]
    workforce.practised(people[0], {"P1": AREA_TO_DEVELOP, "P2": MEETS, "P3": STRENGTH})
    workforce.practised(people[1], {"P1": STRENGTH}, released=False)
    workforce.practised(people[2], {"P4": AREA_TO_DEVELOP})
    insight = workforce_insight(session, organisation=organisation)
    assert (cell(insight, "P1").strengths, cell(insight, "P1").areas) == (4, 1)  # practice's gap is not hidden
    assert (cell(insight, "P2").strengths, cell(insight, "P2").areas) == (5, 0)  # meets does not undo a strength
    assert (cell(insight, "P3").people, cell(insight, "P3").strengths) == (5, 1)  # too few items to say, but practice can
    assert cell(insight, "P4").suppressed  # one person's practice result
    assert [c.statement for c in next(m for m in insight.maps if m.tier == "practitioner").cells][:3] == ["P1", "P2", "P3"]
    assert all(m.empty for m in insight.maps if m.tier != "practitioner")


def test_the_number_of_queries_does_not_grow_with_the_number_of_people(session, connection, workforce, make_organisation):
    def queries(organisation):
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(connection, "before_cursor_execute", listener)
        try:
            workforce_insight(session, organisation=organisation)
            workforce_insight(session, organisation=None)
        finally:
            event.remove(connection, "before_cursor_execute", listener)
        return len(statements)

    small, large = make_organisation(), make_organisation()
    for organisation, n in ((small, 2), (large, 12)):
        for number in range(n):
            candidate = workforce.person(organisation, P1=STRENGTH, P2=AREA_TO_DEVELOP)
            if number % 2:
                workforce.practised(candidate, {"P1": MEETS})
    queries(small)  # the first use of the session opens its savepoint
    assert queries(small) == queries(large)


def test_coverage_by_organisation_and_tier(session, workforce, make_organisation, make_user):
    organisation = make_organisation(name="Aardvark Borough Council")
    empty = make_organisation(name="Zebra Children's Trust")
    supervisor = session.exec(select(Tier).where(Tier.code == "supervisor")).one()
    staff = [make_user(organisation=organisation) for _ in range(4)]
    make_user(roles=(Role.EMPLOYER,), organisation=organisation)  # not a candidate: not counted as staff
    unlinked = make_user(organisation=None)
    now = utcnow()
    for person in (*staff[:3], unlinked):
        session.add(Endorsement(candidate_id=person.id, tier_id=workforce.tier.id, endorsed_by_id=workforce.employer.id, statement="Reviewed."))
    session.add(Endorsement(candidate_id=staff[3].id, tier_id=supervisor.id, endorsed_by_id=workforce.employer.id, statement="Reviewed."))
    for number, (person, status, expires) in enumerate([(staff[0], CertificateStatus.VALID, now + timedelta(days=30)),
                                                        (staff[0], CertificateStatus.SUPERSEDED, now + timedelta(days=30)),
                                                        (staff[1], CertificateStatus.VALID, now - timedelta(days=1)),
                                                        (staff[2], CertificateStatus.REVOKED, now + timedelta(days=30))]):
        session.add(Certificate(code=f"TEST-{number}", token=f"token-{number}", candidate_id=person.id, tier_id=workforce.tier.id,
                                holder_name=person.name, issued_at=now - timedelta(days=60), expires_at=expires, status_index=900 + number,
                                status=status, credential_jwt="x", pdf=b"%PDF"))
    session.commit()
    tiers = {c.tier.code: c for c in coverage(session, now=now)}
    assert list(tiers) == ["practitioner", "supervisor", "leader"]
    rows = {row.organisation: row for row in tiers["practitioner"].rows}
    assert (rows[organisation.name].staff, rows[organisation.name].endorsed, rows[organisation.name].certified) == (4, 3, 1)
    assert rows[organisation.name].share == 0.25
    assert (rows[empty.name].staff, rows[empty.name].share) == (0, None)
    assert (rows[NO_ORGANISATION].staff, rows[NO_ORGANISATION].endorsed) == (1, 1)
    assert {row.organisation: (row.endorsed, row.certified) for row in tiers["supervisor"].rows}[organisation.name] == (1, 0)
    total = tiers["practitioner"].total
    assert total.staff == sum(row.staff for row in tiers["practitioner"].rows) and total.endorsed >= 4


# The pages ---------------------------------------------------------------------------------------------------

def test_the_employer_sees_the_heat_map_of_staff_who_share(client, session, workforce, signed_in_as):
    employer = signed_in_as(Role.EMPLOYER)
    for _ in range(5):
        workforce.person(employer.organisation, P1=STRENGTH, P2=AREA_TO_DEVELOP)
    workforce.person(employer.organisation, shares=False, P1=AREA_TO_DEVELOP, P2=AREA_TO_DEVELOP)
    assert "Workforce insight" in page_text(client.get("/employer/"))
    response = client.get("/employer/insight")
    assert response.status_code == 200
    text = page_text(response)
    assert "5 of the 6 people on your staff with released results" in text
    title = workforce.statements["P1"].title
    assert re.search(rf"P1 {re.escape(title)} 100% 0% 5 ", text)
    assert re.search(r"P2 .*? 0% 100% 5 ", text)
    assert "P3 " in text and "Fewer than 5 people" in text
    assert "an area to develop if either result shows one" in text
    html = response.get_data(as_text=True)
    assert "app-heat--strength-4" in html and "app-heat--area-4" in html and "style=" not in html


def test_an_employer_with_too_few_sharing_sees_no_figures(client, workforce, signed_in_as):
    employer = signed_in_as(Role.EMPLOYER)
    for _ in range(4):
        workforce.person(employer.organisation, P1=STRENGTH)
    response = client.get("/employer/insight")
    assert "4 of the 4 people" in page_text(response)
    cells = BeautifulSoup(response.get_data(as_text=True), "html.parser").select("table td")
    assert cells and {" ".join(td.get_text().split()) for td in cells} == {"Fewer than 5 people"}
    assert "From fewer than 5 people with a released child and family practitioner result" in page_text(response)


def test_an_employer_whose_staff_have_no_results_is_told_so(client, signed_in_as):
    signed_in_as(Role.EMPLOYER)
    assert "None of your staff has a released result yet" in page_text(client.get("/employer/insight"))


def test_an_employer_without_an_organisation_has_no_insight(client, signed_in_as):
    signed_in_as(Role.EMPLOYER, organisation=None)
    assert client.get("/employer/insight").status_code == 404


def test_the_national_view_shows_coverage_and_everyones_heat_map(client, workforce, signed_in_as, make_organisation):
    organisation = make_organisation(name="Northmoor Test Council")
    for number in range(6):
        workforce.person(organisation, shares=number < 3, P1=AREA_TO_DEVELOP)
    signed_in_as(Role.ADMINISTRATOR)
    assert "Workforce insight" in page_text(client.get("/admin/"))
    text = page_text(client.get("/admin/workforce"))
    assert re.search(r"Northmoor Test Council 6 0 0 0%", text)
    assert re.search(r"P1 .*? 0% 100% 6 ", text)
    assert "6 people have released results" in text


def test_every_shade_keeps_text_readable():
    """WCAG 1.4.3: at least 4.5:1 between the text and each shade of the heat map."""
    source = SERVICE_SCSS.read_text()
    shades = [colour for name in ("strength", "area") for colour in
              re.findall(r"#[0-9a-f]{6}", re.search(rf"\$app-heat-{name}: \(([^)]*)\)", source).group(1))]
    assert len(shades) == 10
    assert min(contrast(shade, TEXT_COLOUR) for shade in shades) >= 4.5


def contrast(first: str, second: str) -> float:
    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# The demo ---------------------------------------------------------------------------------------------------

def test_the_simulated_cohort_works_for_the_demo_employers_and_mostly_shares(session, open_window):  # noqa: F811
    seed_demo(session, password="demo password for tests", hash_profile="fast")
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    simulated = seed_simulated_window(session, tier=tier, candidates=60, seed=3, now=utcnow(), release=True)
    session.commit()
    assert simulated.window.results_released_at is not None
    people = session.exec(select(User).join(Booking, Booking.candidate_id == User.id).where(Booking.window_id == simulated.window.id)).all()
    names = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    employers = {names[person.organisation_id] for person in people}
    assert employers <= set(DEMO_WORKFORCE) and len(employers) >= 4
    sharing = session.exec(select(ResultsSharing).where(ResultsSharing.candidate_id.in_([p.id for p in people]))).all()
    assert len(sharing) == 60 and 0.7 < sum(s.share for s in sharing) / 60 < 0.98
    northmoor = session.exec(select(Organisation).where(Organisation.name == "Northmoor Borough Council")).one()
    insight = workforce_insight(session, organisation=northmoor)
    assert insight.included >= 5 and not next(m for m in insight.maps if m.tier == "practitioner").suppressed

    # The insight scores each attempt exactly as the candidate's own result page does.
    attempts = session.exec(select(Attempt).join(Booking, Booking.id == Attempt.booking_id).where(Booking.window_id == simulated.window.id)).all()
    scored = outcomes(session, [(a.id, a.form_id) for a in attempts])
    expected = {(a.candidate_id, "practitioner"): {s.code: s.label for s in scored[a.id].profile.by_statement} for a in attempts}
    assert knowledge_labels(session) == expected
    assert {label for labels in expected.values() for label in labels.values()} == {STRENGTH, AREA_TO_DEVELOP, None}


def test_without_the_demo_the_simulated_cohort_works_nowhere(session, open_window):  # noqa: F811
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    simulated = seed_simulated_window(session, tier=tier, candidates=5, seed=3, now=utcnow(), release=False)
    people = session.exec(select(User).join(Booking, Booking.candidate_id == User.id).where(Booking.window_id == simulated.window.id)).all()
    assert {person.organisation_id for person in people} == {None} and simulated.window.results_released_at is None
