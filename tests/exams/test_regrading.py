"""Regrading: an administrator corrects a key, voids a question or reinstates it, and every submitted
attempt that met it is rescored, with changed decisions held for review and everything audited."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.exams import attempts as sitting
from app.exams.blueprint_settings import live_pool
from app.models import (
    AssessmentForm,
    Attempt,
    CorrectionKind,
    FormItem,
    Item,
    ItemCorrection,
    ItemStatus,
    ItemVersion,
    RegradedAttempt,
    Role,
    Tier,
)
from app.models.types import utcnow
from app.quality import regrading
from app.scoring import form_cut_score
from tests.conftest import audit_actions, count_rows, error_summary, page_text


def sit(session, sitting_, choose):
    """Start and submit the candidate's attempt through the services, answering each question with
    choose(question) (None leaves it unanswered)."""
    now = utcnow()
    attempt = sitting.start_attempt(session, booking=sitting_.booking, now=now)
    for question in sitting.questions(session, attempt):
        answer = choose(question)
        if answer is not None:
            sitting.save_answer(session, attempt=attempt, question=question.target, answer=answer, flagged=False, revision=1, now=now)
    sitting.submit(session, attempt=attempt, by="candidate", now=now, actor=sitting_.candidate)
    session.commit()
    return attempt


def keyed(question):
    return list(question.version.key)


def first_single_best_answer(session, attempt) -> ItemVersion:
    return next(q.version for q in sitting.questions(session, attempt) if q.version.type == "single_best_answer")


def other_letter(version) -> str:
    return next(letter for letter in "ABCD" if letter not in version.key)


@pytest.fixture
def admin(user_with_role):
    return user_with_role(Role.ADMINISTRATOR)


def reload(session, attempt) -> Attempt:
    session.expire_all()
    return session.get(Attempt, attempt.id)


def put_on_form(session, sitting_, version):
    """Make the candidate's (not yet started) form carry `version` in place of its first single best
    answer item: forms are assembled to overlap as little as possible, and this test needs two that do."""
    form = session.exec(select(AssessmentForm).where(AssessmentForm.booking_id == sitting_.booking.id)).one()
    rows = session.exec(select(FormItem, ItemVersion).join(ItemVersion, ItemVersion.id == FormItem.item_version_id)
                        .where(FormItem.form_id == form.id).order_by(FormItem.position)).all()
    if version.id not in {v.id for _, v in rows}:
        slot = next(f for f, v in rows if v.type == "single_best_answer")
        slot.item_version_id = version.id
        session.add(slot)
        session.commit()


def test_a_key_correction_rescores_everyone_who_met_the_item(session, booked, admin):
    right = sit(session, booked(sign=False), keyed)
    version = first_single_best_answer(session, right)
    new_key = other_letter(version)
    second = booked(sign=False)
    put_on_form(session, second, version)
    chose_new = sit(session, second, lambda q: [new_key] if q.version.id == version.id else keyed(q))
    met = {a.id for a in (right, chose_new)}
    before = {a.id: reload(session, a).score for a in (right, chose_new)}
    old_hash, old_key = version.content_hash, list(version.key)

    correction = regrading.correct(session, version=version, kind=CorrectionKind.KEY, key=[new_key],
                                   reason="Reviewer found option B contradicts the 2023 guidance.", actor=admin, now=utcnow())
    session.commit()

    right, chose_new = reload(session, right), reload(session, chose_new)
    assert right.score == before[right.id] - 1 and chose_new.score == before[chose_new.id] + 1
    assert session.get(ItemVersion, version.id).key == [new_key] and session.get(ItemVersion, version.id).content_hash != old_hash
    stored = session.get(ItemCorrection, correction.id)
    assert (stored.previous_key, stored.key, stored.attempts_rescored, stored.scores_changed) == (old_key, [new_key], 2, 2)
    rows = session.exec(select(RegradedAttempt).where(RegradedAttempt.correction_id == correction.id)).all()
    assert {r.attempt_id for r in rows} == met
    assert {(r.old_score, r.new_score) for r in rows} == {(before[right.id], right.score), (before[chose_new.id], chose_new.score)}
    item = session.get(Item, version.item_id)
    assert "item.key_corrected" in audit_actions(session, item)
    assert audit_actions(session, right).count("attempt.regraded") == 1


def test_an_unaffected_attempt_is_rescored_but_not_recorded_as_changed(session, booked, admin):
    candidate_attempt = sit(session, booked(sign=False), lambda q: None)  # answered nothing: 0 before and after
    version = first_single_best_answer(session, candidate_attempt)
    correction = regrading.correct(session, version=version, kind=CorrectionKind.KEY, key=[other_letter(version)],
                                   reason="The key was transposed when the item was imported.", actor=admin, now=utcnow())
    session.commit()
    assert (correction.attempts_rescored, correction.scores_changed, correction.decisions_changed) == (1, 0, 0)
    assert count_rows(session, "regraded_attempt") == 0


def test_a_void_takes_the_item_out_of_score_marks_and_cut_score(session, booked, admin):
    attempt = sit(session, booked(sign=False), keyed)
    attempt = reload(session, attempt)
    version = first_single_best_answer(session, attempt)
    rating = session.exec(select(FormItem.rating).where(FormItem.form_id == attempt.form_id,
                                                        FormItem.item_version_id == version.id)).one()
    ratings = session.exec(select(FormItem.rating).where(FormItem.form_id == attempt.form_id)).all()
    assert attempt.cut_score == form_cut_score(ratings) and attempt.max_score == 30

    correction = regrading.correct(session, version=version, kind=CorrectionKind.VOID, actor=admin, now=utcnow(),
                                   reason="Two options are equally defensible under the current guidance.")
    session.commit()

    attempt = reload(session, attempt)
    remaining = list(ratings)
    remaining.remove(rating)
    assert (attempt.score, attempt.max_score) == (29, 29)
    assert attempt.cut_score == form_cut_score(remaining) == session.get(AssessmentForm, attempt.form_id).cut_score
    assert correction.decisions_changed == 0
    item = session.get(Item, version.item_id)
    assert item.status is ItemStatus.RETIRED  # it goes on no new form
    assert "item.voided" in audit_actions(session, item) and "item.status_changed" in audit_actions(session, item)
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    assert item.code not in {candidate.id for candidate in live_pool(session, rated_for=tier)}
    outcome = sitting.outcome(session, attempt)
    assert outcome.voided == 1 and outcome.questions == 29

    regrading.correct(session, version=version, kind=CorrectionKind.REINSTATE, actor=admin, now=utcnow(),
                      reason="Voided by mistake: the panel had meant another item.")
    session.commit()
    attempt = reload(session, attempt)
    assert (attempt.score, attempt.max_score, attempt.cut_score) == (30, 30, form_cut_score(ratings))
    assert session.get(ItemVersion, version.id).voided_at is None


def test_an_attempt_in_progress_is_scored_with_the_correction_when_submitted(session, booked, admin):
    sitting_ = booked(sign=False)
    now = utcnow()
    attempt = sitting.start_attempt(session, booking=sitting_.booking, now=now)
    questions = sitting.questions(session, attempt)
    for question in questions:
        sitting.save_answer(session, attempt=attempt, question=question.target, answer=keyed(question), flagged=False, revision=1, now=now)
    session.commit()
    version = next(q.version for q in questions if q.version.type == "single_best_answer")
    correction = regrading.correct(session, version=version, kind=CorrectionKind.VOID, actor=admin, now=now,
                                   reason="The scenario it depends on was withdrawn after a complaint.")
    session.commit()
    assert correction.attempts_rescored == 0
    attempt = reload(session, attempt)
    sitting.submit(session, attempt=attempt, by="candidate", now=utcnow(), actor=sitting_.candidate)
    session.commit()
    assert (reload(session, attempt).score, reload(session, attempt).max_score) == (29, 29)


@pytest.mark.parametrize(("kind", "key", "reason", "message"), [
    (CorrectionKind.KEY, ["A"], "short", "at least 10 characters"),
    (CorrectionKind.KEY, [], "The key was wrong after review.", "Choose the correct answer"),
    (CorrectionKind.KEY, ["Z"], "The key was wrong after review.", "Z is not an option letter"),
    (CorrectionKind.KEY, ["A", "B"], "The key was wrong after review.", "exactly 1 key letter"),
    (CorrectionKind.KEY, "same", "The key was wrong after review.", "is already the key"),
    (CorrectionKind.REINSTATE, None, "Reinstating for the test.", "not void"),
])
def test_bad_corrections_are_refused_and_change_nothing(session, booked, admin, kind, key, reason, message):
    attempt = sit(session, booked(sign=False), keyed)
    version = first_single_best_answer(session, attempt)
    before = (list(version.key), reload(session, attempt).score)
    with pytest.raises(regrading.CorrectionRefused, match=message):
        regrading.correct(session, version=version, kind=kind, key=list(version.key) if key == "same" else key,
                          reason=reason, actor=admin, now=utcnow())
    session.rollback()
    assert (list(session.get(ItemVersion, version.id).key), reload(session, attempt).score) == before
    assert count_rows(session, "item_correction") == 0


def test_a_void_cannot_be_repeated_or_its_key_corrected(session, booked, admin):
    attempt = sit(session, booked(sign=False), keyed)
    version = first_single_best_answer(session, attempt)
    regrading.correct(session, version=version, kind=CorrectionKind.VOID, actor=admin, now=utcnow(), reason="Ambiguous stem found.")
    session.commit()
    with pytest.raises(regrading.CorrectionRefused, match="already void"):
        regrading.correct(session, version=version, kind=CorrectionKind.VOID, actor=admin, now=utcnow(), reason="Ambiguous stem found.")
    with pytest.raises(regrading.CorrectionRefused, match="Reinstate it before correcting its key"):
        regrading.correct(session, version=version, kind=CorrectionKind.KEY, key=[other_letter(version)], actor=admin,
                          now=utcnow(), reason="Ambiguous stem found.")


def release(session, window, admin):
    window.closes_at = utcnow() - timedelta(minutes=1)
    sitting.release_results(session, window=window, actor=admin, now=utcnow(), link_for=lambda a: "http://localhost/result")
    session.commit()


def test_a_changed_decision_is_held_for_review_then_the_candidate_is_told(client, forms, session, booked, admin, sign_in, signed_in_as):
    sitting_ = booked(sign=False)
    attempt = sit(session, sitting_, keyed)
    attempt = reload(session, attempt)
    form = session.get(AssessmentForm, attempt.form_id)
    form.cut_score = attempt.cut_score = 30.0  # a perfect paper passes; one mark fewer does not
    attempt.passed = True
    session.add_all([form, attempt])
    session.commit()
    release(session, sitting_.window, admin)
    version = first_single_best_answer(session, attempt)

    correction = regrading.correct(session, version=version, kind=CorrectionKind.KEY, key=[other_letter(version)], actor=admin,
                                   now=utcnow(), reason="The guidance changed before the window opened.")
    session.commit()
    assert correction.decisions_changed == 1 and reload(session, attempt).passed is False

    sign_in(sitting_.candidate)
    page = page_text(client.get(f"/candidate/attempts/{attempt.id}/result"))
    assert "Your result is being reviewed" in page and "Not yet passed" not in page
    assert client.get(f"/candidate/attempts/{attempt.id}/result/feedback.pdf").status_code == 404

    forms.post("/account/sign-out", page="/account/")
    signed_in_as(Role.ADMINISTRATOR)
    assert "1 changed decision to review" in page_text(client.get("/admin/"))
    listing = page_text(client.get("/admin/regrading"))
    assert sitting_.candidate.name in listing and "Passed → Not yet passed" in listing
    regraded = session.exec(select(RegradedAttempt)).one()
    refused = forms.post(f"/admin/regrading/attempts/{regraded.id}", {"note": "ok"})
    assert refused.status_code == 400 and error_summary(refused) == ["Enter what you checked, in at least 10 characters"]
    mails = count_rows(session, "outbox_message")
    done = forms.post(f"/admin/regrading/attempts/{regraded.id}", {"note": "Checked the corrected key with the item writer."})
    assert done.status_code == 302 and "The candidate has been sent an email" in page_text(client.get(done.headers["Location"]))
    assert count_rows(session, "outbox_message") == mails + 1
    assert "attempt.regrade_reviewed" in audit_actions(session, reload(session, attempt))

    forms.post("/account/sign-out", page="/account/")
    sign_in(sitting_.candidate)
    page = page_text(client.get(f"/candidate/attempts/{attempt.id}/result"))
    assert "Not yet passed" in page and "Your score: 29 out of 30" in page


def test_administrators_correct_a_key_in_the_browser(client, forms, session, booked, signed_in_as):
    attempt = sit(session, booked(sign=False), keyed)
    version = first_single_best_answer(session, attempt)
    item = session.get(Item, version.item_id)
    signed_in_as(Role.ADMINISTRATOR)
    url = f"/admin/regrading/items/{item.code}/versions/{version.number}"
    assert "correct its key or void it" in page_text(client.get(f"/admin/bank/items/{item.code}"))
    page = page_text(client.get(url))
    assert "1 submitted attempt, 0 with results already released: rescored now" in page
    assert f"The key is now {version.key[0]}" in page

    refused = forms.post(f"{url}/key", {"key": "Q", "key_reason": "The key was wrong after review."}, page=url)
    assert refused.status_code == 400 and error_summary(refused) == ["That key cannot be right: Q is not an option letter (options are A-D)"]
    assert count_rows(session, "item_correction") == 0

    new_key = other_letter(version)
    done = forms.post(f"{url}/key", {"key": new_key.lower(), "key_reason": "The key was wrong after review."}, page=url)
    assert done.status_code == 302, error_summary(done)
    summary = page_text(client.get(done.headers["Location"]))
    assert "1 submitted attempt(s) rescored, 1 changed" in summary
    assert f"Key before {version.key[0]} Key after {new_key}" in summary

    void = forms.post(f"{url}/void", {"void_reason": "short"}, page=url)
    assert error_summary(void) == ["Enter the reason, in at least 10 characters: it is kept in the audit log"]
    assert client.get(f"/admin/regrading/items/{item.code}/versions/99").status_code == 404


def test_a_pass_lost_on_regrading_suspends_its_certificate_and_waits_for_review(app, session, booked, admin):
    from app.accreditation import services as accreditation
    from app.models import Certificate, CertificateStatus

    sitting_ = booked(sign=False)
    attempt = reload(session, sit(session, sitting_, keyed))
    form = session.get(AssessmentForm, attempt.form_id)
    form.cut_score = attempt.cut_score = 30.0
    attempt.passed = True
    session.add_all([form, attempt])
    session.commit()
    release(session, sitting_.window, admin)
    certificate = Certificate(code="TEST-0000-0000-0000", token="t" * 32, candidate_id=sitting_.candidate.id, tier_id=sitting_.window.tier_id,
                              holder_name="x", issued_at=utcnow(), expires_at=utcnow() + timedelta(days=1000), status_index=7,
                              knowledge_attempt_id=attempt.id, credential_jwt="x", pdf=b"x")
    session.add(certificate)
    session.commit()
    version = first_single_best_answer(session, attempt)
    regrading.correct(session, version=version, kind=CorrectionKind.KEY, key=[other_letter(version)], actor=admin, now=utcnow(),
                      reason="The guidance changed before the window opened.")
    session.commit()
    session.refresh(certificate)
    assert certificate.status is CertificateStatus.SUSPENDED
    results, _ = accreditation.component_results(session, sitting_.candidate, sitting_.window.tier)
    assert results == []  # the changed decision counts for nothing until it is reviewed
