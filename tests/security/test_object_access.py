"""Object-level access (IDOR): signed in as each role, try to read and change other people's attempts,
results, marks, certificates, share links, API keys and organisations' data. Every try is refused
(403 or 404), shows nothing of the object and changes nothing in the database (every table, the audit
log included, is compared before and after).

Each row of ACTIONS also names the object's owner. The owner's identical request is checked to work
(and, for a change, to change the database), so a refusal below is the permission check at work and
not a wrong address or an empty form.

One world (two organisations and their people, certificates, share links, API keys, bookings,
attempts, observed-practice sittings, a standard-setting panel, calibration exercises) is built once
for the module, inside a transaction rolled back at the end; each test runs in a savepoint of it.
tests/test_access_control.py checks every route for every role at the role level.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from types import SimpleNamespace
from typing import Callable

import pytest
from sqlmodel import Session, SQLModel, select

from app.accounts.passwords import hash_password
from app.accreditation import services as accreditation
from app.api.keys import create_key
from app.bank.services import import_framework
from app.models import (
    AdjustmentStatus,
    AgreedMark,
    AssessmentForm,
    AssessmentMode,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    Endorsement,
    FormItem,
    Item,
    ItemStatus,
    ItemVersion,
    Organisation,
    OrganisationKind,
    PanelItem,
    PanelMember,
    PracticeRoute,
    PracticeSitting,
    ReasonableAdjustment,
    Response,
    Role,
    RoleMembership,
    ShareLink,
    SittingStatus,
    StandardSettingPanel,
    Statement,
    StationSet,
    Tier,
    User,
)
from app.models.types import utcnow
from app.practice import calibration
from app.practice import services as practice
from app.scoring import STRENGTH
from tests.accreditation.test_certificates import issue
from tests.conftest import PASSWORD, page_text
from tests.employers.test_insight import Workforce
from tests.practice.conftest import framework, spec  # noqa: F401  (framework: the shipped framework, session-scoped)
from tests.practice.test_marking import all_marks
from tests.practice.test_pages import score_fields

# The world -------------------------------------------------------------------------------------------------------

# Organisation Y employs the people whose things are attacked; organisation X employs the intruding employer
# and candidate. Each persona is a signed-in user; the tests sign in as them by these names.
HOLDER = "holder"  # Y: certificate, share links, endorsement, released knowledge and practice results
SITTER = "sitter"  # Y: a knowledge assessment in progress, a practice sitting being marked
BOOKED = "booked"  # Y: a place in a later window
READY = "ready"  # Y: a place in the open window, form prepared, not started; not endorsed
OTHER_CANDIDATE = "candidate elsewhere"  # X: holds a certificate, endorsed, booked
THEIR_EMPLOYER = "their employer"  # Y
OTHER_EMPLOYER = "employer elsewhere"  # X
NO_ORGANISATION = "employer without organisation"
MARKER = "allocated assessor"  # marks the sitter's sitting; sits on the panel
CO_MARKER = "co-assessor"  # the sitter's other assessor
OTHER_ASSESSOR = "assessor not allocated"  # marks someone else's sitting, not the sitter's
MODERATOR = "moderator"
MARKING_MODERATOR = "moderator who marked"  # assessor and moderator, allocated to the sitting in moderation
SELF_MODERATOR = "moderator whose sitting it is"  # candidate and moderator: the sitting in moderation is theirs
ADMINISTRATOR = "administrator"


class Builder:
    """Adds the world's rows, flushing as it goes."""

    def __init__(self, app, session: Session):
        self.app, self.session, self.count = app, session, 0

    def person(self, name, *roles, organisation=None) -> User:
        self.count += 1
        user = User(name=name, email=f"{name.lower().replace(' ', '.')}@idor.example.org", organisation_id=organisation.id if organisation else None,
                    swe_number=f"SW81{self.count:04d}" if Role.CANDIDATE in roles else None,
                    password_hash=hash_password(PASSWORD, profile=self.app.config["PASSWORD_HASH_PROFILE"]))
        user.memberships = [RoleMembership(role=role) for role in roles]
        self.session.add(user)
        self.session.flush()
        return user

    def add(self, *rows):
        self.session.add_all(rows)
        self.session.flush()
        return rows[0] if len(rows) == 1 else rows

    def items(self, tier, count=3) -> list[ItemVersion]:
        statements = self.session.exec(select(Statement).where(Statement.tier_id == tier.id).order_by(Statement.position)).all()
        versions = []
        for number in range(count):
            item = self.add(Item(code=f"idor-{number}", tier_id=tier.id, status=ItemStatus.LIVE))
            versions.append(self.add(ItemVersion(
                item_id=item.id, number=1, statement_id=statements[number].id, kind="general", type="single_best_answer",
                difficulty="moderate", stem=f"Question {number + 1}: which is right?", key=["A"], content_hash=f"idor-{number}",
                options=[{"text": f"Option {letter}", "rationale": f"Why {letter}."} for letter in "ABCD"])))
        return versions

    def window(self, tier, opens, hours=8, released=None) -> AssessmentWindow:
        return self.add(AssessmentWindow(tier_id=tier.id, opens_at=opens, closes_at=opens + timedelta(hours=hours), capacity=20,
                                         mode=AssessmentMode.REMOTE, change_cutoff_hours=48, results_released_at=released))

    def booking(self, candidate, window, versions=None) -> Booking:
        """A place; with `versions`, its form prepared from them."""
        booking = self.add(Booking(candidate_id=candidate.id, window_id=window.id))
        if versions:
            form = self.add(AssessmentForm(booking_id=booking.id, time_limit_minutes=60, cut_score=2))
            self.add(*[FormItem(form_id=form.id, position=n, item_version_id=v.id, rating=0.6) for n, v in enumerate(versions, 1)])
        return booking

    def set_version(self):
        return self.session.exec(select(StationSet).where(StationSet.code == "prac-set-t")).one().current

    def form_of(self, booking) -> AssessmentForm:
        return self.session.exec(select(AssessmentForm).where(AssessmentForm.booking_id == booking.id)).one()

    def accredited(self, candidate, tier, endorser, versions, set_version):
        """As tests/accreditation/conftest.py's `accredited`, with a real form and agreed marks so that
        the released results render: endorsed, a released knowledge pass and a released practice pass."""
        now = utcnow()
        self.add(Endorsement(candidate_id=candidate.id, tier_id=tier.id, endorsed_by_id=endorser.id, statement="Reviewed in supervision."))
        window = self.window(tier, now - timedelta(days=10), released=now - timedelta(days=5))
        booking = self.booking(candidate, window, versions)
        form = self.form_of(booking)
        attempt = self.add(Attempt(booking_id=booking.id, form_id=form.id, candidate_id=candidate.id, status=AttemptStatus.SUBMITTED,
                                   started_at=now - timedelta(days=10), deadline_at=now - timedelta(days=10) + timedelta(hours=1),
                                   submitted_at=now - timedelta(days=10), submitted_by="candidate", score=3, max_score=3, cut_score=2,
                                   passed=True))
        self.add(*[Response(attempt_id=attempt.id, form_item_id=item.id, answer=["A"], flagged=False, revision=1) for item in form.items])
        sitting = self.add(PracticeSitting(candidate_id=candidate.id, tier_id=tier.id, set_version_id=set_version.id, route=PracticeRoute.CENTRE,
                                           scheduled_at=now - timedelta(days=20), status=SittingStatus.RELEASED, passed=True,
                                           agreed_at=now - timedelta(days=12), released_at=now - timedelta(days=5), created_by_id=endorser.id))
        self.add(*[AgreedMark(sitting_id=sitting.id, station=station, criterion=criterion, score=5,
                              feedback=f"Agreed feedback for {candidate.name} on {criterion}.") for station, criterion in set_version.criteria()])
        return attempt, sitting


@pytest.fixture(scope="module")
def world_connection(app):
    connection = app.extensions["db"].engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture(scope="module")
def world(app, world_connection, framework):  # noqa: F811
    session = Session(bind=world_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        return _build(app, session, framework)
    finally:
        session.close()


def _build(app, session, tiers) -> SimpleNamespace:
    import_framework(session, tiers=tiers, actor=None)
    practice.import_station_sets(session, specs=[spec("prac-set-t"), spec("prac-set-u")], actor=None)
    b = Builder(app, session)
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    ours = b.add(Organisation(name="Ashdown Test Council", kind=OrganisationKind.LOCAL_AUTHORITY))
    theirs = b.add(Organisation(name="Brierley Test Council", kind=OrganisationKind.LOCAL_AUTHORITY))
    p = {
        HOLDER: b.person("Yasmin Holder", Role.CANDIDATE, organisation=theirs),
        SITTER: b.person("Yusuf Sitter", Role.CANDIDATE, organisation=theirs),
        BOOKED: b.person("Yara Booked", Role.CANDIDATE, organisation=theirs),
        READY: b.person("Yves Ready", Role.CANDIDATE, organisation=theirs),
        OTHER_CANDIDATE: b.person("Xavier Elsewhere", Role.CANDIDATE, organisation=ours),
        THEIR_EMPLOYER: b.person("Yvonne Employer", Role.EMPLOYER, organisation=theirs),
        OTHER_EMPLOYER: b.person("Xena Employer", Role.EMPLOYER, organisation=ours),
        NO_ORGANISATION: b.person("Nora Unattached", Role.EMPLOYER),
        MARKER: b.person("Ada Marker", Role.ASSESSOR),
        CO_MARKER: b.person("Cy Comarker", Role.ASSESSOR),
        OTHER_ASSESSOR: b.person("Otto Assessor", Role.ASSESSOR),
        MODERATOR: b.person("Mona Moderator", Role.MODERATOR),
        MARKING_MODERATOR: b.person("Max Markmod", Role.ASSESSOR, Role.MODERATOR),
        SELF_MODERATOR: b.person("Sam Selfmod", Role.CANDIDATE, Role.MODERATOR, organisation=theirs),
        ADMINISTRATOR: b.person("Alex Admin", Role.ADMINISTRATOR),
    }
    w = SimpleNamespace(people={key: SimpleNamespace(id=u.id, name=u.name, email=u.email) for key, u in p.items()})
    versions = b.items(tier)
    _certificates(app, b, w, p, tier, versions, ours, theirs)
    _knowledge_assessment(b, w, p, tier, versions)
    _observed_practice(b, w, p, tier)
    _panel_and_calibration(b, w, p, tier, versions)
    # Workforce insight: five of Y's staff share results showing P1 as a strength
    workforce = Workforce(session, lambda **kw: b.person(f"Yanis Sharer {b.count}", Role.CANDIDATE, organisation=kw["organisation"]),
                          tier, p[THEIR_EMPLOYER])
    w.sharers = [SimpleNamespace(name=u.name, email=u.email) for u in (workforce.person(theirs, P1=STRENGTH) for _ in range(5))]
    session.commit()
    w.their_people = [person for key, person in w.people.items() if key in (HOLDER, SITTER, BOOKED, READY, THEIR_EMPLOYER)] + w.sharers
    return w


def _certificates(app, b, w, p, tier, versions, ours, theirs):
    """Certificates for the holder (Y) and the candidate elsewhere (X); the holder's share links (one
    working, one stopped, one expired); an API key for each organisation."""
    session, now, set_version = b.session, utcnow(), b.set_version()
    w.released_attempt, w.released_sitting = (row.id for row in b.accredited(p[HOLDER], tier, p[THEIR_EMPLOYER], versions, set_version))
    b.accredited(p[OTHER_CANDIDATE], tier, p[OTHER_EMPLOYER], versions, set_version)
    certificate, elsewhere = issue(app, session, p[HOLDER], tier), issue(app, session, p[OTHER_CANDIDATE], tier)
    w.code, w.pdf, w.jwt, w.other_code = certificate.code, certificate.pdf, certificate.credential_jwt, elsewhere.code
    w.endorsement = session.exec(select(Endorsement).where(Endorsement.candidate_id == p[HOLDER].id)).one().id
    w.tokens = {label: accreditation.create_share_link(session, certificate=certificate, holder=p[HOLDER], label=label, days=30, now=now)
                for label in ("Brierley payroll audit", "Old agency", "Last year's employer")}
    links = {link.label: link for link in session.exec(select(ShareLink))}
    w.link = links["Brierley payroll audit"].id
    accreditation.revoke_share_link(session, link=links["Old agency"], holder=p[HOLDER], now=now)
    links["Last year's employer"].expires_at = now - timedelta(days=1)
    key, w.their_secret = create_key(session, actor=p[THEIR_EMPLOYER], organisation=theirs, name="Brierley payroll bridge",
                                     scopes=["verify", "accreditations"])
    w.their_key = key.id
    _, w.our_secret = create_key(session, actor=p[OTHER_EMPLOYER], organisation=ours, name="Ashdown HR system", scopes=["accreditations"])
    session.flush()


def _knowledge_assessment(b, w, p, tier, versions):
    """The sitter is sitting now (rest breaks approved); `ready` may start; `booked` has a place in a
    later window and could move to another; the candidate elsewhere has a place too."""
    now = utcnow()
    open_window = b.window(tier, now - timedelta(hours=1))
    sitter_booking = b.booking(p[SITTER], open_window, versions)
    w.attempt = b.add(Attempt(booking_id=sitter_booking.id, form_id=b.form_of(sitter_booking).id, candidate_id=p[SITTER].id,
                              started_at=now - timedelta(minutes=5), deadline_at=now + timedelta(minutes=55))).id
    b.add(ReasonableAdjustment(candidate_id=p[SITTER].id, rest_breaks=True, status=AdjustmentStatus.APPROVED, decided_at=now))
    w.ready_booking = b.booking(p[READY], open_window, versions).id
    b.add(Endorsement(candidate_id=p[BOOKED].id, tier_id=tier.id, endorsed_by_id=p[THEIR_EMPLOYER].id, statement="Reviewed in supervision."))
    w.booking = b.booking(p[BOOKED], b.window(tier, now + timedelta(days=30))).id
    w.later_window = b.window(tier, now + timedelta(days=40)).id
    b.booking(p[OTHER_CANDIDATE], b.window(tier, now + timedelta(days=50)))


def _observed_practice(b, w, p, tier):
    """The sitter's sitting, checked in, with the allocated assessor's draft marks; and a sitting in
    moderation (its assessors disagree), marked by the moderator who marked and sat by the self-moderator."""
    session, now, admin = b.session, utcnow(), p[ADMINISTRATOR]

    def sitting_for(candidate, assessors):
        for assessor in assessors:
            practice.save_profile(session, assessor=assessor, tiers=["practitioner"], capacity=4, actor=admin)
        sitting = practice.schedule_sitting(session, candidate=candidate, tier=tier, route=PracticeRoute.CENTRE, scheduled_at=now,
                                            location="Leeds", actor=admin, set_code="prac-set-t")
        assert {a.assessor_id for a in sitting.allocations} == {a.id for a in assessors}  # the two with no load yet
        practice.check_in(session, sitting=sitting, identity_checked=True, registration_confirmed=True, filming_consent=True,
                          adjustments_in_place=True, note=None, actor=admin, now=now)
        return sitting

    sitting = sitting_for(p[SITTER], [p[MARKER], p[CO_MARKER]])
    w.draft_evidence = "Draft by Ada Marker: the candidate explained the plan to the parent clearly."
    practice.save_marks(session, sitting=sitting, assessor=p[MARKER], entered=all_marks(sitting, 5, evidence=w.draft_evidence), submit=False,
                        now=now)
    w.sitting, w.sitting_fields = sitting.id, score_fields(sitting, 4)
    disputed = sitting_for(p[SELF_MODERATOR], [p[OTHER_ASSESSOR], p[MARKING_MODERATOR]])
    low = disputed.set_version.criteria()[0]
    for assessor, score in ((p[OTHER_ASSESSOR], 5), (p[MARKING_MODERATOR], lambda key: 2 if key == low else 5)):
        practice.save_marks(session, sitting=disputed, assessor=assessor, entered=all_marks(disputed, score), submit=True, now=now)
    assert disputed.status is SittingStatus.MODERATION
    w.disputed, w.disputed_fields, w.disputed_evidence = disputed.id, score_fields(disputed, 5), "Clear evidence seen in the station"


def _panel_and_calibration(b, w, p, tier, versions):
    """A standard-setting panel the allocated assessor and co-assessor sit on; two calibration
    exercises, one published and one not."""
    admin = p[ADMINISTRATOR]
    panel = b.add(StandardSettingPanel(tier_id=tier.id, title="Practitioner panel", opened_by_id=admin.id))
    b.add(PanelMember(panel_id=panel.id, user_id=p[MARKER].id), PanelMember(panel_id=panel.id, user_id=p[CO_MARKER].id))
    b.add(*[PanelItem(panel_id=panel.id, item_version_id=v.id, position=n) for n, v in enumerate(versions, 1)])
    w.panel, w.rated_version = panel.id, versions[0].id
    set_version = b.set_version()
    station = next(s for s in set_version.stations if s["kind"] == "written")
    w.criteria = [c["id"] for c in station["rubric"]]
    published, draft = (calibration.create_exercise(b.session, version=set_version, station=station["id"], title=title, actor=admin,
                                                    sample="A case record. " * 20, benchmark={c: 4 for c in w.criteria},
                                                    rationale="Sound facts; the plan lacks timescales.")
                        for title in ("Published exercise", "Draft exercise"))
    calibration.publish(b.session, exercise=published, actor=admin, now=utcnow())
    w.exercise, w.draft_exercise = published.id, draft.id


@pytest.fixture
def connection(world_connection, world):
    """Replaces tests/conftest.py's: each test runs in a savepoint of the module's world, rolled back after it."""
    savepoint = world_connection.begin_nested()
    yield world_connection
    if savepoint.is_active:
        savepoint.rollback()


@pytest.fixture(scope="module")
def signed_in_sessions():
    return {}


@pytest.fixture
def signed_in(app, client, world, sign_in, forms, signed_in_sessions):
    """Sign in as a persona; returns a CSRF token for the session, as a page's form would carry. Each
    persona signs in through the form once; later tests reuse that session cookie (the sign-in's own
    writes are rolled back with its test, which leaves the cookie valid)."""
    name = app.config["SESSION_COOKIE_NAME"]

    def do(persona):
        if persona not in signed_in_sessions:
            client.delete_cookie(name)  # whoever was signed in before
            sign_in(world.people[persona])
            token = forms.token("/account/")  # first: it stores the session's CSRF secret in the cookie
            signed_in_sessions[persona] = (client.get_cookie(name), token)
        cookie, token = signed_in_sessions[persona]
        client.set_cookie(name, cookie.value, domain=cookie.domain, path=cookie.path, secure=cookie.secure, httponly=cookie.http_only)
        return token

    return do


def database_rows(session) -> dict[str, str]:
    """Every table's rows in primary-key order, as one text per table (on PostgreSQL, its MD5), read in one
    query: compared before and after a request."""
    connection = session.connection()
    names = [table.name for table in SQLModel.metadata.sorted_tables]
    row = connection.exec_driver_sql(_snapshot_sql(connection.dialect)).one()
    return dict(zip(names, row, strict=True))


@cache
def _snapshot_sql(dialect) -> str:
    quote = dialect.identifier_preparer
    parts = []
    for table in SQLModel.metadata.sorted_tables:
        name = quote.format_table(table)
        if dialect.name == "postgresql":
            parts.append(f"(SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {name} AS t)")
        else:
            row = " || '|' || ".join(f"quote({quote.quote(column.name)})" for column in table.columns)
            order = ", ".join(quote.quote(column.name) for column in table.primary_key.columns)
            parts.append(f"(SELECT group_concat(line, char(10)) FROM (SELECT {row} AS line FROM {name} ORDER BY {order}))")
    return "SELECT " + ", ".join(parts)


def changed_tables(before, after) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


def body(response) -> bytes:
    data = response.get_data()
    response.close()
    return data


def as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


# The matrix ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    route: str  # the endpoint, as named in tests/test_access_control.py
    method: str  # GET, POST (a form with its CSRF token) or JSON (the autosave's body, token in X-CSRFToken)
    url: Callable[[SimpleNamespace], str]
    owner: str  # who may do this: their identical request is the control
    intruders: tuple[str, ...]  # who may not
    data: Callable[[SimpleNamespace], dict] = lambda w: {}
    shows: Callable[[SimpleNamespace], str | bytes] | None = None  # what the owner's response carries and no one else's may
    changes: bool = False  # the owner's request changes the database
    owner_url: Callable[[SimpleNamespace], str] | None = None  # the control's object, where the intruders' has no owner
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}{f' ({self.note})' if self.note else ''}"


def _colleague(owner):
    return SITTER if owner == HOLDER else HOLDER


def candidates_things(owner):
    """Who tries a candidate's things: a colleague, a candidate elsewhere, both employers, an assessor, a moderator."""
    return (_colleague(owner), OTHER_CANDIDATE, THEIR_EMPLOYER, OTHER_EMPLOYER, OTHER_ASSESSOR, MODERATOR)


ORGANISATIONS_THINGS = (OTHER_EMPLOYER, NO_ORGANISATION, HOLDER)  # another organisation's employer, one with none, its own candidate
SITTERS_MARKS = (OTHER_ASSESSOR, MARKING_MODERATOR, MODERATOR, SITTER, ADMINISTRATOR)  # assessors not allocated, the candidate
DISPUTED = (MARKING_MODERATOR, OTHER_ASSESSOR, SELF_MODERATOR)  # marked it, or sat it
PANEL = (OTHER_ASSESSOR, MODERATOR, MARKING_MODERATOR)  # panellists' roles, not on this panel

CERTIFICATE = "/candidate/certificates/{w.code}"
ATTEMPT = "/candidate/attempts/{w.attempt}"


def url(template):
    return lambda w: template.format(w=w)


ACTIONS = [
    # Certificates
    Action("certificates.download_pdf", "GET", url(CERTIFICATE + "/certificate.pdf"), HOLDER, candidates_things(HOLDER), shows=lambda w: w.pdf),
    Action("certificates.download_credential", "GET", url(CERTIFICATE + "/credential.jwt"), HOLDER, candidates_things(HOLDER),
           shows=lambda w: w.jwt),
    Action("certificates.checks", "GET", url(CERTIFICATE + "/checks"), HOLDER, candidates_things(HOLDER), shows=lambda w: w.code),
    Action("certificates.share", "GET", url(CERTIFICATE + "/share"), HOLDER, candidates_things(HOLDER),
           shows=lambda w: "Brierley payroll audit"),
    Action("certificates.share", "POST", url(CERTIFICATE + "/share"), HOLDER, candidates_things(HOLDER), note="make a link",
           data=lambda w: {"label": "Somebody else's HR", "days": "30"}, changes=True),
    Action("certificates.share", "POST", url(CERTIFICATE + "/share"), HOLDER, candidates_things(HOLDER), note="stop a link",
           data=lambda w: {"revoke": str(w.link)}, changes=True),
    # Knowledge results
    Action("sitting.result", "GET", url("/candidate/attempts/{w.released_attempt}/result"), HOLDER, candidates_things(HOLDER),
           shows=lambda w: "Your score: 3 out of 3"),
    Action("sitting.feedback_pdf", "GET", url("/candidate/attempts/{w.released_attempt}/result/feedback.pdf"), HOLDER,
           candidates_things(HOLDER), shows=lambda w: b"%PDF"),
    # Practice results
    Action("practice.result", "GET", url("/candidate/practice/{w.released_sitting}/result"), HOLDER, candidates_things(HOLDER),
           shows=lambda w: "Agreed feedback for Yasmin Holder"),
    # An attempt in progress, and bookings
    Action("sitting.question", "GET", url(ATTEMPT + "/questions/1"), SITTER, candidates_things(SITTER), shows=lambda w: "Question 1: which is right?"),
    Action("sitting.question", "POST", url(ATTEMPT + "/questions/1"), SITTER, candidates_things(SITTER), note="answer",
           data=lambda w: {"answer": "B", "revision": "1", "go": "next"}, changes=True),
    Action("sitting.save", "JSON", url(ATTEMPT + "/questions/1/save"), SITTER, candidates_things(SITTER), note="autosave an answer",
           data=lambda w: {"answer": ["B"], "flagged": True, "revision": 1}, changes=True),
    Action("sitting.check", "POST", url(ATTEMPT + "/check"), SITTER, candidates_things(SITTER), note="submit", changes=True),
    Action("sitting.rest_break", "POST", url(ATTEMPT + "/break"), SITTER, candidates_things(SITTER), note="pause the clock", changes=True),
    Action("sitting.start", "POST", url("/candidate/bookings/{w.ready_booking}/start"), READY, candidates_things(READY),
           data=lambda w: {"ready": "y"}, changes=True),
    Action("exams.cancel_booking", "POST", url("/candidate/bookings/{w.booking}/cancel"), BOOKED, candidates_things(BOOKED), changes=True),
    Action("exams.move_booking", "POST", url("/candidate/bookings/{w.booking}/move"), BOOKED, candidates_things(BOOKED),
           data=lambda w: {"window": str(w.later_window)}, changes=True),
    # The organisation's staff, endorsements and API keys
    Action("employers.staff_member", "GET", url("/employer/staff/{w.people[holder].id}"), THEIR_EMPLOYER, ORGANISATIONS_THINGS,
           shows=lambda w: "Yasmin Holder"),
    Action("employers.endorse", "GET", url("/employer/staff/{w.people[ready].id}/endorse"), THEIR_EMPLOYER, ORGANISATIONS_THINGS,
           shows=lambda w: "Yves Ready"),
    Action("employers.endorse", "POST", url("/employer/staff/{w.people[ready].id}/endorse"), THEIR_EMPLOYER, ORGANISATIONS_THINGS,
           data=lambda w: {"tier": "practitioner", "reviewed": "y", "statement": "Observed in supervision against every statement."},
           changes=True),
    Action("employers.withdraw_endorsement", "POST", url("/employer/endorsements/{w.endorsement}/withdraw"), THEIR_EMPLOYER,
           ORGANISATIONS_THINGS, data=lambda w: {"reason": "They have left the team."}, changes=True),
    Action("employers.revoke_api_key", "POST", url("/employer/api-keys/{w.their_key}/revoke"), THEIR_EMPLOYER, ORGANISATIONS_THINGS,
           changes=True),
    # Marks
    Action("practice.mark", "GET", url("/assessor/practice/sittings/{w.sitting}"), MARKER, SITTERS_MARKS, shows=lambda w: w.draft_evidence),
    Action("practice.mark", "POST", url("/assessor/practice/sittings/{w.sitting}"), MARKER, SITTERS_MARKS, note="save marks",
           data=lambda w: {**w.sitting_fields, "action": "draft"}, changes=True),
    Action("practice.moderate", "GET", url("/moderator/practice/sittings/{w.disputed}"), MODERATOR, DISPUTED,
           shows=lambda w: w.disputed_evidence),
    Action("practice.moderate", "POST", url("/moderator/practice/sittings/{w.disputed}"), MODERATOR, DISPUTED, note="set agreed marks",
           data=lambda w: {**w.disputed_fields, "rationale": "Read both assessors' evidence: the candidate met the standard."},
           changes=True),
    Action("practice.reconsider", "POST", url("/moderator/practice/sittings/{w.disputed}/reconsider"), MODERATOR, DISPUTED,
           data=lambda w: {"position": "1", "note": "Look again at criterion one, please."}, changes=True),
    # Standard setting and calibration
    Action("standards.rate", "GET", url("/panels/{w.panel}/rate"), MARKER, PANEL, shows=lambda w: "idor-0"),
    Action("standards.rate", "POST", url("/panels/{w.panel}/rate"), MARKER, PANEL, note="rate an item",
           data=lambda w: {f"rating_{w.rated_version}": "60"}, changes=True),
    Action("practice.calibrate", "GET", url("/assessor/calibration/{w.draft_exercise}"), MARKER, (MARKER, OTHER_ASSESSOR),
           owner_url=url("/assessor/calibration/{w.exercise}"), shows=lambda w: "Published exercise", note="not published"),
    Action("practice.calibrate", "POST", url("/assessor/calibration/{w.draft_exercise}"), MARKER, (MARKER, OTHER_ASSESSOR),
           owner_url=url("/assessor/calibration/{w.exercise}"), data=lambda w: {f"score-{c}": "4" for c in w.criteria}, changes=True,
           note="not published"),
]

CASES = [pytest.param(action, who, id=f"{action.id}: {who}") for action in ACTIONS for who in action.intruders]


def send(client, action: Action, w, token, url=None):
    address = (url or action.url)(w)
    if action.method == "GET":
        return client.get(address)
    if action.method == "JSON":
        return client.post(address, json=action.data(w), headers={"X-CSRFToken": token})
    return client.post(address, data={**action.data(w), "csrf_token": token})


@pytest.mark.parametrize("action, who", CASES)
def test_no_one_reads_or_changes_what_is_not_theirs(client, session, world, signed_in, action, who):
    token = signed_in(who)
    before = database_rows(session)
    response = send(client, action, world, token)
    data = body(response)
    where = f"{action.id} as {who}"
    assert response.status_code in (403, 404), f"{where}: not refused ({response.status_code}, {response.headers.get('Location')})"
    if action.shows:
        assert as_bytes(action.shows(world)) not in data, f"{where}: the response shows what only {action.owner} may see"
    assert response.mimetype in ("text/html", "application/json"), f"{where}: sent a {response.mimetype} file"
    assert changed_tables(before, database_rows(session)) == [], f"{where}: the refused request changed the database"


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: f"{action.id}: {action.owner}")
def test_the_owner_can(client, session, world, signed_in, action):
    """The control for each row above: the same request from the owner works."""
    token = signed_in(action.owner)
    before = database_rows(session)
    response = send(client, action, world, token, url=action.owner_url)
    data = body(response)
    where = f"{action.id} as {action.owner}"
    assert response.status_code in (200, 201, 302), f"{where}: {response.status_code}"
    if response.status_code == 302:
        assert not response.headers["Location"].startswith("/account/sign-in"), where
    if action.shows:
        assert as_bytes(action.shows(world)) in data, f"{where}: the owner's response lacks what it should show"
    changed = changed_tables(before, database_rows(session))
    assert bool(changed) == action.changes, f"{where}: tables changed: {changed}"



# Share links ---------------------------------------------------------------------------------------------------------

def the_holders_details(w) -> list[str]:
    return ["Yasmin Holder", w.code, "SW810001"]


def test_a_share_link_shows_its_own_certificate_and_no_other(client, world):
    page = page_text(client.get(f"/shared/{world.tokens['Brierley payroll audit']}"))
    assert "This certificate is valid" in page and all(detail in page for detail in the_holders_details(world))
    assert "Xavier Elsewhere" not in page and world.other_code not in page


@pytest.mark.parametrize("label, status", [("Old agency", 410), ("Last year's employer", 410), (None, 404)],
                         ids=["stopped by the holder", "expired", "never issued"])
def test_a_stopped_expired_or_unknown_share_link_shows_nothing(client, session, world, label, status):
    before = database_rows(session)
    response = client.get(f"/shared/{world.tokens[label] if label else 'x' * 32}")
    page = page_text(response)
    assert response.status_code == status, page
    assert [detail for detail in the_holders_details(world) if detail in page] == []
    assert changed_tables(before, database_rows(session)) == [], "a dead link was counted as a view or logged as a check"


def test_a_candidate_cannot_stop_someone_elses_link_through_their_own_certificate(client, session, world, signed_in):
    token = signed_in(OTHER_CANDIDATE)
    before = database_rows(session)
    response = client.post(f"/candidate/certificates/{world.other_code}/share", data={"revoke": str(world.link), "csrf_token": token})
    assert response.status_code == 404
    assert changed_tables(before, database_rows(session)) == []
    assert client.get(f"/shared/{world.tokens['Brierley payroll audit']}").status_code == 200  # the holder's link still works


# Results and marks -------------------------------------------------------------------------------------------------

def test_a_candidate_cannot_appeal_someone_elses_result(client, session, world, signed_in):
    appeal = {"result": f"knowledge-{world.released_attempt}",
              "grounds": "The paper I sat had a question whose key was wrong, which cost me the mark on statement P2."}
    token = signed_in(OTHER_CANDIDATE)
    before = database_rows(session)
    refused = client.post("/candidate/appeals", data={**appeal, "csrf_token": token})
    assert refused.status_code == 400 and "Choose the result you are appealing" in page_text(refused)
    assert changed_tables(before, database_rows(session)) == []
    token = signed_in(HOLDER)
    assert client.post("/candidate/appeals", data={**appeal, "csrf_token": token}).status_code == 302  # the holder can


def test_the_other_assessor_does_not_see_a_draft_before_both_have_submitted(client, world, signed_in):
    signed_in(CO_MARKER)
    response = client.get(f"/assessor/practice/sittings/{world.sitting}")
    assert response.status_code == 200 and world.draft_evidence not in response.get_data(as_text=True)


def test_an_assessor_is_never_allocated_to_mark_their_own_sitting(session, world, make_user):
    """A candidate who is also an assessor, trained for the tier, with no employer and nothing to mark
    yet, would be the lightest-loaded choice for their own sitting."""
    from app.practice.services import PracticeRefused

    admin = session.get(User, world.people[ADMINISTRATOR].id)
    both = make_user(roles=(Role.CANDIDATE, Role.ASSESSOR))
    practice.save_profile(session, assessor=both, tiers=["practitioner"], capacity=4, actor=admin)
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    sitting = practice.schedule_sitting(session, candidate=both, tier=tier, route=PracticeRoute.CENTRE, scheduled_at=utcnow(), location="Leeds",
                                        actor=admin)
    assert both.id not in {a.assessor_id for a in sitting.allocations}
    with pytest.raises(PracticeRefused, match="is the candidate"):
        practice.override_allocation(session, sitting=sitting, position=1, assessor=both, reason="Cover for annual leave", actor=admin)


def test_the_moderation_queue_offers_no_link_to_a_moderators_own_sitting(client, world, signed_in):
    signed_in(SELF_MODERATOR)
    page = client.get("/moderator/practice")
    assert "your own sitting: another moderator will moderate it" in page_text(page)
    assert f"/moderator/practice/sittings/{world.disputed}" not in page.get_data(as_text=True)
    signed_in(MODERATOR)  # the control: another moderator gets the link
    assert f"/moderator/practice/sittings/{world.disputed}" in client.get("/moderator/practice").get_data(as_text=True)


# Organisations' data --------------------------------------------------------------------------------------------------

def text_of(response) -> str:
    return response.get_data(as_text=True) if response.mimetype == "text/csv" else page_text(response)


# Each page lists the signed-in employer's own organisation: (address, what X's employer sees of X, what Y's employer sees of Y)
ORGANISATION_PAGES = [
    ("/employer/", lambda w: ["Xavier Elsewhere", w.other_code], lambda w: ["Yasmin Holder", w.code]),
    ("/employer/accreditations.csv", lambda w: ["Xavier Elsewhere,SW81", w.other_code], lambda w: ["Yasmin Holder,SW81", w.code]),
    ("/employer/insight", lambda w: ["0 of the 1 person on your staff with released results"],
     lambda w: ["5 of the 6 people on your staff with released results", "100%"]),
    ("/employer/api-keys", lambda w: ["Ashdown HR system"], lambda w: ["Brierley payroll bridge"]),
]


@pytest.mark.parametrize("address, ours, theirs", ORGANISATION_PAGES, ids=[address for address, _, _ in ORGANISATION_PAGES])
def test_an_employer_sees_only_their_own_organisations_data(client, world, signed_in, address, ours, theirs):
    signed_in(THEIR_EMPLOYER)
    control = text_of(client.get(address))
    assert [shown for shown in theirs(world) if shown not in control] == [], f"{address}: Y's employer should see Y's data"
    signed_in(OTHER_EMPLOYER)
    seen = text_of(client.get(address))
    assert [shown for shown in ours(world) if shown not in seen] == [], f"{address}: X's employer should see X's data"
    theirs_only = theirs(world) + [person.name for person in world.their_people] + [person.email for person in world.their_people]
    assert [shown for shown in theirs_only if shown in seen] == [], f"{address}: X's employer sees organisation Y's data"


@pytest.mark.parametrize("path", ["/accreditations", "/accreditations/expiring?within_days=1096"])
def test_an_api_key_lists_only_its_own_organisations_people(client, world, path):
    def listed(secret):
        response = client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    theirs = listed(world.their_secret)
    assert [row["certificate_id"] for row in theirs["accreditations"]] == [world.code]  # the control: Y's key sees Y's
    ours = listed(world.our_secret)
    assert ours["organisation"] == "Ashdown Test Council"
    assert [row["certificate_id"] for row in ours["accreditations"]] == [world.other_code]
    text = json.dumps(ours)
    assert [detail for detail in [*the_holders_details(world), *(p.name for p in world.their_people)] if detail in text] == []
