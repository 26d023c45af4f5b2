"""Real-browser journeys: the app served by pytest-flask's live_server on its own database with
the demo data, driven by Playwright in Debian's Chromium, with an axe scan of every page."""

import json
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app import create_app, migrate
from app.accreditation.demo import seed_demo_certificates
from app.accreditation.keys import init_keys, load_keys
from app.admin.demo import seed_demo
from app.bank.content import check_bank
from app.bank.services import import_bank
from app.config import TestConfig
from app.exams.services import create_window
from app.models import AssessmentMode, Tier, User
from app.models.types import utcnow
from app.practice.demo import seed_demo_practice
from app.quality.simulated import seed_simulated_window
from app.standards.demo import seed_demo_standards
from tests.databases import fresh_database

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CHROMIUM = "/usr/bin/chromium"
QUESTION_BANK = ROOT / "question_bank"
SIMULATED_CANDIDATES = 1000  # enough that differential item functioning is reported for sex


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """Overrides the suite's app: the live server needs committed data, not a rolled-back transaction."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    with fresh_database(instance) as url:
        # Every journey signs in from 127.0.0.1; the rate limit itself is tested in tests/accounts.
        environ = {"TEST_DATABASE_URL": url, "SIGN_IN_RATE_LIMIT": "1000 per minute"}
        application = create_app(TestConfig(instance, environ=environ))
        init_keys(application.config["KEYS_DIR"], issuer=application.config["ISSUING_BODY"])
        migrate.upgrade(url)
        engine = application.extensions["db"].engine
        with Session(engine) as session:
            import_bank(session, bank=check_bank(QUESTION_BANK), actor=None)
            seed_demo(session, password=application.config["DEMO_PASSWORD"], hash_profile="fast")
            seed_demo_standards(session, admin=session.exec(select(User).where(User.email == "admin@accreditation.example.org")).one())
            practitioner = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
            create_window(session, actor=None, tier=practitioner, opens_at=utcnow() + timedelta(days=30),
                          closes_at=utcnow() + timedelta(days=30, hours=8), capacity=50, mode=AssessmentMode.REMOTE,
                          location=None, change_cutoff_hours=48)
            # A past window of simulated candidates, with a planted miskeyed item and DIF item, for the quality report.
            seed_simulated_window(session, tier=practitioner, candidates=SIMULATED_CANDIDATES, seed=1, now=utcnow(), release=True)
            # Assessor profiles, a sitting for the demo candidate and simulated marked sittings for the rater-quality report.
            admin = session.exec(select(User).where(User.email == "admin@accreditation.example.org")).one()
            seed_demo_practice(session, admin=admin)
            # Demo certificates: one valid, one expired, one revoked.
            seed_demo_certificates(session, admin=admin, password=application.config["DEMO_PASSWORD"], hash_profile="fast",
                                   keys=load_keys(application.config), base_url="http://localhost", issuer=application.config["ISSUING_BODY"])
            session.commit()
        engine.dispose()  # the live server forks; it must open its own connections
        yield application
        engine.dispose()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"],
    }


class Visit:
    """Wraps a page: records console errors and runs axe on every page visited."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.problems = []
        self.scanned = []
        self.page_status = None  # of the last page (document) loaded
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _response(self, response):
        if response.request.is_navigation_request() and response.request.frame == self.page.main_frame:
            self.page_status = response.status

    def _console(self, message):
        """Console errors are problems, except Chromium's note that the page itself came with the 4xx
        status the service chose (a form shown again with its errors is a 400)."""
        if message.type != "error":
            return
        expected = self.page_status is not None and 400 <= self.page_status < 500 and \
            message.text == f"Failed to load resource: the server responded with a status of {self.page_status} " \
                            f"({HTTPStatus(self.page_status).phrase.upper()})"
        if not expected:
            self.problems.append(f"console: {message.text}")

    def goto(self, path):
        self.page.goto(self.base_url + path)
        self.check()

    def check(self):
        """axe scan of the current page; every violation is recorded with the page it was on. Waits
        for the page to finish loading first: a scan of a document still being replaced by a
        navigation sees an empty page."""
        self.page.wait_for_load_state("load")
        self.page.evaluate(AXE_SOURCE.read_text())
        result = self.page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        self.scanned.append(self.page.url)
        for violation in result["violations"]:
            nodes = [node["target"] for node in violation["nodes"]]
            self.problems.append(f"axe {violation['id']} on {self.page.url}: {violation['help']} {json.dumps(nodes)}")


@pytest.fixture
def visit(page, live_server):
    visitor = Visit(page, live_server.url())
    yield visitor
    assert visitor.problems == []
