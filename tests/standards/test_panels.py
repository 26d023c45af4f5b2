"""A modified Angoff panel in the browser: open, rate in rounds, agree, close; and what it sets."""

from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from sqlmodel import select

from app.bank.content import check_bank
from app.bank.services import import_bank
from app.exams.forms_preparation import prepare_forms
from app.models import (
    AgreedRating,
    AngoffRating,
    AssessmentForm,
    AssessmentMode,
    AssessmentWindow,
    Booking,
    PanelStatus,
    Role,
    StandardSettingPanel,
    Tier,
)
from app.models.types import utcnow
from app.standards import services
from tests.conftest import audit_actions, count_rows, error_summary, page_text


@cache
def shipped():
    bank = check_bank(Path(__file__).resolve().parents[2] / "question_bank")
    assert bank.errors == []
    return bank


@pytest.fixture
def bank(session):
    import_bank(session, bank=shipped(), actor=None)
    session.commit()


@pytest.fixture
def practitioner(session):
    return session.exec(select(Tier).where(Tier.code == "practitioner")).one()


@pytest.fixture
def panellists(make_user):
    return [make_user(roles=(Role.ASSESSOR,)), make_user(roles=(Role.ASSESSOR,)), make_user(roles=(Role.MODERATOR,))]


def open_form(people, **changes):
    return {"tier": "practitioner", "title": "Practitioner panel, spring 2027", "panellists": [str(p.id) for p in people], **changes}


@pytest.fixture
def switch_to(forms, sign_in):
    def switch(person):
        forms.post("/account/sign-out", page="/account/")
        sign_in(person)
    return switch


def open_panel(session, forms, signed_in_as, panellists):
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post("/admin/standard-setting/new", open_form(panellists), page="/admin/standard-setting/new")
    assert response.status_code == 302, error_summary(response)
    return session.exec(select(StandardSettingPanel)).one()


def test_administrator_opens_a_panel_of_every_live_item_for_the_tier(client, forms, signed_in_as, session, bank, practitioner, panellists):
    panel = open_panel(session, forms, signed_in_as, panellists)
    eligible = services.eligible_versions(session, practitioner)
    assert [item.item_version_id for item in panel.items] == [v.id for v in eligible] and len(eligible) >= 60
    assert {v.kind for v in eligible} == {"general", "applied"}
    assert sorted(m.user_id for m in panel.members) == sorted(p.id for p in panellists)
    assert audit_actions(session, panel) == ["panel.opened"]
    page = page_text(client.get(f"/admin/standard-setting/{panel.id}"))
    assert "Open, round 1" in page and f"{len(eligible)} Items to discuss (round 1) 0" in page
    assert "0 of Child and family practitioner" not in page and f"0 of {len(eligible)} rated" in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"panellists": "first-two"}, "Select at least 3 panellists: an agreed rating needs 3 judgements"),
        ({"panellists": ["999999"]}, "Select panellists from the list shown"),
        ({"tier": "director"}, "Select one of the tiers shown"),
        ({"title": ""}, "Enter a name for the panel"),
        ({"title": "x" * 121}, "The name must be 120 characters or fewer"),
    ],
)
def test_a_panel_that_cannot_be_opened_says_why(forms, signed_in_as, session, bank, panellists, changes, message):
    signed_in_as(Role.ADMINISTRATOR)
    if changes.get("panellists") == "first-two":
        changes = {"panellists": [str(p.id) for p in panellists[:2]]}
    response = forms.post("/admin/standard-setting/new", open_form(panellists, **changes), page="/admin/standard-setting/new")
    assert response.status_code == 400 and message in error_summary(response)
    assert count_rows(session, "standard_setting_panel") == 0


def test_a_candidate_cannot_sit_on_a_panel_and_one_panel_per_tier_is_open(session, bank, practitioner, panellists, user_with_role):
    admin = user_with_role(Role.ADMINISTRATOR)
    with pytest.raises(services.PanelRefused, match="is not an assessor or moderator"):
        services.open_panel(session, actor=admin, tier=practitioner, title="P", panellists=[*panellists[:2], user_with_role(Role.CANDIDATE)])
    services.open_panel(session, actor=admin, tier=practitioner, title="P", panellists=panellists)
    with pytest.raises(services.PanelRefused, match="panel is already open: close it before opening another"):
        services.open_panel(session, actor=admin, tier=practitioner, title="Q", panellists=panellists)


def test_panellists_rate_page_by_page_then_re_rate_after_discussion(client, forms, signed_in_as, switch_to, session, bank, panellists):
    panel = open_panel(session, forms, signed_in_as, panellists)
    first, second = panel.items[0].item_version_id, panel.items[1].item_version_id
    switch_to(panellists[0])
    assert "Practitioner panel, spring 2027" in page_text(client.get("/panels"))
    page = client.get(f"/panels/{panel.id}/rate")
    assert page.status_code == 200 and "Rate items 1 to 10" in page_text(page) and "Key" in page_text(page)
    response = forms.post(f"/panels/{panel.id}/rate", {f"rating_{first}": "55", f"rating_{second}": "80"}, page=f"/panels/{panel.id}/rate")
    assert response.headers["Location"] == f"/panels/{panel.id}/rate?page=2"
    assert services.my_ratings(session, panel, panellists[0], 1) == {first: 0.55, second: 0.8}
    # the others rate too: the item is far apart (40 to 90), so it is listed for discussion
    services.rate(session, panel=panel, panellist=panellists[1], ratings={first: 0.4, second: 0.75})
    services.rate(session, panel=panel, panellist=panellists[2], ratings={first: 0.9, second: 0.8})
    session.commit()
    forms.post("/account/sign-out", page="/account/")
    signed_in_as(Role.ADMINISTRATOR)
    overview = page_text(client.get(f"/admin/standard-setting/{panel.id}"))
    assert "62% (40 to 90), 3 Discuss" in overview and "78% (75 to 80), 3" in overview
    forms.post(f"/admin/standard-setting/{panel.id}/next-round", page=f"/admin/standard-setting/{panel.id}")
    switch_to(panellists[0])
    round_two = page_text(client.get(f"/panels/{panel.id}/rate"))
    assert "Round 1: the panel's mean was 62% (from 40 to 90, 3 ratings); yours was 55%." in round_two
    forms.post(f"/panels/{panel.id}/rate", {f"rating_{first}": "60"}, page=f"/panels/{panel.id}/rate")
    assert services.my_ratings(session, panel, panellists[0], 2) == {first: 0.6}
    assert services.my_ratings(session, panel, panellists[0], 1) == {first: 0.55, second: 0.8}  # round 1 is kept


@pytest.mark.parametrize(
    "value, message",
    [("abc", "enter a whole number from 0 to 100"), ("101", "enter a whole number from 0 to 100"), ("-5", "enter a whole number from 0 to 100"),
     ("55.5", "enter a whole number from 0 to 100")],
)
def test_a_bad_rating_is_refused_and_nothing_on_the_page_is_saved(client, forms, switch_to, signed_in_as, session, bank, panellists, value, message):
    panel = open_panel(session, forms, signed_in_as, panellists)
    first, second = panel.items[0].item_version_id, panel.items[1].item_version_id
    switch_to(panellists[0])
    response = forms.post(f"/panels/{panel.id}/rate", {f"rating_{first}": "50", f"rating_{second}": value}, page=f"/panels/{panel.id}/rate")
    code = panel.items[1].version.item.code
    assert response.status_code == 400 and f"{code}: {message}" in error_summary(response)
    assert count_rows(session, "angoff_rating") == 0


def test_only_the_panels_members_rate_on_it(client, switch_to, signed_in_as, forms, session, bank, panellists, make_user):
    panel = open_panel(session, forms, signed_in_as, panellists)
    switch_to(make_user(roles=(Role.ASSESSOR,)))
    assert client.get(f"/panels/{panel.id}/rate").status_code == 403
    assert "You are not on any standard-setting panel" in page_text(client.get("/panels"))
    assert client.get(f"/panels/{panel.id}/rate?page=999").status_code == 403
    switch_to(panellists[0])
    assert client.get(f"/panels/{panel.id}/rate?page=999").status_code == 404


def test_agreed_ratings_set_each_forms_cut_score_and_unrated_items_stay_off_forms(
        client, forms, signed_in_as, session, bank, practitioner, panellists, user_with_role):
    admin = user_with_role(Role.ADMINISTRATOR)
    panel = services.open_panel(session, actor=admin, tier=practitioner, title="P", panellists=panellists)
    versions = [item.item_version_id for item in panel.items]
    left_out = versions[-1]
    for n, person in enumerate(panellists):
        services.rate(session, panel=panel, panellist=person,
                      ratings={v: round(0.4 + (i % 5) / 10 + n / 100, 2) for i, v in enumerate(versions) if v != left_out})
    session.commit()
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post(f"/admin/standard-setting/{panel.id}/agree", page=f"/admin/standard-setting/{panel.id}")
    assert response.status_code == 302
    assert f"Agreed ratings recorded for {len(versions) - 1} item(s) (the mean of round 1). 1 item(s) have fewer than 3 ratings" \
        in page_text(client.get(f"/admin/standard-setting/{panel.id}"))
    agreed = dict(session.exec(select(AgreedRating.item_version_id, AgreedRating.value)).all())
    assert left_out not in agreed and agreed[versions[0]] == 0.41  # mean of 0.40, 0.41, 0.42
    # an agreed value other than the mean, with the reason, on the item's page
    item_page = f"/admin/standard-setting/{panel.id}/items/1"
    assert "Ratings" in page_text(client.get(item_page))
    forms.post(item_page, {"value": "45", "reason": "Panel agreed the stem is clearer than the spread suggests"}, page=item_page)
    session.expire_all()
    assert session.exec(select(AgreedRating.value).where(AgreedRating.item_version_id == versions[0])).one() == 0.45
    refused = forms.post(f"/admin/standard-setting/{panel.id}/items/{len(versions)}", {"value": "50", "reason": "x"},
                         page=f"/admin/standard-setting/{panel.id}/items/{len(versions)}")
    assert "has 0 rating(s) in round 1: an agreed rating needs at least 3" in " ".join(error_summary(refused))
    forms.post(f"/admin/standard-setting/{panel.id}/close", page=f"/admin/standard-setting/{panel.id}")
    session.refresh(panel)
    assert panel.status is PanelStatus.CLOSED
    assert audit_actions(session, panel) == ["panel.opened", "panel.rated", "panel.rated", "panel.rated", "panel.agreed_means",
                                             "panel.agreed_item", "panel.closed"]
    with pytest.raises(services.PanelRefused, match="closed"):
        services.rate(session, panel=panel, panellist=panellists[0], ratings={versions[0]: 0.5})
    # forms prepared now use only agreed items, and their cut score is the sum of their ratings
    window = AssessmentWindow(tier_id=practitioner.id, opens_at=utcnow() + timedelta(days=3), closes_at=utcnow() + timedelta(days=4),
                              capacity=10, mode=AssessmentMode.REMOTE)
    session.add(window)
    session.flush()
    session.add_all(Booking(candidate_id=user_with_role(Role.CANDIDATE).id, window_id=window.id) for _ in range(3))
    session.commit()
    assert prepare_forms(session, window=window, actor=None).prepared == 3
    agreed = dict(session.exec(select(AgreedRating.item_version_id, AgreedRating.value)).all())
    cuts = set()
    for form in session.exec(select(AssessmentForm)):
        on_form = [item.item_version_id for item in form.items]
        assert left_out not in on_form
        assert form.cut_score == pytest.approx(sum(agreed[v] for v in on_form), abs=0.01)
        cuts.add(form.cut_score)
    assert len(cuts) > 1  # forms of different difficulty, different cut scores
    assert count_rows(session, "angoff_rating") == 3 * (len(versions) - 1)
    assert session.exec(select(AngoffRating.round).distinct()).all() == [1]


def test_the_next_round_waits_for_ratings_and_a_closed_panel_takes_none(client, forms, signed_in_as, session, bank, panellists):
    panel = open_panel(session, forms, signed_in_as, panellists)
    response = forms.post(f"/admin/standard-setting/{panel.id}/next-round", page=f"/admin/standard-setting/{panel.id}")
    assert "Nobody has rated anything in round 1 yet" in page_text(client.get(response.headers["Location"]))
    session.refresh(panel)
    assert panel.round == 1
    forms.post(f"/admin/standard-setting/{panel.id}/close", page=f"/admin/standard-setting/{panel.id}")
    refused = forms.post(f"/admin/standard-setting/{panel.id}/agree", page="/admin/standard-setting")
    assert "This panel is closed: its ratings can no longer change" in page_text(client.get(refused.headers["Location"]))
    assert count_rows(session, "agreed_rating") == 0


def test_someone_booked_to_sit_the_tier_never_sees_its_items_on_a_panel(client, switch_to, signed_in_as, forms, session, bank,
                                                                        practitioner, panellists, user_with_role):
    """A panel shows every item with its key. An assessor may also be a candidate (roles combine): one
    booked to sit the tier cannot be put on its panel, nor see the panel if they book after joining."""
    from app.models import AssessmentMode, AssessmentWindow, Booking

    admin = user_with_role(Role.ADMINISTRATOR)
    window = AssessmentWindow(tier_id=practitioner.id, opens_at=utcnow() + timedelta(days=10), closes_at=utcnow() + timedelta(days=11),
                              capacity=5, mode=AssessmentMode.REMOTE)
    session.add(window)
    session.flush()
    booking = Booking(candidate_id=panellists[0].id, window_id=window.id)
    session.add(booking)
    session.commit()
    with pytest.raises(services.PanelRefused, match=f"{panellists[0].name} is booked to sit the child and family practitioner"):
        services.open_panel(session, actor=admin, tier=practitioner, title="P", panellists=panellists)
    session.rollback()
    session.delete(booking)
    session.commit()
    panel = open_panel(session, forms, signed_in_as, panellists)
    switch_to(panellists[0])
    assert client.get(f"/panels/{panel.id}/rate").status_code == 200
    session.add(Booking(candidate_id=panellists[0].id, window_id=window.id))  # they book after joining
    session.commit()
    refused = client.get(f"/panels/{panel.id}/rate")
    assert refused.status_code == 403 and "booked to sit this tier's knowledge assessment" in page_text(refused)
    assert "Key" not in page_text(refused)
