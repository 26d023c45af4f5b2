"""Password hashing (argon2id) and the password policy.

Policy, after NCSC and NIST SP 800-63B: at least 12 characters, no composition rules, and not a
commonly used password (a bundled list of 30,000, also catching simple variations of them).
"""

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256

_PROFILES = {
    # argon2-cffi's defaults follow RFC 9106's second recommended option.
    "default": PasswordHasher(),
    # Tests only: the cheapest legal parameters, so the suite stays fast.
    "fast": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}


def hasher(profile: str) -> PasswordHasher:
    return _PROFILES[profile]


def hash_password(password: str, *, profile: str) -> str:
    return hasher(profile).hash(password)


def verify_password(password_hash: str | None, password: str, *, profile: str) -> bool:
    if not password_hash:
        return False
    try:
        return hasher(profile).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _variants(password: str) -> set[str]:
    """The password and the simple disguises people put on common ones."""
    lowered = password.lower()
    core = re.sub(r"[\W\d_]+$", "", lowered)  # "password1234!" -> "password"
    core = re.sub(r"^[\W\d_]+", "", core)
    variants = {lowered, core, re.sub(r"[\s_\-.]", "", lowered)}
    repeat = re.fullmatch(r"(.+?)\1+", lowered)  # "qwertyqwerty" -> "qwerty"
    if repeat:
        variants.add(repeat.group(1))
    return {variant for variant in variants if variant}


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """A sentence telling the user what is wrong with the password, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if len(set(password)) < 4:
        return "Password must not be the same few characters repeated"
    personal = {part for part in [email.lower(), email.lower().split("@")[0], name.lower().replace(" ", "")] if part}
    if _variants(password) & personal:
        return "Password must not be your name or email address"
    if _variants(password) & common_passwords():
        return "Password is too easy to guess because it is a commonly used password. Choose a different one, such as three random words"
    return None
