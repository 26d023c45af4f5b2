"""Certificate issuance, in process, on one core: render the PDF with its QR code, build and sign the
credential (VC-JWT, Ed25519), embed it and sign the PDF (PAdES B-B, ECDSA P-256).

    .venv/bin/python benchmarks/certificates.py [--certificates 200]

Prints the median and 95th percentile per certificate and the rate. Keys are made in a temporary
folder; nothing touches the database (the bulk command adds one INSERT per certificate).
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.accreditation.certificate_pdf import CertificateFacts, render_certificate, sign_certificate
from app.accreditation.credential import CredentialFacts, credential, okp_key, sign
from app.accreditation.ids import new_certificate_id
from app.accreditation.keys import init_keys, load_keys

BASE = "https://accreditation.example.org"


def one(keys, key, index: int) -> bytes:
    now = datetime(2027, 6, 1, tzinfo=UTC)
    code = new_certificate_id()
    facts = CredentialFacts(code, f"Candidate {index}", f"SW{100000 + index}", "practitioner", "Child and family practitioner",
                            "Post-qualifying standard: knowledge and skills statement for child and family practitioners", now,
                            now + timedelta(days=3 * 365), index, BASE, "Child and Family Practice Accreditation Board")
    token = sign(credential(facts), key, subject=facts.registration_number, not_before=now, expires=facts.expires_at)
    pdf = render_certificate(CertificateFacts(code, facts.holder_name, facts.registration_number, facts.tier_name, facts.standard,
                                              now, facts.expires_at, facts.issuer_name, f"{BASE}/verify/{code}?token=x" + "y" * 31,
                                              f"{BASE}/verify"))
    return sign_certificate(pdf, credential_jwt=token, certificate_id=code, keys=keys, reason=f"Certificate {code}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        init_keys(folder, issuer="Child and Family Practice Accreditation Board")
        keys = load_keys({"KEYS_DIR": folder})
        key = okp_key(keys.credential_key, f"{BASE}/issuer")
        one(keys, key, 0)  # warm up (imports, first signature)
        times = []
        started = time.perf_counter()
        for index in range(1, args.certificates + 1):
            t = time.perf_counter()
            one(keys, key, index)
            times.append((time.perf_counter() - t) * 1000)
        total = time.perf_counter() - started
    times.sort()
    print(f"{args.certificates} certificates: median {statistics.median(times):.1f} ms, p95 {times[int(0.95 * len(times)) - 1]:.1f} ms, "
          f"{args.certificates / total:.1f} certificates/s on one core (target: under 50 ms each)")


if __name__ == "__main__":
    main()
