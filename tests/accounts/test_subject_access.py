"""A subject access export holds everything about the person and nothing about anyone else, and
never a secret."""

import io
import json
import stat

from pypdf import PdfReader

from app.accounts.subject_access import export_json, export_pdf
from app.audit import record_event
from app.employers.consent import set_sharing
from app.models import Role
from tests.accreditation.conftest import accredited  # noqa: F401
from tests.accreditation.test_certificates import issue
from tests.conftest import audit_actions
from tests.practice.conftest import framework  # noqa: F401


def test_the_export_holds_the_persons_records_and_no_one_elses(app, session, accredited):  # noqa: F811
    candidate, tier = accredited(name="Jordan Ellis", swe_number="SW777001")
    someone_else, _ = accredited(name="Sam Other")
    certificate = issue(app, session, candidate, tier)
    set_sharing(session, candidate=candidate, share=True)
    record_event(session, actor=None, action="user.roles_changed", obj=candidate, before=["candidate"])
    from app.accreditation.services import log_lookup

    log_lookup(session, certificate=certificate, route="form", outcome="valid", organisation_id=None, ip="192.0.2.1", secret="s",
               now=certificate.issued_at)
    session.commit()
    document = export_json(session, candidate, service="Test service")
    tables = {s["table"] for s in document["sections"]}
    assert {"user_account", "endorsement", "booking", "attempt", "practice_sitting", "certificate", "results_sharing",
            "audit_event"} <= tables
    text = json.dumps(document)
    assert "Jordan Ellis" in text and certificate.code in text and "SW777001" in text
    assert "Sam Other" not in text and someone_else.email not in text
    about = next(s for s in document["sections"] if s["relation"] == "the event's object")["rows"]
    assert [e["action"] for e in about] == ["user.roles_changed"]
    share = next(s for s in document["sections"] if s["table"] == "verification_lookup")
    assert share["relation"] == "certificate.id" and share["rows"][0]["outcome"] == "valid" and "ip_hash" not in share["rows"][0]
    assert candidate.password_hash not in text
    assert certificate.token not in text
    assert '"password_hash":' not in text
    (row,) = next(s for s in document["sections"] if s["table"] == "certificate")["rows"]
    assert "pdf" not in row and "credential_jwt" not in row and row["code"] == certificate.code
    pdf = PdfReader(io.BytesIO(export_pdf(document)))
    words = " ".join(page.extract_text() for page in pdf.pages)
    assert "Information we hold about Jordan Ellis" in words and certificate.code in words


def test_administrators_download_it_and_the_download_is_audited(app, client, session, signed_in_as, user_with_role):
    person = user_with_role(Role.CANDIDATE, name="Jordan Ellis")
    signed_in_as(Role.ADMINISTRATOR)
    as_json = client.get(f"/admin/users/{person.id}/subject-access.json")
    assert as_json.status_code == 200 and as_json.headers["Cache-Control"] == "no-store"
    assert as_json.get_json()["person"]["name"] == "Jordan Ellis"
    as_pdf = client.get(f"/admin/users/{person.id}/subject-access.pdf")
    assert as_pdf.mimetype == "application/pdf" and as_pdf.data.startswith(b"%PDF")
    assert client.get(f"/admin/users/{person.id}/subject-access.xml").status_code == 404
    assert audit_actions(session, obj=person, action="subject_access.exported") == ["subject_access.exported"] * 2


def test_the_command_writes_owner_only_files_and_names_an_unknown_email(app, session, user_with_role, tmp_path):
    person = user_with_role(Role.CANDIDATE, name="Jordan Ellis")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["subject-access", person.email.upper(), "--output", str(tmp_path)])
    assert result.exit_code == 0 and "about Jordan Ellis" in result.output
    files = sorted(tmp_path.iterdir())
    assert [f.suffix for f in files] == [".json", ".pdf"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    unknown = runner.invoke(args=["subject-access", "nobody@example.org", "--output", str(tmp_path)])
    assert unknown.exit_code != 0 and "No account has the email address nobody@example.org" in unknown.output
