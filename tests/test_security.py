"""Headers, CSRF, request size, error pages."""

import re

from app.models import Role
from tests.conftest import PASSWORD, count_rows, page_text


def test_security_headers_and_a_csp_without_inline_script(client):
    response = client.get("/account/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    html = response.get_data(as_text=True)
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline_scripts and all(f'nonce="{nonce}"' in attributes for attributes in inline_scripts)
    assert " style=" not in html  # style-src 'self' would block inline styles
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_nonce_changes_on_every_response(client):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_form_without_csrf_token_is_refused_and_changes_nothing(client, user_with_role, session):
    user = user_with_role(Role.ADMINISTRATOR)
    response = client.post("/account/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "security token was missing or had expired. Nothing was changed" in page_text(response)
    assert client.get("/admin/").status_code == 302  # not signed in


def test_admin_action_without_csrf_token_changes_nothing(client, signed_in_as, session):
    signed_in_as(Role.ADMINISTRATOR)
    before = count_rows(session, "organisation")
    response = client.post("/admin/organisations/new", data={"name": "Forged Council", "kind": "local_authority"})
    assert response.status_code == 400
    assert count_rows(session, "organisation") == before


def test_oversized_request_is_refused_with_a_clear_page(app, client, signed_in_as, session):
    signed_in_as(Role.ADMINISTRATOR)
    before = count_rows(session, "organisation")
    body = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/admin/organisations/new", data={"name": body, "kind": "local_authority"})
    assert response.status_code == 413
    assert "The information you sent was too large" in page_text(response)
    assert "Nothing was saved" in page_text(response)
    assert count_rows(session, "organisation") == before


def test_not_found_page_is_in_the_service_style(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in page_text(response)
    assert "govuk-template" in response.get_data(as_text=True)
    assert "<title>Page not found – Child and family social work accreditation</title>" in response.get_data(as_text=True)


def test_forbidden_page_is_in_the_service_style(client, signed_in_as):
    signed_in_as(Role.CANDIDATE)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "You do not have permission to see this page" in page_text(response)


def test_server_error_page_is_in_the_service_style(app):
    from app.errors import render_error

    with app.test_request_context("/"):
        body, status = render_error(500)
    assert status == 500 and "Sorry, there is a problem with the service" in body


def test_service_does_not_use_the_crown_or_gds_font_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert "govuk-generic-header" in html and "govuk-header__logotype" not in html
    assert "/static/dist/app.css" in html and "app-govuk-brand.css" not in html
    assert "GOV.UK" not in page_text(client.get("/"))


def test_govuk_branding_flag_turns_on_the_govuk_header(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "GOVUK_BRANDING", True)
    html = client.get("/").get_data(as_text=True)
    assert "govuk-header" in html and "app-govuk-brand.css" in html


def test_a_nul_character_in_a_form_or_address_is_refused_before_any_view(client, forms):
    assert forms.post("/account/sign-in", {"email": "a\x00@example.org", "password": "x"}).status_code == 400
    assert client.get("/verify?x=%00").status_code == 400
