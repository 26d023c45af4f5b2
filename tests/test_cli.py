"""The command-line tasks that `make run` and operators use."""

import re

import pytest
from sqlmodel import select

from app.admin.demo import DEMO_ACCOUNTS
from app.models import AgreedRating, AssessmentForm, Booking, PanelStatus, Role, StandardSettingPanel, Tier, User


def test_seed_demo_creates_one_account_per_role_and_is_safe_to_repeat(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "Demo data: 6 new account(s)." in first.output
    for account in DEMO_ACCOUNTS:
        assert f"{account.role.label}" in first.output and account.email in first.output
    assert "password: kss-demo-accreditation" in first.output
    again = runner.invoke(args=["seed-demo"]).output
    assert "Demo data: 0 new account(s)." in again
    key = next(word for word in first.output.split() if word.startswith("kss_"))
    assert key in again  # the demo API key is printed every time, and works
    response = app.test_client().get("/api/v1/accreditations", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and response.get_json()["organisation"] == "Northmoor Borough Council"
    roles = {user.email: user.roles for user in session.exec(select(User))}
    assert {account.email: {account.role} for account in DEMO_ACCOUNTS}.items() <= roles.items()


def test_demo_accounts_can_sign_in(app, session, forms):
    app.test_cli_runner().invoke(args=["seed-demo"])
    response = forms.post("/account/sign-in", {"email": "admin@accreditation.example.org", "password": app.config["DEMO_PASSWORD"]})
    assert response.headers["Location"] == "/admin/"


def test_create_admin_prints_a_one_time_link(app, session, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--email", "Head@Example.org", "--name", "Head of Service"])
    assert result.exit_code == 0
    path = re.search(r"http://127\.0\.0\.1:5000(/account/set-password/\S+)", result.output).group(1)
    assert "Welcome, Head of Service" in client.get(path).get_data(as_text=True)
    user = session.exec(select(User).where(User.email == "head@example.org")).one()
    assert user.roles == {Role.ADMINISTRATOR} and not user.has_password
    again = runner.invoke(args=["create-admin", "--email", "head@example.org", "--name", "Someone"])
    assert again.exit_code == 1 and "An account with the email address head@example.org already exists" in again.output


def test_mail_retry_reports_how_many_were_delivered(app, session):
    result = app.test_cli_runner().invoke(args=["mail", "retry"])
    assert result.exit_code == 0 and result.output.strip() == "0 message(s) delivered."


def test_seed_demo_adds_a_candidate_who_can_sit_now_once_the_bank_is_imported(app, session, forms, client):
    from app.bank.content import check_bank
    from app.bank.services import import_bank
    from tests.exams.conftest import SHIPPED

    import_bank(session, bank=check_bank(SHIPPED), actor=None)
    session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert "Demo data: 7 new account(s)." in first.output and "ready.candidate@northmoor.example.org" in first.output
    assert "Demo standard setting: 3 panel(s) rated every live item" in first.output
    again = runner.invoke(args=["seed-demo"]).output
    assert "Demo data: 0 new account(s)." in again and "Demo standard setting" not in again
    assert "Demo quality report: 40 simulated candidates sat window" in first.output and "Demo quality report" not in again
    assert "Demo certificates: 3 issued and signed (one valid, one expired, one revoked)." in first.output
    assert [line.split("\t")[3] for line in runner.invoke(args=["certificates", "list"]).output.splitlines()] == ["expired", "revoked", "valid"]
    panels = session.exec(select(StandardSettingPanel)).all()
    assert {(p.title, p.status) for p in panels} == {(f"Demo panel: {t}", PanelStatus.CLOSED)
                                                     for t in ("child and family practitioner", "practice supervisor", "practice leader")}
    # the ready candidate's form: its cut score is the sum of its items' agreed ratings
    form = session.exec(select(AssessmentForm).join(Booking, Booking.id == AssessmentForm.booking_id)
                        .join(User, User.id == Booking.candidate_id).where(User.email == "ready.candidate@northmoor.example.org")).one()
    agreed = dict(session.exec(select(AgreedRating.item_version_id, AgreedRating.value)
                               .join(Tier, Tier.id == AgreedRating.tier_id).where(Tier.code == "practitioner")).all())
    assert form.cut_score == pytest.approx(sum(agreed[item.item_version_id] for item in form.items), abs=0.01)
    forms.post("/account/sign-in", {"email": "ready.candidate@northmoor.example.org", "password": app.config["DEMO_PASSWORD"]})
    home = client.get("/candidate").get_data(as_text=True)
    assert "Start your assessment" in home
