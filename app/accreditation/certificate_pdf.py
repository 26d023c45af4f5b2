"""The accreditation certificate as a PDF (A4, landscape), and its PAdES signature.

`render_certificate` draws the page with reportlab: name, registration number, tier and standard,
dates, issuing body, certificate id, a QR code for the verification page and a line on how to verify.
The QR code is encoded by segno and drawn as vector rectangles, one per run of dark modules in a row
(a few milliseconds; reportlab's own QR widget is far slower).

`sign_certificate` attaches the credential (VC-JWT) as an embedded file, then signs the whole file
with pyHanko as a PAdES baseline B-B signature (ETSI.CAdES.detached) using the issuer's signing
certificate and its chain, so PDF readers and validators (poppler's pdfsig) report it valid, and any
later change to the file invalidates it.
"""

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

LONDON = ZoneInfo("Europe/London")
INK = colors.HexColor("#0b0c0c")
ACCENT = colors.HexColor("#1d70b8")
MUTED = colors.HexColor("#505a5f")
GOLD = colors.HexColor("#b58840")


@dataclass(frozen=True)
class CertificateFacts:
    certificate_id: str
    holder_name: str
    registration_number: str | None
    tier_name: str
    standard: str
    issued_at: datetime
    expires_at: datetime
    issuing_body: str
    verify_url: str  # what the QR code opens (carries the certificate's secret token)
    verify_page: str  # where someone can type the id and surname


def _date(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y}"


def _centred(canvas: Canvas, text: str, y: float, font: str, size: float, colour=INK, max_width: float | None = None):
    while max_width and stringWidth(text, font, size) > max_width and size > 10:
        size -= 1
    canvas.setFont(font, size)
    canvas.setFillColor(colour)
    canvas.drawCentredString(canvas._pagesize[0] / 2, y, text)


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR code for `data`, `size` wide with its quiet zone, bottom-left corner at (x, y)."""
    qr = segno.make(data, error="m", micro=False)
    matrix = list(qr.matrix)
    border = 4
    modules = len(matrix) + 2 * border
    cell = size / modules
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + border + 1) * cell
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                path.rect(x + (start + border) * cell, top, (column - start) * cell, cell)
            else:
                column += 1
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(INK)
    canvas.drawPath(path, stroke=0, fill=1)


def render_certificate(facts: CertificateFacts) -> bytes:
    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1, pageCompression=1)
    canvas.setTitle(f"Certificate of accreditation: {facts.holder_name}")
    canvas.setAuthor(facts.issuing_body)
    canvas.setSubject(f"{facts.tier_name}, certificate {facts.certificate_id}")
    canvas.setCreator(facts.issuing_body)
    # Frame: a double rule in the accent colour and a fine gold line inside it.
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(4)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)
    usable = width - 70 * mm
    _centred(canvas, facts.issuing_body.upper(), height - 36 * mm, "Helvetica-Bold", 12, MUTED, usable)
    _centred(canvas, "Certificate of accreditation", height - 56 * mm, "Times-Bold", 34, ACCENT, usable)
    _centred(canvas, "This is to certify that", height - 74 * mm, "Times-Italic", 15, INK)
    _centred(canvas, facts.holder_name, height - 92 * mm, "Times-Bold", 30, INK, usable)
    if facts.registration_number:
        _centred(canvas, f"Social Work England registration number {facts.registration_number}", height - 102 * mm, "Helvetica", 11, MUTED)
    _centred(canvas, "is accredited as a", height - 116 * mm, "Times-Italic", 15, INK)
    _centred(canvas, facts.tier_name, height - 131 * mm, "Times-Bold", 24, ACCENT, usable)
    _centred(canvas, f"assessed against the {facts.standard}", height - 141 * mm, "Helvetica", 11, INK, usable)
    # Dates and id, bottom left; QR code, bottom right.
    left = 30 * mm
    canvas.setFillColor(INK)
    rows = [("Issued", _date(facts.issued_at)), ("Valid until", _date(facts.expires_at)), ("Certificate id", facts.certificate_id)]
    for index, (label, value) in enumerate(rows):
        y = 52 * mm - index * 8 * mm
        canvas.setFont("Helvetica", 10)
        canvas.setFillColor(MUTED)
        canvas.drawString(left, y, label)
        canvas.setFont("Courier-Bold" if label == "Certificate id" else "Helvetica-Bold", 12)
        canvas.setFillColor(INK)
        canvas.drawString(left + 30 * mm, y, value)
    canvas.setFont("Helvetica", 9)
    canvas.setFillColor(MUTED)
    canvas.drawString(left, 24 * mm, f"To check this certificate is genuine and current, scan the code or go to {facts.verify_page}")
    canvas.drawString(left, 20 * mm, "and enter the certificate id and the holder's surname. This file is digitally signed by the issuer.")
    qr_size = 38 * mm
    draw_qr(canvas, facts.verify_url, width - 30 * mm - qr_size, 20 * mm, qr_size)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def sign_certificate(pdf: bytes, *, credential_jwt: str, certificate_id: str, keys, reason: str, location: str = "England") -> bytes:
    """Embed the credential and sign the PDF (PAdES B-B) with the issuer's signing certificate."""
    from pyhanko.pdf_utils import embed, generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    data = credential_jwt.encode()
    embedded = embed.EmbeddedFileObject.from_file_data(writer, data=data, mime_type="application/vc+jwt")
    embed.embed_file(writer, embed.FileSpec(
        file_spec_string=f"credential-{certificate_id}.jwt", file_name=f"credential-{certificate_id}.jwt", embedded_data=embedded,
        description="Open Badges 3.0 credential for this accreditation (VC-JWT, EdDSA)",
        af_relationship=generic.NameObject("/Supplement")))
    signer = signers.SimpleSigner.load(str(keys.signing_key_file), str(keys.signing_cert_file), ca_chain_files=(str(keys.chain_file),))
    meta = signers.PdfSignatureMetadata(field_name="IssuerSignature", md_algorithm="sha256", reason=reason, location=location,
                                        subfilter=fields.SigSeedSubFilter.PADES)
    out = io.BytesIO()
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no event loop in this thread
        signers.sign_pdf(writer, meta, signer=signer, output=out)
    else:  # pyHanko signs with asyncio.run, which cannot nest in a running loop: sign in a worker thread
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(signers.sign_pdf, writer, meta, signer=signer, output=out).result()
    return out.getvalue()
