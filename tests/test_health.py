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
