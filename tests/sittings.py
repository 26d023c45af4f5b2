"""Candidates ready to sit, in a database of their own, for the tests that serve the app with real
gunicorn (faults, races, a database restart). The set-up is the benchmarks' (benchmarks/
knowledge_assessment.py), which also forges each candidate's sign-in session with the app's own
serializer, so the tests and the benchmarks exercise the same thing."""

import sys
from pathlib import Path

from app import migrate
from app.accreditation.keys import init_keys

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def booked_candidates(url: str, folder: Path, count: int, *, secret: str):
    """Migrate `url`, import the question bank, and book `count` candidates on an open practitioner
    window with prepared forms (issuer keys in folder/keys). Returns (app, candidates); the caller
    disposes app.extensions["db"].engine."""
    from knowledge_assessment import make_app, populate

    from app.bank.content import check_bank
    from app.bank.services import import_bank
    from app.db import get_session

    init_keys(str(folder / "keys"), issuer="Test issuer")
    migrate.upgrade(url)
    app = make_app({"DATABASE_URL": url, "SECRET_KEY": secret, "KEYS_DIR": str(folder / "keys"), "SESSION_COOKIE_SECURE": "0",
                    "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        import_bank(get_session(), bank=check_bank(ROOT / "question_bank"), actor=None)
        get_session().commit()
    candidates, _timings = populate(app, count)
    return app, candidates
