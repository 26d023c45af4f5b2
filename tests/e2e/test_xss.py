"""Cross-site scripting: payloads placed in free-text fields never run in Chromium. Covered: people's
and organisations' names, an endorsement statement, an API key's name, CSV cells, a form re-shown with
its values; bank content arriving by import (a Moodle XML item's stem, options, rationales, references
and source id; a YAML bank's scenario, applied item and observed-practice station set); assessors'
evidence notes and feedback, the moderator's request to look again and rationale, a check-in note and
a sitting's location; a standard-setting panel's title; and a candidate's appeal grounds with the
administrator's decision. Each is read by the people who see it. The tests fail on any dialog, check
that every page carries a CSP without 'unsafe-inline' scripts, and that template syntax is shown as
text, not evaluated."""

import html
import re
import shutil
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
import yaml
from playwright.sync_api import expect
from sqlmodel import Session, select

from app.accounts.passwords import hash_password
from app.api.keys import create_key
from app.models import Endorsement, Organisation, OrganisationKind, Role, RoleMembership, Tier, User
from app.models.types import utcnow
from tests.e2e.conftest import QUESTION_BANK
from tests.e2e.test_quality_journey import sign_in_as, sign_out

pytestmark = pytest.mark.e2e

PAYLOADS = [
    "<script>alert('x1')</script>",
    "\"><img src=x onerror=alert('x2')>",
    "<svg onload=alert('x3')>",
    "javascript:alert('x4')",
    "{{ 7*7 }}{% raw %}",
    "</textarea></title><svg onload=alert('x5')>",  # leaves a form field re-shown with its value, or the page title
]


def plant(app):
    """Payloads stored the way data arrives (imports, other users' typing)."""
    with Session(app.extensions["db"].engine) as session:
        organisation = Organisation(name="Xss Council " + PAYLOADS[1], kind=OrganisationKind.LOCAL_AUTHORITY)
        session.add(organisation)
        session.flush()
        employer = User(name="Employer " + PAYLOADS[0], email="xss.employer@example.org", organisation_id=organisation.id,
                        memberships=[RoleMembership(role=Role.EMPLOYER)])
        staff = User(name="Staff " + PAYLOADS[2] + PAYLOADS[4] + PAYLOADS[5], email="xss.staff@example.org",
                     organisation_id=organisation.id,
                     swe_number="SW199999", memberships=[RoleMembership(role=Role.CANDIDATE)])
        session.add_all([employer, staff])
        session.flush()
        tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
        session.add(Endorsement(candidate_id=staff.id, tier_id=tier.id, endorsed_by_id=employer.id, statement="Reviewed " + " ".join(PAYLOADS)))
        create_key(session, actor=employer, organisation=organisation, name="Key " + PAYLOADS[1], scopes=["verify"])
        session.commit()
        return staff.id, organisation.id


def watch(page):
    """Every JS dialog opened, and the CSP header of every document loaded."""
    dialogs, csp = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("response", lambda response: csp.append(response.headers.get("content-security-policy", ""))
            if response.request.resource_type == "document" else None)
    return dialogs, csp


def assert_never_ran(dialogs, csp):
    assert dialogs == []
    assert csp and all("script-src 'self'" in header and "unsafe-inline" not in header.split("script-src")[1].split(";")[0]
                       for header in csp), csp


def test_payloads_in_free_text_never_run(app, visit, tmp_path):
    staff_id, organisation_id = plant(app)
    page = visit.page
    dialogs, csp = watch(page)

    sign_in_as(app, visit, "admin@accreditation.example.org")
    visit.goto(f"/admin/users/{staff_id}")
    expect(page.locator("main")).to_contain_text("Staff <svg onload=alert('x3')>{{ 7*7 }}")
    for path in ("/admin/users", "/admin/organisations", f"/admin/organisations/{organisation_id}", "/admin/audit"):
        visit.goto(path)
    sign_out(visit)

    # As the organisation's employer: their staff, the endorsement, the API key's name, and the checking pages.
    with Session(app.extensions["db"].engine) as session:
        from app.accounts.passwords import hash_password

        employer = session.exec(select(User).where(User.email == "xss.employer@example.org")).one()
        employer.password_hash = hash_password(app.config["DEMO_PASSWORD"], profile="fast")
        session.commit()
    sign_in_as(app, visit, "xss.employer@example.org")
    for path in ("/employer/", f"/employer/staff/{staff_id}", "/employer/api-keys"):
        visit.goto(path)
    visit.goto("/verify")
    page.get_by_label("Certificate id").fill(PAYLOADS[1])
    page.get_by_label("Holder’s surname").fill(PAYLOADS[0])
    page.get_by_role("button", name="Check certificate").click()
    visit.check()
    sheet = tmp_path / "xss.csv"
    sheet.write_text("certificate_id,surname\n" + "\n".join(f'"{p.replace(chr(34), chr(34) * 2)}",x' for p in PAYLOADS) + "\n")
    visit.goto("/verify/bulk")
    page.get_by_label("CSV file").set_input_files(str(sheet))
    page.get_by_role("button", name="Check and show the results").click()
    expect(page.locator("main")).to_contain_text("<script>alert('x1')</script>")
    visit.check()

    assert_never_ran(dialogs, csp)
    assert not re.search(r"\b49\b", page.locator("main").inner_text())


# Bank content by import, observed-practice marking, standard setting and appeals ---------------------------------------

TEXT = "{{ 7*7 }}{% raw %}"  # PAYLOADS[4]: shown as typed when template syntax is not evaluated


def cycled(n: int) -> str:
    return PAYLOADS[n % len(PAYLOADS)]


def moodle_xml() -> bytes:
    """A Moodle XML question as another system writes it: HTML text, so the payloads arrive entity-encoded
    (as a writer's literal '<' would), plus raw HTML the reader must reduce to text."""
    quiz = ET.Element("quiz")
    question = ET.SubElement(quiz, "question", type="multichoice")
    ET.SubElement(ET.SubElement(question, "name"), "text").text = "Imported " + PAYLOADS[0]
    ET.SubElement(ET.SubElement(question, "questiontext", format="html"), "text").text = (
        "".join(f"<p>Moodle stem {html.escape(p)}</p>" for p in PAYLOADS) + "<p>Raw <img src=x onerror=alert('x9')></p>")
    ET.SubElement(question, "idnumber").text = PAYLOADS[1]
    ET.SubElement(question, "single").text = "true"
    for n, payload in enumerate(PAYLOADS[:4]):
        answer = ET.SubElement(question, "answer", fraction="100" if n == 0 else "0", format="html")
        ET.SubElement(answer, "text").text = html.escape(f"Moodle option {n + 1} {payload}")
        feedback = ET.SubElement(answer, "feedback", format="html")
        ET.SubElement(feedback, "text").text = html.escape(f"Moodle rationale {payload} {TEXT}")
    tags = ET.SubElement(question, "tags")
    for tag in ("KSS:P1", "difficulty:easy", f"reference:Moodle reference {PAYLOADS[2]}"):
        ET.SubElement(ET.SubElement(tags, "tag"), "text").text = tag
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True)


def yaml_bank(root):
    """A question_bank folder (the real framework) with a scenario, an applied draft item and a live station set,
    with payloads in their free-text fields (titles, texts, options, rationales, references, briefs, rubrics)."""
    shutil.copytree(QUESTION_BANK / "framework", root / "framework")
    scenario = {"id": "prac-sc-99", "tier": "practitioner", "kind": "case", "title": "Scenario " + PAYLOADS[0],
                "stages": [{"id": "first", "title": "Stage " + PAYLOADS[1], "text": "Stage text " + PAYLOADS[2] + "\n\n" + TEXT},
                           {"id": "second", "title": "Later " + PAYLOADS[3], "text": "Not shown with the item " + PAYLOADS[0]}]}
    item = {"id": "prac-8901", "tier": "practitioner", "kss": "P2", "kind": "applied", "scenario": "prac-sc-99", "stage": "first",
            "type": "single_best_answer", "difficulty": "medium", "status": "draft",
            "stem": "YAML stem " + PAYLOADS[0] + "\n\n" + TEXT,
            "options": [{"text": f"YAML option {n + 1} {p}", "rationale": f"YAML rationale {p} {TEXT}"}
                        for n, p in enumerate(PAYLOADS[:4])],
            "key": ["B"], "references": ["YAML reference " + PAYLOADS[1]]}
    station_set = yaml.safe_load((QUESTION_BANK / "practice" / "practitioner" / "prac-set-a.yaml").read_text())
    station_set.update(id="prac-set-x", title="Set X " + PAYLOADS[0], summary=station_set["summary"] + PAYLOADS[1])
    for n, station in enumerate(station_set["stations"]):
        payload = cycled(n)
        station["id"] = station["id"].replace("prac-a-", "prac-x-")
        if station.get("based_on"):
            station["based_on"] = station["based_on"].replace("prac-a-", "prac-x-")
        station["title"] = f"Station {payload}"
        station["timings"][0]["name"] = f"Read {PAYLOADS[2]}"
        for text in ("candidate_brief", "actor_brief", "task"):
            if station.get(text):
                station[text] = f"{text} {payload} {TEXT}\n\n" + station[text]
        if station.get("prompts"):
            station["prompts"][0] = f"Prompt {payload} " + station["prompts"][0]
        criterion = station["rubric"][0]
        criterion["title"] = f"Criterion {PAYLOADS[1]}"
        criterion["evidence"] = f"Look for {payload} " + criterion["evidence"]
        criterion["levels"]["meets"] = f"Meets {payload} " + criterion["levels"]["meets"]
    for folder, name, data in (("scenarios", "prac-sc-99", scenario), ("items", "xss", {"items": [item]}),
                               ("practice", "prac-set-x", station_set)):
        (root / folder / "practitioner").mkdir(parents=True)
        (root / folder / "practitioner" / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def plant_assessment(app, tmp_path) -> dict:
    """Bank content through both import paths; a candidate (payload name) with an attempt on a form of the two
    imported items, and a practice sitting on the imported station set: checked in, marked far apart by both
    assessors (payload evidence and feedback), the second asked to look again (payload note). A standard-setting
    panel (payload title) rating the two items, with the second assessor on it."""
    from app.bank.content import check_bank
    from app.bank.interchange import moodle
    from app.bank.interchange.services import import_external
    from app.bank.services import import_bank
    from app.exams.attempts import start_attempt
    from app.models import (
        AssessmentForm,
        AssessmentMode,
        AssessmentWindow,
        Booking,
        FormItem,
        Item,
        OutboxMessage,
        PanelItem,
        PanelMember,
        PracticeRoute,
        StandardSettingPanel,
    )
    from app.practice import services as practice

    engine = app.extensions["db"].engine
    with Session(engine) as session:
        items, skipped = moodle.read_xml(moodle_xml())
        created, refused = import_external(session, items=items, actor=None)
        assert (len(created), skipped, refused) == (1, [], [])
        assert items[0].stem.endswith("Raw")  # the raw <img> was reduced to its text
        (tmp_path / "bank").mkdir()
        yaml_bank(tmp_path / "bank")
        bank = check_bank(tmp_path / "bank")
        assert bank.errors == []
        import_bank(session, bank=bank, actor=None)
        moodle_item = session.exec(select(Item).where(Item.code == created[0])).one()
        yaml_item = session.exec(select(Item).where(Item.code == "prac-8901")).one()
        assert yaml_item.current.scenario_version is not None

        now = utcnow()
        admin = session.exec(select(User).where(User.email == "admin@accreditation.example.org")).one()
        moderator = session.exec(select(User).where(User.email == "moderator@accreditation.example.org")).one()
        practitioner = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
        candidate = User(name="Candidate " + PAYLOADS[0] + TEXT + PAYLOADS[5], email="xss.candidate@example.org",
                         swe_number="SW199998", password_hash=hash_password(app.config["DEMO_PASSWORD"], profile="fast"),
                         memberships=[RoleMembership(role=Role.CANDIDATE)])
        window = AssessmentWindow(tier_id=practitioner.id, opens_at=now - timedelta(minutes=5),
                                  closes_at=now + timedelta(hours=6), capacity=5, mode=AssessmentMode.REMOTE,
                                  change_cutoff_hours=48)
        session.add_all([candidate, window])
        session.flush()
        booking = Booking(candidate_id=candidate.id, window_id=window.id)
        session.add(booking)
        session.flush()
        form = AssessmentForm(booking_id=booking.id, time_limit_minutes=60)
        session.add(form)
        session.flush()
        session.add_all([FormItem(form_id=form.id, position=1, item_version_id=yaml_item.current.id),
                         FormItem(form_id=form.id, position=2, item_version_id=moodle_item.current.id)])
        session.flush()
        attempt = start_attempt(session, booking=booking, now=now)

        sitting = practice.schedule_sitting(session, candidate=candidate, tier=practitioner, route=PracticeRoute.CENTRE,
                                            scheduled_at=now - timedelta(hours=2), location="Centre " + PAYLOADS[3], actor=admin,
                                            set_code="prac-set-x")
        practice.check_in(session, sitting=sitting, identity_checked=True, registration_confirmed=True, filming_consent=True,
                          adjustments_in_place=True, note="Check-in note " + PAYLOADS[0] + TEXT, actor=admin, now=now)
        criteria = sitting.set_version.criteria()
        first, second = sitting.allocations

        def marks(score):
            return {key: practice.MarkInput(score, f"Evidence notes {cycled(n)} {TEXT}", f"Feedback {cycled(n)} {TEXT}")
                    for n, key in enumerate(criteria)}

        for allocation, score in ((first, 6), (second, 2)):
            practice.save_marks(session, sitting=sitting, assessor=allocation.assessor, entered=marks(score), submit=True,
                                now=now)
        session.flush()
        session.refresh(sitting)
        assert sitting.status.value == "moderation"
        practice.request_reconsideration(session, sitting=sitting, position=2, note="Look again " + PAYLOADS[1] + TEXT,
                                         moderator=moderator)
        reconsider_message = session.exec(select(OutboxMessage).where(OutboxMessage.recipient == second.assessor.email)
                                          .order_by(OutboxMessage.id.desc())).first()

        panel = StandardSettingPanel(tier_id=practitioner.id, title="Panel " + PAYLOADS[0], opened_by_id=admin.id)
        session.add(panel)
        session.flush()
        session.add_all([PanelMember(panel_id=panel.id, user_id=second.assessor_id),
                         PanelItem(panel_id=panel.id, item_version_id=yaml_item.current.id, position=1),
                         PanelItem(panel_id=panel.id, item_version_id=moodle_item.current.id, position=2)])
        session.commit()
        planted = {"attempt": attempt.id, "sitting": sitting.id, "panel": panel.id, "items": [yaml_item.code, moodle_item.code],
                   "first": first.assessor.email, "second": second.assessor.email, "criteria": criteria,
                   "message": reconsider_message.id, "candidate": candidate.email}
    engine.dispose()
    return planted


def finish_practice(app, planted, *, moderated: bool):
    """The second assessor submits again (back to moderation); or the moderator sets the agreed marks (payload
    feedback and rationale) and the result is released."""
    from app.models import PracticeSitting
    from app.practice import services as practice

    engine, criteria = app.extensions["db"].engine, planted["criteria"]
    with Session(engine) as session:
        sitting = session.get(PracticeSitting, planted["sitting"])
        now = utcnow()
        if not moderated:
            assessor = session.exec(select(User).where(User.email == planted["second"])).one()
            entered = {key: practice.MarkInput(2, f"Looked again {PAYLOADS[2]} {TEXT}", f"Feedback again {PAYLOADS[3]}")
                       for key in criteria}
            practice.save_marks(session, sitting=sitting, assessor=assessor, entered=entered, submit=True, now=now)
        else:
            moderator = session.exec(select(User).where(User.email == "moderator@accreditation.example.org")).one()
            admin = session.exec(select(User).where(User.email == "admin@accreditation.example.org")).one()
            practice.moderate(session, sitting=sitting, moderator=moderator, now=now,
                              scores=dict.fromkeys(criteria, 5),
                              feedback={key: f"Moderated feedback {cycled(n)} {TEXT}" for n, key in enumerate(criteria)},
                              rationale="Moderation rationale: " + " ".join(PAYLOADS))
            practice.release(session, sitting=sitting, actor=admin, now=now,
                             link=f"http://localhost/candidate/practice/{sitting.id}/result")
        session.commit()
    engine.dispose()


def test_payloads_in_imported_items_marking_and_appeals_never_run(app, visit, tmp_path):
    planted = plant_assessment(app, tmp_path)
    page = visit.page
    main = page.locator("main")
    dialogs, csp = watch(page)
    sitting, attempt, panel = planted["sitting"], planted["attempt"], planted["panel"]
    yaml_code, moodle_code = planted["items"]

    # The assessor asked to look again: the note, the imported station set, their own evidence; and their panel's items.
    sign_in_as(app, visit, planted["second"])
    visit.goto("/assessor/practice")
    visit.goto(f"/assessor/practice/sittings/{sitting}")
    expect(main).to_contain_text("The moderator asked you to look again: Look again " + PAYLOADS[1] + TEXT)
    expect(main).to_contain_text("Station " + PAYLOADS[0])
    expect(page.locator("textarea[name^='evidence-']").first).to_have_value(f"Evidence notes {PAYLOADS[0]} {TEXT}")
    visit.goto("/panels")
    visit.goto(f"/panels/{panel}/rate")
    expect(main).to_contain_text("YAML stem " + PAYLOADS[0])
    expect(main).to_contain_text("Moodle option 2 " + PAYLOADS[1])
    sign_out(visit)

    # The moderator reads both assessors' evidence and feedback.
    finish_practice(app, planted, moderated=False)
    sign_in_as(app, visit, "moderator@accreditation.example.org")
    visit.goto("/moderator/practice")
    visit.goto(f"/moderator/practice/sittings/{sitting}")
    expect(main).to_contain_text(f"Evidence notes {PAYLOADS[1]} {TEXT}")
    expect(main).to_contain_text(f"Looked again {PAYLOADS[2]} {TEXT}")
    sign_out(visit)

    # The candidate sits the two imported items, reads the practice feedback and appeals (a form re-shown with the grounds first).
    finish_practice(app, planted, moderated=True)
    sign_in_as(app, visit, planted["candidate"])
    visit.goto(f"/candidate/attempts/{attempt}/questions/1")
    expect(main).to_contain_text("Stage text " + PAYLOADS[2])
    expect(main).to_contain_text("YAML option 2 " + PAYLOADS[1])
    expect(main).not_to_contain_text("Not shown with the item")
    page.locator("input[name='answer']").nth(1).check()
    expect(page.locator("[data-save-status]")).to_have_text("Saved")
    visit.goto(f"/candidate/attempts/{attempt}/questions/2")
    expect(main).to_contain_text("Moodle stem " + PAYLOADS[0])
    expect(main).to_contain_text("Moodle option 3 " + PAYLOADS[2])
    page.locator("input[name='answer']").nth(0).check()
    expect(page.locator("[data-save-status]")).to_have_text("Saved")
    visit.goto(f"/candidate/attempts/{attempt}/questions")
    visit.goto(f"/candidate/attempts/{attempt}/check")
    expect(main).to_contain_text("Moodle option 1 " + PAYLOADS[0])
    visit.goto(f"/candidate/practice/{sitting}/result")
    expect(main).to_contain_text(f"Moderated feedback {PAYLOADS[0]} {TEXT}")
    visit.goto("/candidate/appeals")
    page.get_by_label(re.compile("observed practice|practice component", re.I)).first.check()
    page.get_by_label("Your grounds").fill(PAYLOADS[5])
    page.get_by_role("button", name="Send appeal").click()
    expect(page.get_by_label("Your grounds")).to_have_value(PAYLOADS[5])
    visit.check()
    grounds = "Appeal grounds: the assessor did not follow the process. " + " ".join(PAYLOADS)
    page.get_by_label("Your grounds").fill(grounds)
    page.get_by_role("button", name="Send appeal").click()
    expect(page.get_by_text("Your appeal has been sent")).to_be_visible()
    visit.check()
    sign_out(visit)

    # The administrator: the imported items, scenario and edit form, the sitting, the panel, the appeal (decided
    # with a payload), the log.
    sign_in_as(app, visit, "admin@accreditation.example.org")
    visit.goto("/admin/bank/?tier=practitioner&status=draft")
    visit.goto(f"/admin/bank/items/{moodle_code}")
    expect(main).to_contain_text(f"Moodle rationale {PAYLOADS[0]} {TEXT}")
    expect(main).to_contain_text("Moodle reference " + PAYLOADS[2])
    expect(main).to_contain_text(PAYLOADS[1])  # the Moodle idnumber, in the import's audit event
    visit.goto(f"/admin/bank/items/{moodle_code}/edit")
    expect(page.locator("textarea").first).to_have_value(re.compile(re.escape("Moodle stem " + PAYLOADS[0])))
    visit.goto(f"/admin/bank/items/{yaml_code}")
    expect(main).to_contain_text("Stage " + PAYLOADS[1])
    expect(main).to_contain_text("YAML reference " + PAYLOADS[1])
    visit.goto("/admin/bank/scenarios/prac-sc-99")
    expect(main).to_contain_text("Scenario " + PAYLOADS[0])
    expect(main).to_contain_text(TEXT)
    visit.goto("/admin/practice")
    visit.goto(f"/admin/practice/sittings/{sitting}")
    expect(main).to_contain_text("Check-in note " + PAYLOADS[0] + TEXT)
    expect(main).to_contain_text("Moderation rationale: " + " ".join(PAYLOADS))
    visit.goto(f"/admin/standard-setting/{panel}")
    expect(main).to_contain_text("Panel " + PAYLOADS[0])
    visit.goto(f"/admin/standard-setting/{panel}/items/2")
    visit.goto(f"/admin/outbox/{planted['message']}")
    expect(main).to_contain_text("Look again " + PAYLOADS[1] + TEXT)
    visit.goto("/admin/appeals")
    page.get_by_role("link", name=re.compile("Candidate")).first.click()
    expect(main).to_contain_text(grounds)
    visit.check()
    appeal_url = page.url
    page.get_by_label("Not upheld").check()
    page.get_by_label("Rationale").fill("Appeal rationale: the process was followed. " + " ".join(PAYLOADS))
    page.get_by_role("button", name="Record the decision").click()
    visit.check()
    page.goto(appeal_url)
    expect(main).to_contain_text("Appeal rationale: the process was followed. " + " ".join(PAYLOADS))
    visit.check()
    visit.goto("/admin/audit")
    sign_out(visit)

    sign_in_as(app, visit, planted["candidate"])
    visit.goto("/candidate/appeals")
    expect(main).to_contain_text("Appeal rationale: the process was followed. " + " ".join(PAYLOADS))

    assert_never_ran(dialogs, csp)
