"""Open Badges 3.0 credentials, secured as VC-JWT (Ed25519 / EdDSA), and the Bitstring Status List.

An accreditation is issued as an `OpenBadgeCredential` (W3C Verifiable Credentials Data Model 2.0).
It is secured with JOSE as in W3C "Securing Verifiable Credentials using JOSE and COSE": the JWT
payload is the credential itself, with the header `typ: vc+jwt` and the key's `kid`; the registered
claims iss, sub, jti, nbf and exp are added so general JWT libraries can check issuer and dates.

Revocation and suspension use the W3C Bitstring Status List: each certificate holds a random index
into a list of 131,072 bits (the spec's minimum, so the position says nothing about who it is); the
status list is itself a signed credential, published for verifiers to fetch. A set bit means revoked
(or suspended, in the suspension list).
"""

import base64
import gzip
import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

LIST_BITS = 131_072
CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC, whole seconds: 2027-06-01T12:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class CredentialFacts:
    certificate_id: str
    holder_name: str
    registration_number: str | None
    tier_code: str
    tier_name: str
    standard: str
    issued_at: datetime
    expires_at: datetime
    status_index: int
    base_url: str  # https://accreditation.example.org, no trailing slash
    issuer_name: str


def issuer_id(base_url: str) -> str:
    return f"{base_url}/issuer"


def status_list_url(base_url: str, purpose: str) -> str:
    return f"{base_url}/status/{purpose}"


def credential(facts: CredentialFacts) -> dict:
    base = facts.base_url
    subject = {"type": ["AchievementSubject"], "name": facts.holder_name,
               "achievement": {
                   "id": f"{base}/achievements/{facts.tier_code}", "type": ["Achievement"], "achievementType": "Certificate",
                   "name": f"Accredited {facts.tier_name.lower()}",
                   "description": f"Accredited against the {facts.standard}, by a knowledge assessment and an observed assessment "
                                  f"of practice, following the employer's endorsement.",
                   "criteria": {"narrative": "Endorsed by the employer; passed the scenario-based knowledge assessment against the "
                                             "form's Angoff cut score; passed every station of the observed practice assessment, "
                                             "double marked and moderated."}}}
    if facts.registration_number:
        subject["identifier"] = [{"type": "IdentityObject", "identityType": "identifier", "hashed": False,
                                  "identityHash": facts.registration_number}]
    return {
        "@context": CONTEXTS,
        "id": f"{base}/verify/{facts.certificate_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id(base), "type": ["Profile"], "name": facts.issuer_name},
        "validFrom": iso(facts.issued_at),
        "validUntil": iso(facts.expires_at),
        "name": f"Accredited {facts.tier_name.lower()}: {facts.holder_name}",
        "credentialSubject": subject,
        "credentialStatus": [
            {"id": f"{status_list_url(base, purpose)}#{facts.status_index}", "type": "BitstringStatusListEntry",
             "statusPurpose": purpose, "statusListIndex": str(facts.status_index),
             "statusListCredential": status_list_url(base, purpose)}
            for purpose in ("revocation", "suspension")],
    }


def sign(payload: dict, key: OKPKey, *, subject: str, not_before: datetime, expires: datetime) -> str:
    claims = {**payload, "iss": payload["issuer"]["id"] if isinstance(payload["issuer"], dict) else payload["issuer"],
              "sub": subject, "jti": payload["id"], "nbf": int(not_before.timestamp()), "exp": int(expires.timestamp())}
    header = {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": key.kid}
    with warnings.catch_warnings():
        # RFC 9864 prefers the fully specified "Ed25519"; Open Badges 3.0 and most verifiers expect "EdDSA".
        warnings.simplefilter("ignore", category=SecurityWarning)
        return jws.serialize_compact(header, json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode(), key,
                                     algorithms=["EdDSA"])


def okp_key(private_key, issuer: str) -> OKPKey:
    """The credential key as a JOSE key whose kid is `issuer`#thumbprint, as published in the JWKS
    and as the verification method of the issuer profile."""
    from cryptography.hazmat.primitives import serialization

    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    thumb = OKPKey.import_key(pem).thumbprint()
    return OKPKey.import_key(pem, {"kid": f"{issuer}#{thumb}"})


def encoded_list(indexes: Iterable[int]) -> str:
    """The spec's encodedList: the bitstring (index 0 is the most significant bit of the first byte),
    gzipped, base64url-encoded without padding, with the multibase prefix "u"."""
    bits = bytearray(LIST_BITS // 8)
    for index in indexes:
        if not 0 <= index < LIST_BITS:
            raise ValueError(f"a status list index is from 0 to {LIST_BITS - 1}, not {index}")
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()


def decode_list(encoded: str) -> bytes:
    data = encoded[1:] if encoded.startswith("u") else encoded
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def bit_is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(base_url: str, issuer_name: str, purpose: str, indexes: Iterable[int], now: datetime) -> dict:
    url = status_list_url(base_url, purpose)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer_id(base_url), "name": issuer_name},
        "validFrom": iso(now),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": purpose,
                              "encodedList": encoded_list(indexes)},
    }
