"""The administrators' rater-quality report: its figures for a fixed data set, and a number of SQL
statements that does not grow with the number of sittings, assessors or marks."""

from itertools import count

from sqlalchemy import event

from app.models import AgreedMark, CriterionMark, MarkerAllocation, PracticeRoute, PracticeSitting, Role, SittingStatus, User
from app.models.types import utcnow
from app.practice import services
from tests.conftest import page_text
from tests.practice.conftest import station_sets


def _clamp(score):
    return max(1, min(7, score))


def add_sittings(session, practice, assessors, n, *, start=0):
    """n marked sittings (agreed or released) shared round the assessors in pairs, with scores that
    vary by sitting and criterion, a few moderated, plus the awkward cases the report must skip or
    place: a blank mark, a criterion with no agreed mark, a station not in the set version (kind
    "unknown"), a sitting still in moderation and one with a single assessor."""
    versions = [s.current for s in sorted(station_sets(session), key=lambda s: s.code)]
    serial = count()

    def sitting(i, status, moderated=False):
        candidate = User(name=f"Candidate {start + i}", email=f"rater-report-{start}-{i}-{next(serial)}@example.org")
        session.add(candidate)
        session.flush()
        version = versions[i % len(versions)]
        found = PracticeSitting(candidate_id=candidate.id, tier_id=practice.tier.id, set_version_id=version.id, route=PracticeRoute.CENTRE,
                                scheduled_at=utcnow(), created_by_id=practice.admin.id, status=status, moderated=moderated)
        session.add(found)
        session.flush()
        return found, version

    def allocate(found, *people):
        allocations = [MarkerAllocation(sitting_id=found.id, assessor_id=person.id, position=position, submitted_at=utcnow())
                       for position, person in enumerate(people, 1)]
        session.add_all(allocations)
        session.flush()
        return allocations

    for i in range(start, start + n):
        moderated = i % 3 == 1
        found, version = sitting(i, SittingStatus.RELEASED if i % 4 == 0 else SittingStatus.AGREED, moderated)
        k = len(assessors)
        first, second = allocate(found, assessors[i % k], assessors[(i % k + 1 + (i // k) % (k - 1)) % k])
        criteria = version.criteria() + ([("ghost-station", "one")] if i % 5 == 3 else [])
        for j, key in enumerate(criteria):
            mine = _clamp(1 + (i * 3 + j * 5) % 7)
            theirs = _clamp(mine + (i + j) % 3 - 1 + (2 if moderated and j % 4 == 0 else 0))
            blank = i % 6 == 2 and j == 1
            session.add(CriterionMark(allocation_id=first.id, station=key[0], criterion=key[1], score=None if blank else mine))
            session.add(CriterionMark(allocation_id=second.id, station=key[0], criterion=key[1], score=theirs))
            if not (i % 5 == 0 and j == 2):
                agreed = float(_clamp(round((mine + theirs) / 2 + (j % 2)))) if moderated else (mine + theirs) / 2
                session.add(AgreedMark(sitting_id=found.id, station=key[0], criterion=key[1], score=agreed))
    # not in the report: still in moderation, and a sitting with one assessor
    pending, version = sitting(start + n, SittingStatus.MODERATION)
    lone, _ = sitting(start + n + 1, SittingStatus.AGREED)
    for allocation in allocate(pending, assessors[0], assessors[1]) + allocate(lone, assessors[0]):
        session.add_all(CriterionMark(allocation_id=allocation.id, station=key[0], criterion=key[1], score=2) for key in version.criteria())
    session.add_all(AgreedMark(sitting_id=lone.id, station=key[0], criterion=key[1], score=2.0) for key in version.criteria())
    session.commit()


def named_assessors(session, practice):
    for letter, assessor in zip("ABC", practice.assessors, strict=True):
        assessor.name = f"Assessor {letter}"
        session.add(assessor)
    session.commit()
    return practice.assessors


def snapshot(rows):
    def r(value):
        return None if value is None else round(value, 9)

    return [(row.assessor.name, row.scope, s.pairs, r(s.exact), r(s.adjacent), r(s.kappa), r(s.exact_with_agreed), r(s.severity),
             s.sittings, s.moderated, s.flags) for row in rows for s in [row.statistics]]


# captured from the report as it was (one query per sitting and allocation) before it was batched
EXPECTED = [
    ('Assessor A', 'All stations', 106, 0.41509434, 0.971698113, 0.916008091, 0.424528302, -0.028301887, 9, 2, ()),
    ('Assessor A', 'simulation', 50, 0.4, 0.94, 0.900900901, 0.4, -0.03, 9, 2, ()),
    ('Assessor A', 'written', 27, 0.37037037, 1.0, 0.92323131, 0.481481481, 0.055555556, 9, 2, ()),
    ('Assessor A', 'reflective', 27, 0.518518519, 1.0, 0.938839519, 0.444444444, -0.148148148, 9, 2, ()),
    ('Assessor A', 'unknown', 2, 0.0, 1.0, 0.925925926, 0.0, 0.5, 9, 2, ()),
    ('Assessor B', 'All stations', 118, 0.372881356, 0.923728814, 0.883150365, 0.415254237, -0.334745763, 10, 5, ('often_moderated',)),
    ('Assessor B', 'simulation', 57, 0.350877193, 0.859649123, 0.847989333, 0.350877193, -0.403508772, 10, 5, ('often_moderated',)),
    ('Assessor B', 'written', 30, 0.366666667, 1.0, 0.922194922, 0.466666667, -0.283333333, 10, 5, ('often_moderated',)),
    ('Assessor B', 'reflective', 30, 0.433333333, 1.0, 0.930612245, 0.5, -0.233333333, 10, 5, ('often_moderated',)),
    ('Assessor B', 'unknown', 1, 0.0, 0.0, 0.0, 0.0, -1.0, 10, 5, ()),
    ('Assessor C', 'All stations', 108, 0.388888889, 0.944444444, 0.894965547, 0.398148148, -0.060185185, 9, 3, ('often_moderated',)),
    ('Assessor C', 'simulation', 51, 0.431372549, 0.901960784, 0.876024129, 0.411764706, -0.068627451, 9, 3, ('often_moderated',)),
    ('Assessor C', 'written', 27, 0.333333333, 1.0, 0.91379922, 0.444444444, 0.037037037, 9, 3, ('often_moderated',)),
    ('Assessor C', 'reflective', 27, 0.407407407, 1.0, 0.927248232, 0.37037037, -0.148148148, 9, 3, ('often_moderated',)),
    ('Assessor C', 'unknown', 3, 0.0, 0.666666667, 0.795454545, 0.0, 0.0, 9, 3, ()),
]


def test_the_report_figures_for_a_fixed_data_set(session, practice):
    assessors = named_assessors(session, practice)
    add_sittings(session, practice, assessors, 14)
    session.expunge_all()
    assert snapshot(services.rater_report(session)) == EXPECTED


def test_the_report_is_empty_without_agreed_sittings(session, practice):
    assert services.rater_report(session) == []


def test_the_number_of_queries_does_not_grow_with_sittings_assessors_or_marks(session, connection, practice, user_with_role):
    def queries():
        session.expunge_all()  # as a fresh request would: nothing already in the session's identity map
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(connection, "before_cursor_execute", listener)
        try:
            rows = services.rater_report(session)
        finally:
            event.remove(connection, "before_cursor_execute", listener)
        assert rows
        return len(statements), sum(s.lstrip().upper().startswith("SELECT") for s in statements)

    assessors = named_assessors(session, practice)
    add_sittings(session, practice, assessors, 3)
    small, small_selects = queries()
    more = assessors + [user_with_role(Role.ASSESSOR, password=None) for _ in range(3)]
    add_sittings(session, practice, more, 9, start=3)
    large, large_selects = queries()
    print(f"rater_report: {small} statements ({small_selects} SELECT) for 3 sittings, {large} ({large_selects} SELECT) for 12 sittings")
    assert small == large
    assert large_selects <= 5  # allocations with their sittings, marks, agreed marks, set versions, assessors


def test_the_page_lists_each_assessor_by_scope(client, session, practice, sign_in):
    assessors = named_assessors(session, practice)
    add_sittings(session, practice, assessors, 14)
    sign_in(practice.admin)
    page = page_text(client.get("/admin/practice/rater-quality"))
    assert "No sittings have agreed marks yet" not in page
    assert page.index("Assessor A") < page.index("Assessor B") < page.index("Assessor C")
    assert "Often moderated" in page and "2 of 9" in page and "5 of 10" in page


def test_the_table_is_pure_and_skips_what_cannot_be_compared():
    from app.practice.agreement import ALL_STATIONS, MarkedSitting, rater_table

    kinds = {"s1": "simulation", "w1": "written"}
    both = MarkedSitting(True, kinds, {("s1", "a"): 4.0, ("w1", "a"): 5.0, ("x9", "a"): 3.0},
                         [(1, {("s1", "a"): 4, ("w1", "a"): None, ("x9", "a"): 3, ("s1", "b"): 6}),
                          (2, {("s1", "a"): 5, ("w1", "a"): 5, ("x9", "a"): 2, ("s1", "b"): 6})])
    lone = MarkedSitting(False, kinds, {("s1", "a"): 4.0}, [(1, {("s1", "a"): 4})])
    table = rater_table([both, lone])
    assert list(table) == [(1, ALL_STATIONS), (1, "simulation"), (1, "unknown"), (2, ALL_STATIONS), (2, "simulation"), (2, "unknown")]
    mine = table[1, ALL_STATIONS]  # the blank written mark and the criterion with no agreed mark are left out; lone is not counted
    assert (mine.pairs, mine.exact, mine.severity, mine.sittings, mine.moderated) == (2, 0.0, 0.0, 1, 1)
    assert (table[2, "unknown"].pairs, table[2, "unknown"].severity) == (1, -1.0)
