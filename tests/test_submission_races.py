"""Faults: a submission racing autosaves, double submits and the clock, with real concurrency.

Real gunicorn (the production configuration, 4 workers) on the suite's kind of database. For each of
several candidates at once, threads keep saving answers to their own questions (each save a newer
revision) while other threads press "Submit" at the same moment, as a double click, a second tab and
a retried request would. Afterwards, for every attempt:

- it was submitted exactly once (one `attempt.submitted` event);
- every save the server acknowledged is stored, and no save it refused is: each question's stored
  revision is the newest acknowledged one;
- the submission counted exactly the stored answers: no save was acknowledged after the submission
  had read the answers (the number answered in the event equals the answers stored).

A second test does the same against the clock: the deadline (with its grace period) passes while
the saves are arriving, and the attempt is closed by the server, once."""

import json
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.databases import fresh_database
from tests.sittings import booked_candidates
from tests.test_deployment import Gunicorns

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

CANDIDATES = 4
SAVERS = 4  # threads saving, each on its own question, per candidate
SUBMITTERS = 3  # simultaneous presses of "Submit" per candidate


@pytest.fixture(scope="module")
def sitting_server(tmp_path_factory):
    """Started attempts for three groups of candidates, served by gunicorn: yields (client, groups, app)."""
    from knowledge_assessment import USER_AGENT, load_attempts

    folder = tmp_path_factory.mktemp("races")
    servers = Gunicorns(folder)
    with fresh_database(folder) as url:
        app, candidates = booked_candidates(url, folder, 2 * CANDIDATES + 1, secret="race-test")
        try:
            base = servers.start(database_url=url, WEB_CONCURRENCY="4", SECRET_KEY="race-test", SESSION_COOKIE_SECURE="0",
                                 RATELIMIT_STORAGE_URI="memory://", ACCESS_LOG="0")
            client = Client(base, USER_AGENT)
            for candidate in candidates:
                status, _ = client.post(candidate, f"/candidate/bookings/{candidate.booking_id}/start", "csrf_token={csrf}&ready=y")
                assert status == 302, status
            load_attempts(app, candidates)
            assert all(c.attempt_id and len(c.save_positions) >= SAVERS for c in candidates)
            groups = {"presses": candidates[:CANDIDATES], "clock": candidates[CANDIDATES:-1], "interleaved": candidates[-1]}
            yield client, groups, app
        finally:
            servers.stop()
            app.extensions["db"].engine.dispose()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer


class Client:
    def __init__(self, base, user_agent):
        self.base, self.user_agent = base, user_agent
        self.opener = urllib.request.build_opener(_NoRedirects)

    def post(self, candidate, path, body, content_type="application/x-www-form-urlencoded"):
        data = (body.format(csrf=candidate.csrf) if isinstance(body, str) else json.dumps(body)).encode()
        request = urllib.request.Request(self.base + path, data=data, method="POST", headers={
            "Cookie": candidate.cookie, "X-CSRFToken": candidate.csrf, "User-Agent": self.user_agent, "Content-Type": content_type})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def _saver(client, candidate, position, acknowledged, stop, lock):
    """Save ever newer answers to one question until the server says the attempt is submitted."""
    revision = 0
    while revision < 500:
        revision += 1
        status, body = client.post(candidate, f"/candidate/attempts/{candidate.attempt_id}/questions/{position}/save",
                                   {"answer": ["A"], "flagged": revision % 2 == 0, "revision": revision}, "application/json")
        if status == 200:
            with lock:
                acknowledged[candidate.attempt_id, position] = revision
            if stop.is_set() and revision > 200:
                return  # the clock test: the deadline is far off after all
            continue
        assert status == 409, (status, body[:2000])
        reply = json.loads(body)
        assert status == 409 and reply.get("submitted") is True, (status, reply)
        return
    raise AssertionError("the attempt was never submitted")


def _check(app, candidates, acknowledged, *, submitted_by):
    with app.extensions["db"].engine.connect() as connection:
        for candidate in candidates:
            attempt = candidate.attempt_id
            status, by = connection.execute(text("SELECT status, submitted_by FROM attempt WHERE id = :id"), {"id": attempt}).one()
            assert (status.lower(), by) == ("submitted", submitted_by) or (status.lower() == "submitted" and by in submitted_by)
            events = [json.loads(details) if isinstance(details, str) else details for (details,) in connection.execute(text(
                "SELECT details FROM audit_event WHERE action = 'attempt.submitted' AND object_type = 'attempt' AND object_id = :id"),
                {"id": str(attempt)})]
            assert len(events) == 1, f"attempt {attempt} was submitted {len(events)} times"
            stored = {position: (revision, answer) for position, revision, answer in connection.execute(text(
                "SELECT f.position, r.revision, r.answer FROM attempt_response r JOIN form_item f ON f.id = r.form_item_id "
                "WHERE r.attempt_id = :id"), {"id": attempt})}
            for position in candidate.save_positions[:SAVERS]:
                newest = acknowledged.get((attempt, position))
                assert (stored.get(position) or (None,))[0] == newest, (
                    f"attempt {attempt}, question {position}: newest acknowledged revision {newest}, stored {stored.get(position)}")
            answered = sum(1 for _revision, answer in stored.values() if answer not in (None, "[]", []))
            assert events[0]["answered"] == answered, (
                f"attempt {attempt}: the submission counted {events[0]['answered']} answers but {answered} are stored: "
                "a save was acknowledged after the submission read the answers")


def test_submit_pressed_several_times_while_answers_are_saving(sitting_server):
    client, groups, app = sitting_server
    candidates = groups["presses"]
    acknowledged, lock, never = {}, threading.Lock(), threading.Event()
    savers = [threading.Thread(target=_saver, args=(client, c, p, acknowledged, never, lock))
              for c in candidates for p in c.save_positions[:SAVERS]]
    for thread in savers:
        thread.start()
    while len(acknowledged) < len(savers):  # every question has at least one answer saved
        time.sleep(0.01)
    time.sleep(0.3)
    presses = threading.Barrier(CANDIDATES * SUBMITTERS)
    outcomes = []

    def press(candidate):
        presses.wait()
        outcomes.append(client.post(candidate, f"/candidate/attempts/{candidate.attempt_id}/check", "csrf_token={csrf}")[0])

    submitters = [threading.Thread(target=press, args=(c,)) for c in candidates for _ in range(SUBMITTERS)]
    for thread in submitters:
        thread.start()
    for thread in submitters + savers:
        thread.join(timeout=120)
        assert not thread.is_alive()
    assert sorted(set(outcomes)) == [302]  # each press lands on the "submitted" page
    _check(app, candidates, acknowledged, submitted_by="candidate")


def test_the_deadline_passing_while_answers_are_saving(sitting_server):
    from sqlalchemy import update
    from sqlmodel import Session

    from app.exams import attempts as sitting
    from app.models import Attempt
    from app.models.types import utcnow

    client, groups, app = sitting_server
    candidates = groups["clock"]
    with Session(app.extensions["db"].engine) as session:
        # Time runs out (grace period included) about a second and a half from now.
        session.exec(update(Attempt).where(Attempt.id.in_([c.attempt_id for c in candidates]))
                     .values(deadline_at=utcnow() - sitting.GRACE + timedelta(seconds=1.5)))
        session.commit()
    acknowledged, lock, never = {}, threading.Lock(), threading.Event()
    savers = [threading.Thread(target=_saver, args=(client, c, p, acknowledged, never, lock))
              for c in candidates for p in c.save_positions[:SAVERS]]
    for thread in savers:
        thread.start()
    for thread in savers:
        thread.join(timeout=120)
        assert not thread.is_alive()
    assert len(acknowledged) == len(savers)
    _check(app, candidates, acknowledged, submitted_by="deadline")


def test_a_save_read_before_the_submission_is_either_counted_or_refused(sitting_server):
    """The interleaving the concurrent tests above can only hit by chance, made to happen: a save has
    read the attempt (still in progress) when the submission starts. Either the submission waits for
    the save and counts its answer, or the save is refused; an answer acknowledged but not counted
    would be lost from the score. (Without the save's lock on PostgreSQL, the submission read the
    answers and committed while the save went on to store and acknowledge its answer.)"""
    from sqlmodel import Session

    from app.exams import attempts as sitting
    from app.models import Attempt
    from app.models.types import utcnow

    _client, groups, app = sitting_server
    candidate, engine = groups["interleaved"], app.extensions["db"].engine
    position = candidate.save_positions[0]
    with Session(engine) as saving:
        context = sitting.save_context(saving, candidate.attempt_id, position)  # the save's first statement: the attempt is open
        assert context.attempt.status.value == "in_progress"
        submitted = threading.Event()

        def submit():
            with Session(engine) as submitting:
                attempt = submitting.get(Attempt, candidate.attempt_id)
                sitting.submit(submitting, attempt=attempt, by="candidate", now=utcnow(), actor=None)
                submitting.commit()
            submitted.set()

        submitter = threading.Thread(target=submit)
        submitter.start()
        submitted.wait(timeout=1.5)  # long enough for a submission that does not wait for the save to finish
        try:
            sitting.save_answer(saving, attempt=context.attempt, question=context.question, answer=["A"], flagged=False,
                                revision=1, now=utcnow())
            saving.commit()
            acknowledged = {(candidate.attempt_id, position): 1}
        except sitting.AttemptRefused:
            saving.rollback()
            acknowledged = {}
    submitter.join(timeout=60)
    assert not submitter.is_alive()
    _check(app, [candidate], acknowledged, submitted_by="candidate")
