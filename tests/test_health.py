from app import create_app
from app.config import TestConfig


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    unreachable = f"sqlite:///{tmp_path / 'missing-directory' / 'db.sqlite3'}"
    app = create_app(TestConfig(tmp_path, environ={"TEST_DATABASE_URL": unreachable}))
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    finally:
        app.extensions["db"].engine.dispose()


def test_readyz_is_200_when_the_schema_is_current_and_the_keys_are_there(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "keys": "ok"}}


def test_readyz_is_503_before_migrations_and_keys(tmp_path):
    from tests.databases import fresh_database

    with fresh_database(tmp_path) as url:
        app = create_app(TestConfig(tmp_path, environ={"TEST_DATABASE_URL": url, "KEYS_DIR": str(tmp_path / "no-keys")}))
        try:
            response = app.test_client().get("/readyz")
            body = response.get_json()
            assert response.status_code == 503 and body["status"] == "not ready"
            assert body["checks"]["database"] == "ok" and "run flask db-upgrade" in body["checks"]["migrations"]
            assert "run flask keys init" in body["checks"]["keys"]
        finally:
            app.extensions["db"].engine.dispose()


def test_every_response_carries_a_request_id_and_json_logs_carry_it_too(tmp_path, caplog):
    import json
    import logging

    from app.observability import JsonFormatter

    app = create_app(TestConfig(tmp_path, environ={"LOG_FORMAT": "json"}))
    try:
        client = app.test_client()
        generated = client.get("/healthz").headers["X-Request-ID"]
        assert len(generated) == 32
        assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c21"}).headers["X-Request-ID"] == "lb-7f3a9c21"
        assert client.get("/healthz", headers={"X-Request-ID": "bad id\\n"}).headers["X-Request-ID"] != "bad id\\n"
        with caplog.at_level(logging.INFO, logger="app.access"):
            client.get("/healthz", headers={"X-Request-ID": "trace-000000042"})
        record = [r for r in caplog.records if r.name == "app.access"][-1]
        line = json.loads(JsonFormatter().format(record))
        assert line["request_id"] == "trace-000000042" and line["path"] == "/healthz" and line["status"] == 200
        assert line["level"] == "INFO" and line["duration_ms"] >= 0
    finally:
        app.extensions["db"].engine.dispose()


def test_pages_and_the_api_say_503_with_retry_after_while_the_database_is_unreachable(tmp_path, caplog):
    """Not a 500: the assessment page's answer queue and API clients retry on 503, and the page still
    renders (as for a visitor: who is signed in cannot be looked up without the database)."""
    unreachable = f"sqlite:///{tmp_path / 'missing-directory' / 'db.sqlite3'}"
    app = create_app(TestConfig(tmp_path, environ={"TEST_DATABASE_URL": unreachable}))
    try:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = "1"  # a signed-in visitor: loading them is the first query to fail
        page = client.get("/standards")
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        assert "Sorry, the service is unavailable for a moment" in page.get_data(as_text=True)
        api = client.get("/api/v1/accreditations", headers={"Authorization": "Bearer kss_abcdef0123_secret"})
        assert api.status_code == 503 and api.mimetype == "application/problem+json" and api.headers["Retry-After"] == "5"
        assert api.get_json()["status"] == 503
        assert "database unavailable" in caplog.text
        client.get("/healthz")
        assert "health check: the database is unreachable" in caplog.text
    finally:
        app.extensions["db"].engine.dispose()
