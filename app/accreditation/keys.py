"""The issuer's keys: an issuing certificate chain for PAdES signatures on certificate PDFs (a root
and a signing certificate, ECDSA P-256) and an Ed25519 key for the Verifiable Credentials (VC-JWT).

`flask --app wsgi keys init` creates any that are missing in KEYS_DIR (default instance/keys/) (private keys readable
by the owner only); production points the configuration (SIGNING_KEY_FILE, SIGNING_CERT_FILE,
SIGNING_CHAIN_FILE, CREDENTIAL_KEY_FILE) at its own files. Private keys are read only here, never
logged, and never leave the server: only public keys and certificates are published.
"""

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KEY_FILES = {
    "SIGNING_KEY_FILE": "signing.key.pem",
    "SIGNING_CERT_FILE": "signing.cert.pem",
    "SIGNING_CHAIN_FILE": "root.cert.pem",
    "CREDENTIAL_KEY_FILE": "credential-ed25519.key.pem",
}
ROOT_KEY_FILE = "root.key.pem"


def default_paths(keys_dir: str | Path) -> dict[str, Path]:
    return {name: Path(keys_dir) / filename for name, filename in KEY_FILES.items()}


def _write_private(path: Path, key) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _name(common_name: str, organisation: str) -> x509.Name:
    # X.520 caps both at 64 characters
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])


def init_keys(keys_dir: str | Path, *, issuer: str, now: datetime | None = None) -> list[str]:
    """Create the keys and certificates that are missing in `keys_dir`; returns the names of the files created."""
    now = now or datetime.now(UTC)
    paths = default_paths(keys_dir)
    base = paths["SIGNING_KEY_FILE"].parent
    created = []
    root_key_path, root_cert_path = base / ROOT_KEY_FILE, paths["SIGNING_CHAIN_FILE"]
    if not (root_key_path.exists() and root_cert_path.exists()):
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_name = _name(f"{issuer} Root CA", issuer)
        root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name).public_key(root_key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
                .not_valid_after(now + timedelta(days=365 * 20))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                             encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
                .sign(root_key, hashes.SHA256()))
        _write_private(root_key_path, root_key)
        root_cert_path.write_bytes(root.public_bytes(serialization.Encoding.PEM))
        created += [root_key_path.name, root_cert_path.name]
        for name in ("SIGNING_KEY_FILE", "SIGNING_CERT_FILE"):  # a new root needs a new signing certificate
            paths[name].unlink(missing_ok=True)
    if not (paths["SIGNING_KEY_FILE"].exists() and paths["SIGNING_CERT_FILE"].exists()):
        root_key = serialization.load_pem_private_key(root_key_path.read_bytes(), password=None)
        root = x509.load_pem_x509_certificate(root_cert_path.read_bytes())
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name(f"{issuer}: signing", issuer)).issuer_name(root.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=365 * 5))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                             encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")]),
                               critical=False)  # document signing (Microsoft's OID, which PDF readers look for)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
                .sign(root_key, hashes.SHA256()))
        _write_private(paths["SIGNING_KEY_FILE"], key)
        paths["SIGNING_CERT_FILE"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        created += [paths["SIGNING_KEY_FILE"].name, paths["SIGNING_CERT_FILE"].name]
    if not paths["CREDENTIAL_KEY_FILE"].exists():
        _write_private(paths["CREDENTIAL_KEY_FILE"], ed25519.Ed25519PrivateKey.generate())
        created.append(paths["CREDENTIAL_KEY_FILE"].name)
    return created


@dataclass(frozen=True)
class IssuerKeys:
    signing_key_file: Path
    signing_cert_file: Path
    chain_file: Path
    credential_key: ed25519.Ed25519PrivateKey

    @property
    def root_certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.chain_file.read_bytes())

    def public_jwk(self, issuer: str) -> dict:
        """The public key as a JWK whose kid is a URI that resolves to it: the issuer profile's id,
        then the RFC 7638 thumbprint as the fragment (Open Badges 3.0 asks for a dereferenceable kid)."""
        raw = self.credential_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}
        return {**jwk, "kid": f"{issuer}#{thumbprint(jwk)}", "alg": "EdDSA", "use": "sig"}


def thumbprint(jwk: dict) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of an OKP key."""
    canonical = json.dumps({"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _key_paths(config) -> dict[str, Path]:
    return {name: Path(config.get(name) or default) for name, default in default_paths(config["KEYS_DIR"]).items()}


def missing_keys(config) -> list[str]:
    """The issuer key files that are not there (empty when all are)."""
    return [str(p) for p in _key_paths(config).values() if not p.exists()]


def load_keys(config) -> IssuerKeys:
    paths = _key_paths(config)
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        raise FileNotFoundError(f"issuer keys missing ({', '.join(missing)}): run flask --app wsgi keys init")
    credential = serialization.load_pem_private_key(paths["CREDENTIAL_KEY_FILE"].read_bytes(), password=None)
    if not isinstance(credential, ed25519.Ed25519PrivateKey):
        raise ValueError(f"{paths['CREDENTIAL_KEY_FILE']} is not an Ed25519 key")
    return IssuerKeys(paths["SIGNING_KEY_FILE"], paths["SIGNING_CERT_FILE"], paths["SIGNING_CHAIN_FILE"], credential)
