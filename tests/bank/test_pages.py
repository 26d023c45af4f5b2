"""The bank in the browser: browse, review, change status, edit as a new version."""

import pytest
from sqlmodel import select

from app.bank.content import check_bank
from app.bank.services import import_bank
from app.models import Item, ItemStatus, Role
from tests.conftest import audit_actions, error_summary, page_text


@pytest.fixture
def loaded(session, bank):
    import_bank(session, bank=check_bank(bank), actor=None)
    session.commit()


def item(session, code):
    return session.exec(select(Item).where(Item.code == code)).one()


def test_browse_and_filter(client, signed_in_as, loaded):
    signed_in_as(Role.ADMINISTRATOR)
    everything = page_text(client.get("/admin/bank/"))
    assert "2 items" in everything and "prac-9001" in everything and "prac-9002" in everything
    multiple = page_text(client.get("/admin/bank/?type=multiple_response"))
    assert "1 item " in multiple and "prac-9002" in multiple and "prac-9001" not in multiple
    assert "prac-9001" in page_text(client.get("/admin/bank/?statement=P5&tier=practitioner&status=live"))
    assert "No items match." in page_text(client.get("/admin/bank/?status=draft"))
    assert client.get("/admin/bank/?status=bogus").status_code == 400


def test_item_page_shows_the_candidate_view_then_key_and_rationales(client, signed_in_as, loaded):
    signed_in_as(Role.ADMINISTRATOR)
    text = page_text(client.get("/admin/bank/items/prac-9001"))
    candidate, _, reviewer = text.partition("Key and rationales")
    assert "The referral" in candidate and "The home visit" in candidate  # stages up to the item's stage
    assert "A. Agree a plan with the father" in candidate and "Meets the immediate need" not in candidate
    assert "A Key Meets the immediate need" in reviewer and "B No Cooperation does not resolve" in reviewer
    assert "Version 1" in reviewer and "item.version_created" in reviewer


def test_status_workflow_and_its_audit(client, forms, signed_in_as, loaded, session):
    signed_in_as(Role.ADMINISTRATOR)
    url = "/admin/bank/items/prac-9002"
    response = forms.post(f"{url}/status", {"status": "retired", "reason": "Superseded by a better item"}, page=url)
    assert response.status_code == 302
    assert item(session, "prac-9002").status is ItemStatus.RETIRED
    wrong = forms.post(f"{url}/status", {"status": "live", "reason": "Back"}, page=url)
    assert wrong.status_code == 400 and error_summary(wrong) == ["Select one of the statuses shown"]
    forms.post(f"{url}/status", {"status": "review", "reason": "Rewrite"}, page=url)
    forms.post(f"{url}/status", {"status": "live", "reason": "Reviewed"}, page=url)
    assert item(session, "prac-9002").status is ItemStatus.LIVE
    assert audit_actions(session, item(session, "prac-9002")).count("item.status_changed") == 3


def test_an_edit_is_a_new_version_and_the_old_one_stays(client, forms, signed_in_as, loaded, session):
    signed_in_as(Role.ADMINISTRATOR)
    url = "/admin/bank/items/prac-9001/edit"
    page = client.get(url)
    assert "Save as a new version" in page_text(page)
    data = _form_data(session, "prac-9001", stem="After the visit, what should the social worker do first to help Sami?",
                      reason="Clearer stem")
    response = forms.post(url, data)
    assert response.status_code == 302, error_summary(response)
    edited = item(session, "prac-9001")
    assert [v.number for v in edited.versions] == [1, 2]
    assert edited.versions[0].stem == "After the visit, what should the social worker do first?"
    assert edited.current.stem.endswith("to help Sami?")
    assert "You are looking at version 1" in page_text(client.get("/admin/bank/items/prac-9001?version=1"))


@pytest.mark.parametrize(
    "changes, errors",
    [
        ({"key": "E"}, ["E is not an option letter (options are A-D)"]),
        ({"key": "A, B"}, ["a single best answer item has exactly 1 key letter, not 2"]),
        ({"options-3-rationale": "Short"}, ["String should have at least 20 characters"]),
        ({"also_kss": "Z9"}, ["'Z9' is not a KSS code"]),
        ({"reason": ""}, ["Say why you are changing this item"]),
        ({}, ["nothing has changed, so no new version was made"]),
    ],
)
def test_an_edit_that_fails_the_checks_changes_nothing(client, forms, signed_in_as, loaded, session, changes, errors):
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post("/admin/bank/items/prac-9001/edit", _form_data(session, "prac-9001", **changes))
    assert response.status_code == 200
    assert error_summary(response) == errors
    assert len(item(session, "prac-9001").versions) == 1


def test_an_item_that_fails_the_checks_cannot_go_live(client, forms, signed_in_as, loaded, session):
    signed_in_as(Role.ADMINISTRATOR)
    draft = item(session, "prac-9001")
    draft.status = ItemStatus.REVIEW
    draft.current.options[0]["rationale"] = "Too short"  # as an imported item might arrive
    from sqlalchemy.orm.attributes import flag_modified

    flag_modified(draft.current, "options")
    session.commit()
    url = "/admin/bank/items/prac-9001"
    response = forms.post(f"{url}/status", {"status": "live", "reason": "Ready"}, page=url)
    assert response.status_code == 400
    assert "cannot go live until it passes the bank's checks" in error_summary(response)[0]
    assert item(session, "prac-9001").status is ItemStatus.REVIEW


def _form_data(session, code, **changes):
    found = item(session, code)
    version = found.current
    data = {"kss": "P5", "also_kss": ", ".join(version.also_kss), "difficulty": version.difficulty, "stem": version.stem,
            "key": ", ".join(version.key), "references": "\n".join(version.references), "reason": "Because"}
    for index, option in enumerate(version.options):
        data[f"options-{index}-text"] = option["text"]
        data[f"options-{index}-rationale"] = option["rationale"]
    data.update(changes)
    return data


def _new_item_data(**changes):
    data = {"kss": "P7", "also_kss": "", "difficulty": "hard", "key": "C", "references": "",
            "stem": "A nursery worker says a child seems withdrawn after weekends. What should you do first?"}
    texts = ["Visit the family unannounced tonight", "Close the referral as low level", "Speak with the nursery worker about what she has seen",
             "Ask the police to check the home"]
    for index, text in enumerate(texts):
        data[f"options-{index}-text"] = text
        data[f"options-{index}-rationale"] = f"Rationale {index}: long enough to teach a candidate something."
    data.update(changes)
    return data


def test_a_new_item_is_checked_and_saved_as_a_draft(client, forms, signed_in_as, loaded, session):
    signed_in_as(Role.ADMINISTRATOR)
    assert "New item" in page_text(client.get("/admin/bank/items/new"))
    url = "/admin/bank/items/new?tier=practitioner&type=single_best_answer&placement=general"
    page = client.get(url)
    assert page.status_code == 200 and "Option D text" in page_text(page)
    bad = forms.post(url, _new_item_data(key="A, B"))
    assert error_summary(bad) == ["a single best answer item has exactly 1 key letter, not 2"]
    response = forms.post(url, _new_item_data())
    assert response.status_code == 302, error_summary(response)
    created = item(session, "prac-9003")  # the next free number after the small bank's items
    assert created.status is ItemStatus.DRAFT and created.current.key == ["C"] and created.current.kind == "general"
    assert audit_actions(session, created) == ["item.created"]


def test_a_new_applied_item_belongs_to_its_scenario_stage(client, forms, signed_in_as, loaded, session):
    signed_in_as(Role.ADMINISTRATOR)
    url = "/admin/bank/items/new?tier=practitioner&type=single_best_answer&placement=prac-sc-90:referral"
    assert forms.post(url, _new_item_data(kss="P6")).status_code == 302
    created = item(session, "prac-9003")
    assert created.current.stage == "referral" and created.current.scenario_version.scenario.code == "prac-sc-90"
    scenario_page = page_text(client.get("/admin/bank/scenarios/prac-sc-90"))
    referral, _, visit = scenario_page.partition("Stage 2")
    assert "prac-9003" in referral and "prac-9001" in visit


@pytest.mark.parametrize("query", ["?tier=practitioner&type=essay&placement=general",
                                   "?tier=leader&type=ranking&placement=prac-sc-90:referral",
                                   "?tier=nobody&type=ranking&placement=general"])
def test_new_item_with_an_impossible_choice_asks_again(client, signed_in_as, loaded, query):
    signed_in_as(Role.ADMINISTRATOR)
    response = client.get("/admin/bank/items/new" + query)
    assert response.status_code == 400
    assert "Choose a tier, a type, and where the item sits" in page_text(response)
