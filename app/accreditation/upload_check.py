"""Checking an uploaded certificate PDF: is it a document we signed, unchanged, and is the
certificate it carries still current? The PAdES signature is validated with pyHanko against our own
root (nothing else is trusted), and the file is compared byte for byte with the copy we issued."""

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlmodel import Session, select

from app.models import Certificate

GENUINE, NOT_CURRENT, ALTERED, NOT_OURS, NOT_PDF = "genuine", "not_current", "altered", "not_ours", "not_pdf"


@dataclass(frozen=True)
class UploadCheck:
    verdict: str
    message: str
    certificate: Certificate | None = None
    status: str | None = None


def check_pdf(session: Session, data: bytes, keys, now) -> UploadCheck:
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not data.startswith(b"%PDF-"):
        return UploadCheck(NOT_PDF, "This file is not a PDF. Upload the certificate as the PDF file you were given.")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # a damaged or hostile file: any parse failure means we cannot vouch for it
        return UploadCheck(NOT_PDF, "This file could not be read as a PDF. It may be damaged.")
    if not signatures:
        return UploadCheck(NOT_OURS, "This PDF has no digital signature, so it is not a certificate issued by this service.")
    root = asn1_x509.Certificate.load(pem.unarmor(keys.chain_file.read_bytes())[2])
    ours = asn1_x509.Certificate.load(pem.unarmor(keys.signing_cert_file.read_bytes())[2])
    signature = signatures[0]
    with ThreadPoolExecutor(max_workers=1) as pool:  # pyHanko validates with asyncio.run
        status = pool.submit(validate_pdf_signature, signature, ValidationContext(trust_roots=[root])).result()
    if status.signing_cert is None or status.signing_cert.dump() != ours.dump():
        return UploadCheck(NOT_OURS, "This PDF was not signed by this service, so it is not one of our certificates.")
    certificate = _record(session, reader)
    from app.accounts.retention import ERASED_REASON

    if certificate is not None and certificate.status_reason == ERASED_REASON and status.intact and status.valid:
        # Our copy was deleted with the holder's record; the signature still proves the file is ours.
        return UploadCheck(NOT_CURRENT, "This certificate was issued by this service but is no longer valid: it was revoked "
                                        "when its holder's record was erased.", certificate, "revoked")
    if not (status.intact and status.valid) or certificate is None or data != certificate.pdf:
        return UploadCheck(ALTERED, "This PDF was signed by this service but has been changed since. Do not rely on it: "
                                    "check the certificate by its id and the holder's surname instead.", certificate)
    current = certificate.current_status(now)
    if current != "valid":
        return UploadCheck(NOT_CURRENT, f"This is a genuine certificate issued by this service, but it is no longer valid: it is {current}.",
                           certificate, current)
    return UploadCheck(GENUINE, "This is a genuine certificate issued by this service, unchanged, and it is valid today.", certificate, current)


def _record(session: Session, reader) -> Certificate | None:
    """Our record of the certificate, found by the credential embedded in the file."""
    import json

    import jwt

    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        token = names[1].get_object()["/EF"]["/F"].get_object().data.decode()
        code = json.loads(jwt.utils.base64url_decode(token.split(".")[1]))["id"].rsplit("/", 1)[-1]
    except Exception:  # no credential, or not ours: nothing to compare with
        return None
    return session.exec(select(Certificate).where(Certificate.code == code)).first()
