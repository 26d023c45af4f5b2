"""Administrators change a tier's blueprint; the live bank must be able to make a form to it."""

from pathlib import Path

import pytest
from sqlmodel import select

from app.bank.content import check_bank
from app.bank.services import import_bank
from app.exams.assembly import assemble_form
from app.exams.blueprint_settings import blueprint_for, live_pool
from app.models import Role, Tier
from tests.conftest import agree_ratings, count_rows, error_summary, page_text

SHIPPED = Path(__file__).resolve().parents[2] / "question_bank"


@pytest.fixture
def shipped_bank(session):
    import_bank(session, bank=check_bank(SHIPPED), actor=None)
    agree_ratings(session)


def practitioner(session):
    return session.exec(select(Tier).where(Tier.code == "practitioner")).one()


def form_data(session, **changes):
    data = {"time_limit_minutes": "60", "general": "18", "general_from": "practitioner", "applied": "12", "max_scenarios": "2",
            "multiple_response_rule": "all_or_nothing", "statement_minimum_percent": "",
            **{f"min_{s.code}": "1" for s in practitioner(session).statements}}
    data.update(changes)
    return data


def test_the_shipped_bank_makes_a_form_for_every_default_blueprint(session, shipped_bank):
    for tier in session.exec(select(Tier)):
        form = assemble_form(blueprint_for(session, tier), live_pool(session, rated_for=tier))
        assert len(form.items) == 30


def test_only_items_with_an_agreed_rating_count_towards_a_blueprint(forms, signed_in_as, session):
    import_bank(session, bank=check_bank(SHIPPED), actor=None)
    session.commit()  # no standard setting yet
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post("/admin/blueprints/practitioner", form_data(session))
    assert any("only items with an agreed standard-setting rating for this tier count" in m for m in error_summary(response))
    assert live_pool(session, rated_for=practitioner(session)) == []


def test_defaults_are_shown_and_a_change_is_saved(client, forms, signed_in_as, session, shipped_bank):
    signed_in_as(Role.ADMINISTRATOR)
    listing = page_text(client.get("/admin/blueprints"))
    assert "Child and family practitioner 60 minutes 18 (practitioner statements) 12 at most 2" in listing
    assert "Practice leader 60 minutes 18 (supervisor statements) 12 at most 2" in listing
    assert "Multiple response all or nothing; cut score from standard setting" in listing
    response = forms.post("/admin/blueprints/practitioner", form_data(session, time_limit_minutes="75", min_P8="2",
                                                                      multiple_response_rule="per_option", statement_minimum_percent="40"))
    assert response.headers["Location"] == "/admin/blueprints", error_summary(response)
    saved = blueprint_for(session, practitioner(session))
    assert saved.time_limit_minutes == 75 and saved.minimum_per_statement["P8"] == 2
    assert (saved.multiple_response_rule, saved.statement_minimum_percent) == ("per_option", 40)
    assert "with partial credit; cut score from standard setting, and at least 40% on every statement" in page_text(client.get("/admin/blueprints"))
    assert "Child and family practitioner 75 minutes" in page_text(client.get("/admin/blueprints"))


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"applied": "40"}, "The live question bank cannot make a form to this blueprint: the bank has 36 unseen live applied"),
        ({"max_scenarios": "1"}, "The live question bank cannot make a form to this blueprint: no set of up to 1 scenario(s)"),
        ({"general": "1", "applied": "1"}, "The statement minimums add up to 10, more than the 2 items on a form"),
        ({"time_limit_minutes": "5"}, "Time limit must be between 10 and 240 minutes"),
        ({"min_P3": ""}, "Enter the minimum number of items for P3"),
        ({"statement_minimum_percent": "0"}, "The minimum must be between 1% and 100%, or blank for none"),
        ({"multiple_response_rule": "half_marks"}, "Select one of the scoring rules shown"),
    ],
)
def test_an_impossible_blueprint_is_refused_with_the_reason(forms, signed_in_as, session, shipped_bank, changes, error):
    signed_in_as(Role.ADMINISTRATOR)
    response = forms.post("/admin/blueprints/practitioner", form_data(session, **changes))
    assert response.status_code == 200
    assert any(message.startswith(error) for message in error_summary(response)), error_summary(response)
    assert count_rows(session, "blueprint_setting") == 0
