"""Bulk verification: a CSV of up to 1,000 rows, each a certificate id and the holder's surname, or a
Social Work England registration number. Every row gets its own result; a malformed row gets a
row-level message and the others are still checked. Pure parsing, then a few queries for the whole file."""

import csv
import hmac
import io
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.accreditation.ids import CertificateIdError, parse_certificate_id
from app.accreditation.services import LOOKUP_OPTIONS
from app.models import Certificate

MAX_ROWS = 1000
ID_COLUMNS = {"certificate_id", "surname"}
NUMBER_COLUMNS = {"registration_number"}


class BulkRefused(ValueError):
    """The file as a whole cannot be checked; the message says why."""


@dataclass(frozen=True)
class BulkRow:
    line: int  # in the file, counting the header as line 1
    query: str
    status: str  # valid, expired, suspended, revoked, superseded, not_found, error
    message: str
    certificate: Certificate | None = None


def _last_name(text: str) -> bytes:
    """The last word of a name, compared without case or Unicode form (Zoë typed or pasted either way)."""
    words = unicodedata.normalize("NFC", text or "").casefold().split()
    return words[-1].encode() if words else b""


def surname_matches(holder_name: str, surname: str) -> bool:
    """Whether `surname` is the holder's surname, in constant time for names of any alphabet."""
    given = _last_name(surname)
    return bool(given) and hmac.compare_digest(_last_name(holder_name), given)


def _column(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BulkRefused(f"The file is not UTF-8 text (byte {error.start} cannot be read). Save it as 'CSV UTF-8' and try again") from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise BulkRefused(f"Line {line} contains a NUL character: the file is not CSV text. Save it as 'CSV UTF-8' and try again")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise BulkRefused("The file is empty: the first line names the columns")
    columns = {_column(name) for name in reader.fieldnames if name}
    if not (ID_COLUMNS <= columns or NUMBER_COLUMNS <= columns):
        raise BulkRefused(f"The first line must name the columns certificate_id and surname, or registration_number. "
                          f"This file has: {', '.join(sorted(columns)) or 'no names'}")
    rows = []
    for record in reader:
        rows.append((reader.line_num, {_column(k): (v or "").strip() for k, v in record.items() if k}))
        if len(rows) > MAX_ROWS:
            raise BulkRefused(f"The file has more than {MAX_ROWS:,} rows. Split it into files of up to {MAX_ROWS:,} rows")
    if not rows:
        raise BulkRefused("The file has a header line but no rows to check")
    return rows


def _prefetch(session: Session, rows: list[tuple[int, dict[str, str]]]) -> tuple[dict, dict]:
    """The certificates the rows name, by id and by registration number, in a few queries."""
    from app.exams.attempts import _chunks

    codes, numbers = set(), set()
    for _, row in rows:
        if row.get("certificate_id"):
            try:
                codes.add(parse_certificate_id(row["certificate_id"]))
            except CertificateIdError:
                pass
        elif row.get("registration_number"):
            numbers.add(row["registration_number"].upper())
    by_code, by_number = {}, {}
    for chunk in _chunks(sorted(codes)):
        by_code.update({c.code: c for c in session.exec(select(Certificate).options(*LOOKUP_OPTIONS).where(Certificate.code.in_(chunk)))})
    for chunk in _chunks(sorted(numbers)):
        for c in session.exec(select(Certificate).options(*LOOKUP_OPTIONS).where(Certificate.registration_number.in_(chunk))
                              .order_by(Certificate.issued_at.desc())):
            by_number.setdefault(c.registration_number, []).append(c)
    return by_code, by_number


def check_rows(session: Session, rows: list[tuple[int, dict[str, str]]], now: datetime) -> list[BulkRow]:
    by_code, by_number = _prefetch(session, rows)
    results = []
    for line, row in rows:
        if row.get("certificate_id"):
            query = f"{row['certificate_id']} / {row.get('surname', '')}"
            try:
                code = parse_certificate_id(row["certificate_id"])
            except CertificateIdError as error:
                results.append(BulkRow(line, query, "error", str(error)))
                continue
            if not _last_name(row.get("surname", "")):
                results.append(BulkRow(line, query, "error", "The surname is missing"))
                continue
            found = by_code.get(code)
            if found is None or not surname_matches(found.holder_name, row["surname"]):
                results.append(BulkRow(line, query, "not_found", "No certificate matches this id and surname"))
                continue
        elif row.get("registration_number"):
            query = row["registration_number"]
            matches = by_number.get(query.upper(), [])
            current = [c for c in matches if c.current_status(now) == "valid"]
            found = (current or matches or [None])[0]
            if found is None:
                results.append(BulkRow(line, query, "not_found", "No certificate for this registration number"))
                continue
        else:
            results.append(BulkRow(line, "", "error", "The row has neither a certificate id nor a registration number"))
            continue
        status = found.current_status(now)
        results.append(BulkRow(line, query, status, f"{found.tier.name}, valid until {found.expires_at:%d %B %Y}", found))
    return results
