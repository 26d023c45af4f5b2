"""Subject access: everything the service holds about one person, as JSON and as a readable PDF
(UK GDPR Article 15).

What is "about them" is found from the schema rather than listed by hand, so a new table is never
forgotten: every row of every table with a foreign key to the person's account (as candidate,
assessor, actor, author...), and for the rows where they are the subject (their bookings,
attempts, sittings, certificates...) the rows that hang off those (their answers, marks, share
links, who checked their certificate). Password hashes, token hashes and key material are never
exported; the signed PDF of a certificate is given by its id (the holder can download it), not as
bytes. Keyword-only, take the session, never commit."""

import base64
import io
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.models import User
from app.models.types import utcnow

# Columns that are secrets or their hashes: present in the tables, never in an export.
WITHHELD = {"password_hash", "token_hash", "secret_hash", "token", "ip_hash", "pdf", "credential_jwt", "hash", "prev_hash"}
# Foreign-key columns that make a row the person's own record (they are its subject), whose child rows are theirs too.
SUBJECT_COLUMNS = {"candidate_id", "user_id"}
SKIP_CHILDREN_OF = {"audit_event", "user_account"}


@dataclass(frozen=True)
class Section:
    table: str
    via: str  # how the rows relate to the person, e.g. "candidate_id" or "attempt.id"
    rows: list[dict]


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _rows(session: Session, table: sa.Table, column: sa.Column, ids: list) -> list[dict]:
    if not ids:
        return []
    result = session.connection().execute(sa.select(table).where(column.in_(ids)).order_by(*table.primary_key.columns))
    return [{k: _value(v) for k, v in row._mapping.items() if k not in WITHHELD} for row in result]


def gather(session: Session, person: User) -> list[Section]:
    """Every section of rows about the person, in schema order."""
    tables = SQLModel.metadata.sorted_tables
    users = SQLModel.metadata.tables["user_account"]
    sections = [Section("user_account", "id", _rows(session, users, users.c.id, [person.id]))]
    owned: dict[str, list] = {}
    for table in tables:
        for fk in table.foreign_keys:
            if fk.column.table is users and table is not users:
                rows = _rows(session, table, fk.parent, [person.id])
                if rows:
                    sections.append(Section(table.name, fk.parent.name, rows))
                    if fk.parent.name in SUBJECT_COLUMNS and table.name not in SKIP_CHILDREN_OF and "id" in table.c:
                        owned.setdefault(table.name, []).extend(r["id"] for r in rows)
    events = SQLModel.metadata.tables["audit_event"]
    about = [{k: _value(v) for k, v in row._mapping.items() if k not in WITHHELD} for row in session.connection().execute(
        sa.select(events).where(events.c.object_type == "user_account", events.c.object_id == str(person.id)).order_by(events.c.id))]
    if about:
        sections.append(Section("audit_event", "the event's object", about))
    for table in tables:
        for fk in table.foreign_keys:
            parent = fk.column.table.name
            if parent in owned and fk.column.name == "id" and table.name not in SKIP_CHILDREN_OF:
                rows = _rows(session, table, fk.parent, sorted(set(owned[parent])))
                if rows:
                    sections.append(Section(table.name, f"{parent}.id", rows))
    return sections


def export_json(session: Session, person: User, *, service: str) -> dict:
    return {"service": service, "exported_at": utcnow().isoformat(), "person": {"id": person.id, "name": person.name, "email": person.email},
            "withheld": sorted(WITHHELD),
            "sections": [{"table": s.table, "relation": s.via, "rows": s.rows} for s in gather(session, person)]}


def export_pdf(document: dict) -> bytes:
    """The same export, readable: one heading per kind of record, one small table per row."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    person = document["person"]
    pdf = SimpleDocTemplate(buffer, pagesize=A4, title=f"Information we hold about {person['name']}", author=document["service"],
                            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm)
    story = [Paragraph(escape(f"Information we hold about {person['name']}"), styles["Title"]),
             Paragraph(escape(f"{document['service']}. Exported {document['exported_at'][:19].replace('T', ' ')} UTC for "
                              f"{person['email']}. Password and link hashes, keys and the signed certificate files are not "
                              "included; certificates can be downloaded from your account."), styles["Normal"]),
             Spacer(1, 6 * mm)]
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    for section in document["sections"]:
        story.append(Paragraph(escape(f"{section['table'].replace('_', ' ').capitalize()} ({len(section['rows'])}; by {section['relation']})"),
                               styles["Heading3"]))
        for row in section["rows"]:
            data = [[Paragraph(escape(str(k)), cell), Paragraph(escape(str(v))[:2000], cell)] for k, v in row.items()]
            table = Table(data, colWidths=[45 * mm, 125 * mm])
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [table, Spacer(1, 3 * mm)]
    pdf.build(story)
    return buffer.getvalue()
