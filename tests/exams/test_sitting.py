"""Sitting the knowledge assessment through the web pages, as a candidate does with JavaScript off,
and through the autosave endpoint the page's script uses."""

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlmodel import select

from app.exams import attempts as sitting
from app.models import (
    AdjustmentStatus,
    AssessmentForm,
    Attempt,
    AttemptStatus,
    FormItem,
    ItemVersion,
    ReasonableAdjustment,
    Response,
    Role,
)
from app.models.types import utcnow
from tests.conftest import audit_actions, count_rows, error_summary, page_text


def start(client, forms, sitting_):
    response = forms.post(f"/candidate/bookings/{sitting_.booking.id}/start", {"ready": "y"})
    assert response.status_code == 302, error_summary(response)
    return response


def the_attempt(session, sitting_) -> Attempt:
    session.expire_all()
    return session.exec(select(Attempt).where(Attempt.booking_id == sitting_.booking.id)).one()


def version_at(session, attempt, position) -> ItemVersion:
    item = session.exec(select(FormItem).where(FormItem.form_id == attempt.form_id, FormItem.position == position)).one()
    return session.get(ItemVersion, item.item_version_id)


def first_position_of(session, attempt, item_type) -> int:
    for position in range(1, 31):
        if version_at(session, attempt, position).type == item_type:
            return position
    pytest.skip(f"no {item_type} item on this form")


def answer(client, forms, attempt, position, go="next", revision=None, **fields):
    url = f"/candidate/attempts/{attempt.id}/questions/{position}"
    page = client.get(url).get_data(as_text=True)
    if revision is None:
        revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    return forms.post(url, {"revision": str(revision), "go": go, **fields})


def save_json(client, forms, attempt, position, body):
    token = forms.token("/candidate")
    return client.post(f"/candidate/attempts/{attempt.id}/questions/{position}/save", json=body, headers={"X-CSRFToken": token})


def sign_out(forms):
    forms.post("/account/sign-out", page="/account/")


def stored(session, attempt, position) -> Response | None:
    session.expire_all()
    item = session.exec(select(FormItem).where(FormItem.form_id == attempt.form_id, FormItem.position == position)).one()
    return session.exec(select(Response).where(Response.attempt_id == attempt.id, Response.form_item_id == item.id)).first()


# Starting ------------------------------------------------------------------------------------------

def test_the_start_page_gives_the_rules_and_the_time_with_extra_time(client, session, booked):
    candidate_sitting = booked()
    session.add(ReasonableAdjustment(candidate_id=candidate_sitting.candidate.id, extra_time_percent=25, rest_breaks=True,
                                     status=AdjustmentStatus.APPROVED))
    form = session.exec(select(AssessmentForm).where(AssessmentForm.booking_id == candidate_sitting.booking.id)).one()
    form.time_limit_minutes = 75
    session.commit()
    text = page_text(client.get(f"/candidate/bookings/{candidate_sitting.booking.id}/start"))
    assert "You will have 1 hour 15 minutes" in text and "including your 25% extra time" in text
    assert "There are 30 questions" in text and "rest breaks of up to 30 minutes" in text


def test_starting_begins_the_clock_once_and_a_second_start_resumes(client, forms, session, booked):
    candidate_sitting = booked()
    first = start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    assert first.headers["Location"] == f"/candidate/attempts/{attempt.id}/questions/1"
    assert 59 * 60 <= (attempt.deadline_at - attempt.started_at).total_seconds() <= 60 * 60
    again = forms.post(f"/candidate/bookings/{candidate_sitting.booking.id}/start", {"ready": "y"},
                       page="/candidate")
    assert again.headers["Location"] == f"/candidate/attempts/{attempt.id}"
    assert "You have already started this assessment" in page_text(client.get("/candidate"))
    assert count_rows(session, "attempt") == 1
    assert audit_actions(session, attempt) == ["attempt.started"]


def test_the_start_needs_confirmation(client, forms, booked):
    candidate_sitting = booked()
    response = forms.post(f"/candidate/bookings/{candidate_sitting.booking.id}/start", {})
    assert error_summary(response) == ["Confirm you have read the rules and are ready to start"]


@pytest.mark.parametrize("when, message", [
    ({"opens_at": timedelta(hours=2), "closes_at": timedelta(hours=5)}, "This assessment window has not opened yet"),
    ({"opens_at": timedelta(hours=-5), "closes_at": timedelta(hours=-1)}, "This assessment window has closed"),
])
def test_starting_outside_the_window_is_refused(client, forms, session, booked, when, message):
    candidate_sitting = booked()
    window = candidate_sitting.window
    window.opens_at, window.closes_at = utcnow() + when["opens_at"], utcnow() + when["closes_at"]
    session.commit()
    assert message in page_text(client.get(f"/candidate/bookings/{candidate_sitting.booking.id}/start"))
    forms.post(f"/candidate/bookings/{candidate_sitting.booking.id}/start", {"ready": "y"}, page="/candidate")
    assert count_rows(session, "attempt") == 0


def test_someone_elses_booking_and_attempt_are_refused(client, forms, session, booked):
    theirs = booked(sign=False)
    booked()  # signed in as another candidate
    assert client.get(f"/candidate/bookings/{theirs.booking.id}/start").status_code == 403
    attempt = sitting.start_attempt(session, booking=theirs.booking, now=utcnow())
    session.commit()
    assert client.get(f"/candidate/attempts/{attempt.id}/questions/1").status_code == 403
    token = forms.token("/candidate")
    response = client.post(f"/candidate/attempts/{attempt.id}/questions/1/save", json={"answer": ["A"], "flagged": False,
                                                                                     "revision": 1}, headers={"X-CSRFToken": token})
    assert response.status_code == 403
    assert count_rows(session, "attempt_response") == 0


# Answering without JavaScript ------------------------------------------------------------------------

def test_question_pages_never_carry_keys_or_rationales(client, forms, session, booked):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    for position in range(1, 31):
        html = unescape(client.get(f"/candidate/attempts/{attempt.id}/questions/{position}").get_data(as_text=True))
        version = version_at(session, attempt, position)
        assert version.stem.split()[0] in html
        for option in version.options:
            assert option["rationale"] not in html
        assert "rationale" not in html.lower() and '"key"' not in html


def test_save_and_continue_stores_the_answer_and_moves_on(client, forms, session, booked):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    position = first_position_of(session, attempt, "single_best_answer")
    response = answer(client, forms, attempt, position, answer="C", flagged="y")
    assert response.headers["Location"] == f"/candidate/attempts/{attempt.id}/questions/{position + 1}"
    saved = stored(session, attempt, position)
    assert (saved.answer, saved.flagged, saved.revision) == (["C"], True, 1)
    page = client.get(f"/candidate/attempts/{attempt.id}/questions/{position}").get_data(as_text=True)
    assert re.search(r'value="C" checked', page) and 'name="revision" value="2"' in page
    assert the_attempt(session, candidate_sitting).position == position + 1  # resume lands on the next question


def test_multiple_response_and_ranking_answers(client, forms, session, booked):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    multiple = first_position_of(session, attempt, "multiple_response")
    answer(client, forms, attempt, multiple, answer=["G", "B", "E"])
    assert stored(session, attempt, multiple).answer == ["B", "E", "G"]
    too_many = answer(client, forms, attempt, multiple, answer=["A", "B", "C", "D"])
    assert error_summary(too_many) == [f"Question {multiple}: select no more than 3 answers. Choose from the options shown"]
    assert stored(session, attempt, multiple).answer == ["B", "E", "G"]
    ranking = first_position_of(session, attempt, "ranking")
    letters = "ABCDE"[: len(version_at(session, attempt, ranking).options)]
    ranks = {f"rank_{letter}": str(len(letters) - n) for n, letter in enumerate(letters)}  # reversed order
    answer(client, forms, attempt, ranking, **ranks)
    assert stored(session, attempt, ranking).answer == list(reversed(letters))
    clash = answer(client, forms, attempt, ranking, **{**ranks, "rank_A": ranks["rank_B"]})
    assert error_summary(clash) == [f"Give each option a different rank from 1 to {len(letters)}"]


@pytest.mark.parametrize("fields, message", [
    ({"answer": "Z"}, "Question {position}: the answer must be made of this question's options (A to D). Choose from the options shown"),
    ({"answer": ["A", "B"]}, "Question {position}: choose one answer. Choose from the options shown"),
    ({"answer": "A", "revision": "0"}, "This page is out of date: reload it"),
    ({"answer": "A", "go": "elsewhere"}, "Choose where to go next"),
])
def test_tampered_answers_are_refused_and_change_nothing(client, forms, session, booked, fields, message):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    position = first_position_of(session, attempt, "single_best_answer")
    response = answer(client, forms, attempt, position, **fields)
    assert response.status_code == 200 and error_summary(response) == [message.format(position=position)]
    assert stored(session, attempt, position) is None


def test_a_question_not_on_the_form_is_not_found(client, forms, session, booked):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    assert client.get(f"/candidate/attempts/{attempt.id}/questions/31").status_code == 404
    response = save_json(client, forms, attempt, 31, {"answer": ["A"], "flagged": False, "revision": 1})
    assert response.status_code == 404 and response.json["error"] == "There is no question 31 on your assessment"


# Autosave ----------------------------------------------------------------------------------------

def test_autosave_keeps_the_newest_answer_whatever_order_saves_arrive_in(client, forms, session, booked):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    position = first_position_of(session, attempt, "single_best_answer")
    newer = save_json(client, forms, attempt, position, {"answer": ["B"], "flagged": False, "revision": 3})
    assert newer.status_code == 200 and newer.json["saved"] is True and newer.json["secondsLeft"] > 3000
    older = save_json(client, forms, attempt, position, {"answer": ["A"], "flagged": True, "revision": 2})
    assert older.status_code == 409 and (older.json["answer"], older.json["revision"]) == (["B"], 3)
    retry = save_json(client, forms, attempt, position, {"answer": ["B"], "flagged": False, "revision": 3})
    assert retry.status_code == 200  # the same save again (a retry) is fine
    other_tab = save_json(client, forms, attempt, position, {"answer": ["D"], "flagged": False, "revision": 3})
    assert other_tab.status_code == 409
    assert (stored(session, attempt, position).answer, stored(session, attempt, position).revision) == (["B"], 3)


@pytest.mark.parametrize("body, status, error", [
    ({"answer": ["Q"], "flagged": False, "revision": 1}, 400, "Question {position}: the answer must be made of this question's options (A to D)"),
    ({"answer": ["A"], "flagged": False, "revision": 0}, 400, "revision: Input should be greater than or equal to 1"),
    ({"answer": ["A"], "flagged": "yes", "revision": 1}, 400, "flagged: Input should be a valid boolean"),
    ({"answer": ["A"], "flagged": False, "revision": 1, "score": 1}, 400, "score: Extra inputs are not permitted"),
    ({}, 400, "answer: Field required"),
])
def test_autosave_refuses_bad_input_and_changes_nothing(client, forms, session, booked, body, status, error):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    position = first_position_of(session, attempt, "single_best_answer")
    response = save_json(client, forms, attempt, position, body)
    assert response.status_code == status and response.json["error"] == error.format(position=position)
    assert stored(session, attempt, position) is None


def test_a_non_javascript_save_after_a_newer_autosave_is_not_lost(client, forms, session, booked):
    """The page had revision 1; another tab saved revision 5 meanwhile: the posted form is refused
    and the page shows the saved answer."""
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    position = first_position_of(session, attempt, "single_best_answer")
    save_json(client, forms, attempt, position, {"answer": ["D"], "flagged": False, "revision": 5})
    response = answer(client, forms, attempt, position, revision=1, answer="A")
    assert response.headers["Location"] == f"/candidate/attempts/{attempt.id}/questions/{position}"
    assert "was changed in another window or tab" in page_text(client.get(response.headers["Location"]))
    assert stored(session, attempt, position).answer == ["D"]


# The deadline ------------------------------------------------------------------------------------------

def test_after_the_deadline_saves_are_refused_and_the_saved_answers_are_submitted(client, forms, session, booked):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    position = first_position_of(session, attempt, "single_best_answer")
    save_json(client, forms, attempt, position, {"answer": ["A"], "flagged": False, "revision": 1})
    attempt.deadline_at = utcnow() - timedelta(seconds=10)  # inside the grace period: still accepted
    session.commit()
    assert save_json(client, forms, attempt, position, {"answer": ["B"], "flagged": False, "revision": 2}).status_code == 200
    attempt = the_attempt(session, candidate_sitting)
    attempt.deadline_at = utcnow() - sitting.GRACE - timedelta(seconds=1)
    session.commit()
    late = save_json(client, forms, attempt, position, {"answer": ["C"], "flagged": False, "revision": 3})
    assert late.status_code == 409 and late.json["submitted"] is True
    assert late.json["error"].startswith("Time is up: answers can no longer be changed")
    attempt = the_attempt(session, candidate_sitting)
    assert attempt.status is AttemptStatus.SUBMITTED and attempt.submitted_by == "deadline"
    assert stored(session, attempt, position).answer == ["B"]
    page = client.get(f"/candidate/attempts/{attempt.id}/questions/{position}")
    assert page.headers["Location"] == f"/candidate/attempts/{attempt.id}/submitted"
    assert "when your time ran out" in page_text(client.get(page.headers["Location"]))


def test_close_expired_command_submits_attempts_whose_time_ran_out(app, client, forms, session, booked):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    attempt.deadline_at = utcnow() - timedelta(minutes=5)
    session.commit()
    result = app.test_cli_runner().invoke(args=["exams", "close-expired"])
    assert result.exit_code == 0 and "Submitted 1 attempt(s) whose time had run out" in result.output
    assert the_attempt(session, candidate_sitting).status is AttemptStatus.SUBMITTED


# Checking and submitting ------------------------------------------------------------------------------

def test_overview_and_check_pages_show_what_is_answered_and_flagged(client, forms, session, booked):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    position = first_position_of(session, attempt, "single_best_answer")
    response = answer(client, forms, attempt, position, go="list", answer="B", flagged="y")
    assert response.headers["Location"] == f"/candidate/attempts/{attempt.id}/questions"
    overview = page_text(client.get(response.headers["Location"]))
    assert "You have answered 1 of 30 questions and flagged 1 to review" in overview
    assert f"Question {position} Flagged Answered" in overview
    check = page_text(client.get(f"/candidate/attempts/{attempt.id}/check"))
    option_b = version_at(session, attempt, position).options[1]["text"]
    assert "You have 29 unanswered questions" in check and f"Question {position} Flagged {option_b}" in check


def test_submitting_twice_submits_once(client, forms, session, booked):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    token = forms.token(f"/candidate/attempts/{attempt.id}/check")
    first = client.post(f"/candidate/attempts/{attempt.id}/check", data={"csrf_token": token})
    second = client.post(f"/candidate/attempts/{attempt.id}/check", data={"csrf_token": token})
    assert first.headers["Location"] == second.headers["Location"] == f"/candidate/attempts/{attempt.id}/submitted"
    attempt = the_attempt(session, candidate_sitting)
    assert attempt.status is AttemptStatus.SUBMITTED and attempt.submitted_by == "candidate"
    assert audit_actions(session, attempt).count("attempt.submitted") == 1
    assert attempt.score == 0 and attempt.max_score == 30 and attempt.cut_score == 18 and attempt.passed is False
    assert "Assessment submitted" in page_text(client.get(first.headers["Location"]))


def test_a_submitted_attempt_is_scored_against_the_keys(client, forms, session, booked):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    for position in range(1, 21):  # 20 right answers out of 30, pass mark 18
        version = version_at(session, attempt, position)
        save_json(client, forms, attempt, position, {"answer": sorted(version.key) if version.type == "multiple_response"
                                                     else version.key, "flagged": False, "revision": 1})
    forms.post(f"/candidate/attempts/{attempt.id}/check", {})
    attempt = the_attempt(session, candidate_sitting)
    assert (attempt.score, attempt.passed) == (20, True)


# Rest breaks and extra time ------------------------------------------------------------------------

def test_a_rest_break_stops_the_clock(client, forms, session, booked):
    candidate_sitting = booked()
    session.add(ReasonableAdjustment(candidate_id=candidate_sitting.candidate.id, rest_breaks=True, status=AdjustmentStatus.APPROVED))
    session.commit()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    response = forms.post(f"/candidate/attempts/{attempt.id}/break", {}, page=f"/candidate/attempts/{attempt.id}/questions/1")
    assert response.headers["Location"] == f"/candidate/attempts/{attempt.id}/break"
    assert client.get(f"/candidate/attempts/{attempt.id}/questions/1").headers["Location"].endswith("/break")
    attempt = the_attempt(session, candidate_sitting)
    attempt.break_started_at -= timedelta(minutes=10)  # ten minutes pass
    deadline_before = attempt.deadline_at
    session.commit()
    forms.post(f"/candidate/attempts/{attempt.id}/break", {})
    attempt = the_attempt(session, candidate_sitting)
    assert attempt.break_started_at is None and 600 <= attempt.break_seconds <= 602
    assert timedelta(minutes=10) <= attempt.deadline_at - deadline_before <= timedelta(minutes=10, seconds=2)


def test_a_rest_break_needs_the_adjustment(client, forms, session, booked):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    response = forms.post(f"/candidate/attempts/{attempt.id}/break", {}, page=f"/candidate/attempts/{attempt.id}/questions/1")
    assert "Rest breaks are a reasonable adjustment" in page_text(client.get(response.headers["Location"], follow_redirects=True))
    assert the_attempt(session, candidate_sitting).break_started_at is None


def test_administrators_see_live_attempts_and_extend_time_with_a_reason(client, forms, session, booked, signed_in_as):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    save_json(client, forms, attempt, 1, {"answer": version_at(session, attempt, 1).key[:1], "flagged": False, "revision": 1})
    sign_out(forms)
    signed_in_as(Role.ADMINISTRATOR)
    live = page_text(client.get(f"/admin/windows/{candidate_sitting.window.id}/attempts"))
    assert f"{candidate_sitting.candidate.name} Sitting now" in live and "1 of 30" in live and "59 minutes" in live
    refused = forms.post(f"/admin/attempts/{attempt.id}/extend", {"minutes": "10", "reason": ""})
    assert error_summary(refused) == ["Enter the reason for the extra time"]
    before = the_attempt(session, candidate_sitting).deadline_at
    response = forms.post(f"/admin/attempts/{attempt.id}/extend", {"minutes": "10", "reason": "Fire alarm at the centre, 10 minutes lost"})
    assert response.headers["Location"] == f"/admin/windows/{candidate_sitting.window.id}/attempts"
    attempt = the_attempt(session, candidate_sitting)
    assert attempt.deadline_at - before == timedelta(minutes=10) and attempt.extension_minutes == 10
    assert "(extended by 10 min)" in page_text(client.get(response.headers["Location"]))
    assert audit_actions(session, attempt)[-1] == "attempt.time_extended"


# Results ---------------------------------------------------------------------------------------------

def test_results_are_seen_only_after_release(client, forms, session, booked, signed_in_as, sign_in):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    forms.post(f"/candidate/attempts/{attempt.id}/check", {})
    assert client.get(f"/candidate/attempts/{attempt.id}/result").status_code == 404
    assert client.get(f"/candidate/attempts/{attempt.id}/result/feedback.pdf").status_code == 404
    sign_out(forms)
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post(f"/admin/windows/{candidate_sitting.window.id}/release", {},
                          page=f"/admin/windows/{candidate_sitting.window.id}/attempts")
    assert "Results released to 1 candidate(s)" in page_text(client.get(response.headers["Location"]))
    assert count_rows(session, "outbox_message") >= 1
    sign_out(forms)
    sign_in(candidate_sitting.candidate)
    assert "See your result" in page_text(client.get("/candidate"))
    result = page_text(client.get(f"/candidate/attempts/{attempt.id}/result"))
    assert "Not yet passed" in result and "Your score: 0 out of 30" in result and "Pass mark for your paper: 18" in result
    pdf = client.get(f"/candidate/attempts/{attempt.id}/result/feedback.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_release_waits_for_candidates_still_sitting(client, forms, session, booked, signed_in_as):
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    sign_out(forms)
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post(f"/admin/windows/{candidate_sitting.window.id}/release", {},
                          page=f"/admin/windows/{candidate_sitting.window.id}/attempts")
    assert "1 candidate(s) are still sitting" in page_text(client.get(response.headers["Location"]))
    session.expire_all()
    assert candidate_sitting.window.results_released_at is None


def test_prepare_due_command_prepares_forms_for_windows_opening_soon(app, session, open_window, user_with_role):
    from app.models import Booking

    candidate = user_with_role(Role.CANDIDATE)
    session.add(Booking(candidate_id=candidate.id, window_id=open_window.id))
    session.commit()
    result = app.test_cli_runner().invoke(args=["exams", "prepare-due", "--hours", "1"])
    assert result.exit_code == 0 and "1 prepared, 0 already prepared, 0 could not be prepared" in result.output
    assert count_rows(session, "assessment_form") == 1
    open_window.opens_at, open_window.closes_at = utcnow() + timedelta(days=9), utcnow() + timedelta(days=10)
    session.commit()
    assert "No window opens within 1 hours." in app.test_cli_runner().invoke(args=["exams", "prepare-due", "--hours", "1"]).output


def test_the_scoring_rules_in_force_when_the_form_was_prepared_decide_the_result(client, forms, session, booked, user_with_role):
    from dataclasses import replace

    from app.exams.blueprint_settings import blueprint_for, save_blueprint
    from app.models import Tier

    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    save_blueprint(session, actor=user_with_role(Role.ADMINISTRATOR), tier=tier,
                   blueprint=replace(blueprint_for(session, tier), multiple_response_rule="per_option", statement_minimum_percent=50))
    session.commit()
    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    assert (attempt.form.multiple_response_rule, attempt.form.statement_minimum_percent) == ("per_option", 50)
    position = first_position_of(session, attempt, "multiple_response")
    version = version_at(session, attempt, position)
    wrong = next(letter for letter in "ABCDEFGH" if letter not in version.key)
    answer(client, forms, attempt, position, answer=[*version.key[:2], wrong])  # two keyed, one not: (2 - 1) / 3 under partial credit
    forms.post(f"/candidate/attempts/{attempt.id}/check", {})
    attempt = the_attempt(session, candidate_sitting)
    assert attempt.score == 0.33 and attempt.passed is False
    report = sitting.outcome(session, attempt).profile
    assert all(s.score / s.max_score < 0.5 for s in report.by_statement)


def test_nothing_a_candidate_can_fetch_before_release_carries_a_key_or_a_rationale(client, forms, session, booked):
    """Every page and JSON answer of a whole attempt, scanned for the form's rationales and keys."""
    from app.models import FormItem, ItemVersion

    candidate_sitting = booked()
    start(client, forms, candidate_sitting)
    attempt = the_attempt(session, candidate_sitting)
    versions = [session.get(ItemVersion, i.item_version_id) for i in session.exec(select(FormItem).where(FormItem.form_id == attempt.form_id))]
    rationales = {option["rationale"] for version in versions for option in version.options}
    base = f"/candidate/attempts/{attempt.id}"
    fetched = [client.get(f"{base}/questions/{position}") for position in range(1, len(versions) + 1)]
    fetched += [client.get(f"{base}/status"), client.get(f"{base}/questions"), client.get(f"{base}/check"), client.get("/candidate")]
    fetched.append(save_json(client, forms, attempt, 1, {"answer": ["A"], "flagged": True, "revision": 1}))
    fetched.append(forms.post(f"{base}/check", {}, follow_redirects=True))
    assert the_attempt(session, candidate_sitting).status.value == "submitted"
    fetched += [client.get(f"{base}/submitted"), client.get(f"{base}/result"), client.get(f"{base}/result/feedback.pdf"),
                client.get("/candidate")]
    assert client.get(f"{base}/result/feedback.pdf").status_code == 404
    for response in fetched:
        body = unescape(response.get_data(as_text=True))
        leaked = [r for r in rationales if r in body]
        assert leaked == [], f"{response.request.path}: a rationale before release"
        assert '"key"' not in body and "rationale" not in body.lower() and "correct answer" not in body.lower(), response.request.path
