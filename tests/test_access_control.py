"""Every route, requested as anonymous and as each role, gets the expected answer.

The table below must name every endpoint in app.url_map: a new route without an entry fails.
"""

from datetime import timedelta

import pytest

from app.models import (
    AssessmentForm,
    AssessmentMode,
    AssessmentWindow,
    Attempt,
    Booking,
    Endorsement,
    OutboxMessage,
    PracticeRoute,
    PracticeSitting,
    ReasonableAdjustment,
    Role,
    StandardSettingPanel,
    StationSet,
    StationSetVersion,
    Tier,
)
from app.models.types import utcnow

ANONYMOUS = "anonymous"
EVERYONE = "public"  # open to all, signed in or not
SIGNED_IN = "signed in"  # any signed-in user
ADMIN = {Role.ADMINISTRATOR}
# Pages about one person's records: the role may use them, but only for their own organisation's
# staff or their own booking. The targets below belong to someone else, so every role is refused.
OWN_ORGANISATION = ("own organisation", {Role.EMPLOYER})
OWN_ATTEMPT = ("own attempt", {Role.CANDIDATE})
OWN_PANEL = ("own panel", {Role.ASSESSOR, Role.MODERATOR})
OWN_SITTING = ("own sitting", {Role.ASSESSOR})  # assessors mark only sittings allocated to them  # panellists rate only on panels they sit on

# The JSON API authenticates with an organisation's API key, never a session: without a key every
# visitor, signed in or not, gets a 401 problem.
def API(scope):
    return ("api key", scope)


ACCESS = {
    "api.verify": API("verify"),
    "api.verify_batch": API("verify"),
    "api.accreditations": API("accreditations"),
    "api.expiring": API("accreditations"),
    "api.openapi": EVERYONE,
    "api.problem": EVERYONE,
    "employers.api_keys": {Role.EMPLOYER},
    "admin.subject_access": ADMIN,
    "admin.reset_two_factor": ADMIN,
    "exams.results_sharing": {Role.CANDIDATE},
    "employers.revoke_api_key": OWN_ORGANISATION,
    "static": EVERYONE,
    "home.index": EVERYONE,
    "home.healthz": EVERYONE,
    "home.readyz": EVERYONE,
    "home.accessibility": EVERYONE,
    "home.privacy": EVERYONE,
    "home.standards": EVERYONE,
    "home.candidate": {Role.CANDIDATE},
    "home.assessor": {Role.ASSESSOR},
    "home.moderator": {Role.MODERATOR},
    "accounts.sign_in": EVERYONE,
    "accounts.sign_in_code": EVERYONE,
    "accounts.two_factor": SIGNED_IN,
    "accounts.two_factor_recovery_codes": SIGNED_IN,
    "accounts.two_factor_off": SIGNED_IN,
    "accounts.sign_out": SIGNED_IN,
    "accounts.set_password": EVERYONE,
    "accounts.reset_password": EVERYONE,
    "accounts.forgotten_password": EVERYONE,
    "accounts.account": SIGNED_IN,
    "employers.home": {Role.EMPLOYER},
    "employers.invite_candidate": {Role.EMPLOYER},
    "employers.staff_member": OWN_ORGANISATION,
    "employers.endorse": OWN_ORGANISATION,
    "employers.withdraw_endorsement": OWN_ORGANISATION,
    "admin.home": ADMIN,
    "admin.users": ADMIN,
    "admin.invite_user": ADMIN,
    "admin.user": ADMIN,
    "admin.user_roles": ADMIN,
    "admin.user_active": ADMIN,
    "admin.resend_invitation": ADMIN,
    "admin.organisations": ADMIN,
    "admin.new_organisation": ADMIN,
    "admin.organisation": ADMIN,
    "admin.workforce": ADMIN,
    "admin.audit": ADMIN,
    "admin.outbox": ADMIN,
    "admin.outbox_message": ADMIN,
    "bank.items": ADMIN,
    "bank.item": ADMIN,
    "bank.item_status": ADMIN,
    "bank.edit_item": ADMIN,
    "bank.new_item": ADMIN,
    "bank.scenario": ADMIN,
    "exams.windows": ADMIN,
    "exams.prepare_window_forms": ADMIN,
    "exams.new_window": ADMIN,
    "exams.book": {Role.CANDIDATE},
    "exams.adjustments": {Role.CANDIDATE},
    "exams.adjustment_requests": ADMIN,
    "exams.decide_adjustments": ADMIN,
    "exams.blueprints": ADMIN,
    "exams.edit_blueprint": ADMIN,
    "exams.cancel_booking": ("own booking", {Role.CANDIDATE}),
    "exams.move_booking": ("own booking", {Role.CANDIDATE}),
    "sitting.start": ("own booking", {Role.CANDIDATE}),
    "sitting.resume": OWN_ATTEMPT,
    "sitting.question": OWN_ATTEMPT,
    "sitting.save": OWN_ATTEMPT,
    "sitting.status": OWN_ATTEMPT,
    "sitting.overview": OWN_ATTEMPT,
    "sitting.check": OWN_ATTEMPT,
    "sitting.submitted": OWN_ATTEMPT,
    "sitting.rest_break": OWN_ATTEMPT,
    "sitting.result": OWN_ATTEMPT,
    "sitting.feedback_pdf": OWN_ATTEMPT,
    "sitting.live": ADMIN,
    "sitting.extend": ADMIN,
    "sitting.release": ADMIN,
    "standards.panels": ADMIN,
    "standards.new_panel": ADMIN,
    "standards.panel": ADMIN,
    "standards.panel_item": ADMIN,
    "standards.next_round": ADMIN,
    "standards.agree": ADMIN,
    "standards.close": ADMIN,
    "standards.my_panels": {Role.ASSESSOR, Role.MODERATOR},
    "standards.rate": OWN_PANEL,
    "quality.correct": ADMIN,
    "quality.apply_correction": ADMIN,
    "quality.regrading_home": ADMIN,
    "quality.correction": ADMIN,
    "quality.review": ADMIN,
    "quality.window_quality": ADMIN,
    "quality.window_item": ADMIN,
    "quality.window_quality_csv": ADMIN,
    "quality.equality_monitoring": {Role.CANDIDATE},
    "practice.sittings": ADMIN,
    "practice.schedule": ADMIN,
    "practice.sitting": ADMIN,
    "practice.override": ADMIN,
    "practice.check_in": ADMIN,
    "practice.release": ADMIN,
    "practice.assessors": ADMIN,
    "practice.assessor_profile": ADMIN,
    "practice.rules": ADMIN,
    "practice.rater_quality": ADMIN,
    "practice.my_sittings": {Role.ASSESSOR},
    "practice.mark": OWN_SITTING,
    "practice.moderation_queue": {Role.MODERATOR},
    "practice.moderate": {Role.MODERATOR},
    "practice.reconsider": {Role.MODERATOR},
    "practice.result": OWN_ATTEMPT,
    "practice.calibration_exercises": ADMIN,
    "practice.new_calibration": ADMIN,
    "practice.calibration_exercise": ADMIN,
    "practice.publish_calibration": ADMIN,
    "practice.my_calibration": {Role.ASSESSOR},
    "practice.calibrate": {Role.ASSESSOR},
    "certificates.jwks": EVERYONE,
    "certificates.issuer": EVERYONE,
    "certificates.status_list": EVERYONE,
    "certificates.verify": EVERYONE,
    "certificates.verify_form": EVERYONE,
    "certificates.verify_upload": EVERYONE,
    "certificates.verify_bulk": {Role.EMPLOYER, Role.ADMINISTRATOR},
    "certificates.my_certificates": {Role.CANDIDATE},
    "certificates.download_pdf": {Role.CANDIDATE},
    "certificates.download_credential": {Role.CANDIDATE},
    "certificates.certificates": ADMIN,
    "certificates.certificate": ADMIN,
    "certificates.my_appeals": {Role.CANDIDATE},
    "certificates.appeals_list": ADMIN,
    "certificates.appeal": ADMIN,
    "certificates.policy": ADMIN,
    "certificates.decisions": ADMIN,
    "certificates.share": {Role.CANDIDATE},
    "certificates.shared_status": EVERYONE,
    "certificates.checks": {Role.CANDIDATE},
    "employers.accreditations_csv": {Role.EMPLOYER},
    "employers.insight": {Role.EMPLOYER},
    "quality.withdraw_equality_monitoring": {Role.CANDIDATE},
}

VISITORS = [ANONYMOUS, *Role]


def test_every_route_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - ACCESS.keys()) == [], "routes without an entry in ACCESS"
    assert sorted(ACCESS.keys() - endpoints) == [], "entries in ACCESS for routes that do not exist"


def test_every_view_declares_the_access_in_the_table(app):
    """The decorators on the views agree with the table (the HTTP test below checks they work)."""
    names = {"public": EVERYONE, "signed_in": SIGNED_IN}
    for endpoint, view in app.view_functions.items():
        if endpoint != "static":
            declared, expected = view.access, ACCESS[endpoint]
            if isinstance(expected, tuple) and expected[0] == "api key":
                assert declared == expected, endpoint
                continue
            expected = expected[1] if isinstance(expected, tuple) else expected
            assert names.get(declared, declared) == expected, endpoint


@pytest.fixture
def targets(make_user, make_organisation, session):
    """Real objects for the URL parameters, so that a 200 means the page was really shown."""
    organisation = make_organisation()
    person = make_user(roles=(Role.CANDIDATE,), organisation=organisation)
    their_employer = make_user(roles=(Role.EMPLOYER,), organisation=organisation)
    message = OutboxMessage(recipient="x@example.org", subject="Subject", body="Body")
    tier = Tier(code="practitioner", name="Child and family practitioner", standard="A standard", position=1)
    session.add_all([message, tier])
    session.flush()
    endorsement = Endorsement(candidate_id=person.id, tier_id=tier.id, endorsed_by_id=their_employer.id,
                              statement="Reviewed against every statement in supervision.")
    window = AssessmentWindow(tier_id=tier.id, opens_at=utcnow() + timedelta(days=30), closes_at=utcnow() + timedelta(days=31),
                              capacity=10, mode=AssessmentMode.REMOTE)
    session.add_all([endorsement, window])
    session.flush()
    booking = Booking(candidate_id=person.id, window_id=window.id)
    adjustment = ReasonableAdjustment(candidate_id=person.id, extra_time_percent=25)
    session.add_all([booking, adjustment])
    session.flush()
    form = AssessmentForm(booking_id=booking.id, time_limit_minutes=60, cut_score=18)
    session.add(form)
    session.flush()
    attempt = Attempt(booking_id=booking.id, form_id=form.id, candidate_id=person.id, deadline_at=utcnow() + timedelta(hours=1))
    panel = StandardSettingPanel(tier_id=tier.id, title="Someone else's panel", opened_by_id=make_user(roles=(Role.ADMINISTRATOR,)).id)
    station_set = StationSet(code="prac-set-z", tier_id=tier.id, status="live")
    session.add_all([attempt, panel, station_set])
    session.flush()
    version = StationSetVersion(set_id=station_set.id, number=1, title="Set Z", content={"summary": "Z", "stations": []}, content_hash="z")
    session.add(version)
    session.flush()
    sitting = PracticeSitting(candidate_id=person.id, tier_id=tier.id, set_version_id=version.id, route=PracticeRoute.CENTRE,
                              scheduled_at=utcnow(), created_by_id=their_employer.id)
    session.add(sitting)
    session.commit()
    from app.api.keys import create_key

    api_key, _ = create_key(session, actor=their_employer, organisation=organisation, name="Their HR system", scopes=["verify"])
    session.commit()
    return {"key_id": api_key.id, "fmt": "json", "user_id": person.id, "organisation_id": organisation.id, "message_id": message.id,
            "secret": "no-such-link", "filename": "images/favicon.svg", "code": "prac-0000", "endorsement_id": endorsement.id,
            "booking_id": booking.id, "request_id": adjustment.id,
            "tier_code": "practitioner", "window_id": window.id, "attempt_id": attempt.id, "position": 1, "panel_id": panel.id,
            "number": 1, "kind": "key", "correction_id": 1, "regraded_id": 1,
            "version_id": 1, "name": "items",
            "sitting_id": sitting.id, "exercise_id": 999999, "purpose": "revocation", "appeal_id": 999999, "token": "no-such-token"}


def _url(rule, targets):
    return rule.build({name: targets[name] for name in rule.arguments})[1]


def _expectation(rule_access, visitor):
    if isinstance(rule_access, tuple) and rule_access[0] == "api key":
        return "api key required"
    if isinstance(rule_access, tuple):
        return "sign in" if visitor == ANONYMOUS else "forbidden"
    if rule_access == EVERYONE:
        return "allowed"
    if visitor == ANONYMOUS:
        return "sign in"
    if rule_access == SIGNED_IN or visitor in rule_access:
        return "allowed"
    return "forbidden"


def _outcome(response):
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/account/sign-in?next="):
        return "sign in"
    if response.status_code == 403:
        return "forbidden"
    if response.status_code == 401 and response.mimetype == "application/problem+json":
        return "api key required"
    return "allowed"


@pytest.mark.parametrize("visitor", VISITORS, ids=lambda v: getattr(v, "value", v))
def test_each_route_as_each_visitor(app, client, forms, signed_in_as, targets, visitor):
    if visitor != ANONYMOUS:
        signed_in_as(visitor)
    token = forms.token("/account/forgotten-password")
    wrong = []
    for rule in app.url_map.iter_rules():
        url = _url(rule, targets)
        method = "GET" if "GET" in rule.methods else "POST"
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        response.close()
        expected, got = _expectation(ACCESS[rule.endpoint], visitor), _outcome(response)
        if expected != got:
            wrong.append(f"{method} {url}: expected {expected}, got {got} ({response.status_code})")
        if expected == "allowed" and method == "GET":
            assert response.status_code in (200, 302, 404, 410), f"{url}: {response.status_code}"
        if rule.endpoint == "accounts.sign_out" and got == "allowed":
            signed_in_as(visitor)  # signing out worked; sign back in for the rest
            token = forms.token("/account/forgotten-password")
    assert wrong == []


def test_pages_an_allowed_role_sees_render(client, signed_in_as, targets):
    signed_in_as(Role.ADMINISTRATOR)
    for url in ["/admin/", "/admin/users", "/admin/users/invite", f"/admin/users/{targets['user_id']}",
                "/admin/organisations", "/admin/organisations/new", f"/admin/organisations/{targets['organisation_id']}",
                "/admin/audit", "/admin/outbox", f"/admin/outbox/{targets['message_id']}", "/account/"]:
        assert client.get(url).status_code == 200, url
