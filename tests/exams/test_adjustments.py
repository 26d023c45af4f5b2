"""Reasonable adjustments: requested by the candidate, decided once, applied to every later sitting."""

import pytest
from sqlmodel import select

from app.exams.timing import minutes_allowed
from app.models import AdjustmentStatus, ReasonableAdjustment, Role
from tests.conftest import audit_actions, count_rows, error_summary, page_text


@pytest.mark.parametrize("limit, extra, allowed", [(60, 0, 60), (60, 25, 75), (60, 50, 90), (60, 100, 120), (45, 25, 57)])
def test_minutes_allowed(limit, extra, allowed):
    assert minutes_allowed(limit, extra) == allowed


@pytest.mark.parametrize("limit, extra", [(0, 0), (60, -5), (60, 150)])
def test_minutes_allowed_refuses_nonsense(limit, extra):
    with pytest.raises(ValueError):
        minutes_allowed(limit, extra)


def request(forms, **fields):
    return forms.post("/candidate/adjustments", {"extra_time_percent": "25", "rest_breaks": "y", **fields})


def test_candidate_requests_and_an_administrator_approves(app, client, forms, signed_in_as, sign_in, make_user, session):
    candidate = signed_in_as(Role.CANDIDATE)
    assert request(forms, other_needs="A quiet room").headers["Location"] == "/candidate"
    assert "Your request has been sent" in page_text(client.get("/candidate"))
    row = session.exec(select(ReasonableAdjustment)).one()
    assert row.summary == ["25% extra time", "rest breaks that pause the clock", "A quiet room"]
    admin = make_user(roles=(Role.ADMINISTRATOR,))
    client.post("/account/sign-out", data={"csrf_token": forms.token("/account/")})
    sign_in(admin)
    assert candidate.name in page_text(client.get("/admin/adjustments"))
    decided = forms.post(f"/admin/adjustments/{row.id}", {"decision": "approve", "note": "Evidence seen: dyslexia report"})
    assert decided.headers["Location"] == "/admin/adjustments"
    session.refresh(row)
    assert row.status is AdjustmentStatus.APPROVED and row.decided_by_id == admin.id
    assert audit_actions(session, row) == ["adjustments.requested", "adjustments.approved"]
    again = forms.post(f"/admin/adjustments/{row.id}", {"decision": "decline", "note": "Changed my mind"})
    assert again.status_code == 400 and error_summary(again) == ["This request has already been decided"]
    client.post("/account/sign-out", data={"csrf_token": forms.token("/account/")})
    sign_in(candidate)
    assert "Approved for every sitting: 25% extra time; rest breaks that pause the clock; A quiet room." in page_text(client.get("/candidate"))


def test_a_later_approval_supersedes_the_earlier_one(forms, signed_in_as, make_user, session):
    from app.exams import services

    candidate = signed_in_as(Role.CANDIDATE)
    admin = make_user(roles=(Role.ADMINISTRATOR,))
    first = services.request_adjustments(session, candidate=candidate, extra_time_percent=25, rest_breaks=False,
                                         screen_reader=False, larger_text=False, other_needs=None)
    services.decide_adjustments(session, actor=admin, request=first, approve=True, note="ok")
    second = services.request_adjustments(session, candidate=candidate, extra_time_percent=50, rest_breaks=False,
                                          screen_reader=True, larger_text=False, other_needs=None)
    services.decide_adjustments(session, actor=admin, request=second, approve=True, note="ok")
    session.commit()
    assert first.status is AdjustmentStatus.SUPERSEDED
    assert services.approved_adjustments(session, candidate).extra_time_percent == 50


@pytest.mark.parametrize(
    "fields, errors",
    [
        ({"extra_time_percent": "0", "rest_breaks": ""}, ["Select at least one adjustment, or describe what you need"]),
        ({"extra_time_percent": "300"}, ["Select one of the amounts of extra time shown"]),
        ({"other_needs": "x" * 1001}, ["Other needs must be 1,000 characters or fewer"]),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(forms, signed_in_as, session, fields, errors):
    signed_in_as(Role.CANDIDATE)
    response = request(forms, **fields)
    assert response.status_code == 200 and error_summary(response) == errors
    assert count_rows(session, "reasonable_adjustment") == 0


def test_a_new_request_replaces_an_undecided_one(forms, signed_in_as, session):
    signed_in_as(Role.CANDIDATE)
    request(forms)
    request(forms, extra_time_percent="50")
    rows = session.exec(select(ReasonableAdjustment)).all()
    assert [row.extra_time_percent for row in rows] == [50]
