"""Calibration exercises: administrators publish a benchmarked sample; assessors mark it once and see
how close they came."""

import pytest
from sqlmodel import select

from app.models import CalibrationExercise, StationSet
from tests.conftest import audit_actions, error_summary, page_text

SAMPLE = "Case record, 3 March: I visited Ms Price at home with the children present. " * 5


def station_choice(session):
    version = session.exec(select(StationSet).where(StationSet.code == "prac-set-t")).one().current
    station = next(s for s in version.stations if s["kind"] == "written")
    return version, station, f"{version.id}/{station['id']}"


def test_an_exercise_is_created_published_marked_and_compared(client, forms, session, practice, sign_in):
    version, station, choice = station_choice(session)
    criteria = [c["id"] for c in station["rubric"]]
    sign_in(practice.admin)
    url = f"/admin/practice/calibration/new?station={choice}"
    assert "New calibration exercise" in page_text(client.get(url))
    bad = forms.post(url, {"station": choice, "title": "Case record, Price family", "sample": "too short", "rationale": "Because."})
    assert bad.status_code == 400
    assert set(error_summary(bad)) >= {"Paste the candidate's work or the transcript: at least 200 characters",
                                       f"Criterion {criteria[0]}: Give a mark from 1 to 7"}
    assert session.exec(select(CalibrationExercise)).first() is None
    marks = {f"benchmark-{c}": "4" for c in criteria}
    done = forms.post(url, {"station": choice, "title": "Case record, Price family", "sample": SAMPLE,
                            "rationale": "Clear facts and a sound analysis, but the plan lacks timescales.", **marks})
    assert done.status_code == 302, error_summary(done)
    exercise = session.exec(select(CalibrationExercise)).one()
    forms.post(f"/admin/practice/calibration/{exercise.id}/publish", {}, page=f"/admin/practice/calibration/{exercise.id}")
    session.refresh(exercise)
    assert exercise.published_at is not None and "calibration.published" in audit_actions(session, exercise)
    forms.post("/account/sign-out", page="/account/")

    sign_in(practice.assessors[0])
    assert "Case record, Price family" in page_text(client.get("/assessor/calibration"))
    mark_url = f"/assessor/calibration/{exercise.id}"
    missing = forms.post(mark_url, {f"score-{criteria[0]}": "4"})
    assert missing.status_code == 400 and len(error_summary(missing)) == len(criteria) - 1
    forms.post(mark_url, {f"score-{c}": ("6" if i == 0 else "4") for i, c in enumerate(criteria)})
    page = page_text(client.get(mark_url))
    assert "How close you came" in page and "2 apart" in page and "timescales" in page
    again = forms.post(mark_url, {f"score-{c}": "4" for c in criteria})
    assert "You have already marked this exercise" in page_text(client.get(again.headers["Location"]))
    forms.post("/account/sign-out", page="/account/")

    sign_in(practice.admin)
    results = page_text(client.get(f"/admin/practice/calibration/{exercise.id}"))
    assert practice.assessors[0].name in results and "+0." in results


def test_an_unpublished_exercise_is_not_shown_to_assessors(client, session, practice, sign_in):
    from app.practice import calibration

    version, station, _ = station_choice(session)
    exercise = calibration.create_exercise(session, version=version, station=station["id"], title="Draft", sample=SAMPLE,
                                           benchmark={c["id"]: 4 for c in station["rubric"]}, rationale="x" * 40, actor=practice.admin)
    session.commit()
    sign_in(practice.assessors[0])
    assert client.get(f"/assessor/calibration/{exercise.id}").status_code == 404
    with pytest.raises(calibration.PracticeRefused, match="not published"):
        calibration.submit(session, exercise=exercise, assessor=practice.assessors[0], marks={}, now=exercise.created_at)
