"""The password policy, table-driven."""

import pytest

from app.accounts.passwords import hash_password, password_problem, verify_password

SHORT = "Password must be 12 characters or more"
COMMON = "Password is too easy to guess because it is a commonly used password. Choose a different one, such as three random words"
PERSONAL = "Password must not be your name or email address"


@pytest.mark.parametrize(
    "password, problem",
    [
        ("", SHORT),
        ("elevenchars", SHORT),
        ("x" * 257, "Password must be 256 characters or fewer"),
        ("aaaaaaaaaaaaaaaa", "Password must not be the same few characters repeated"),
        ("abababababab", "Password must not be the same few characters repeated"),
        ("123qweasdzxc", COMMON),  # on the bundled list as it stands
        ("Password1234", COMMON),  # common word with digits on the end
        ("qwertyqwerty", COMMON),  # a common password repeated
        ("!!leavemealone", COMMON),  # symbols in front
        ("safeguarding2026", COMMON),  # a word this service's users are likely to choose
        ("jane.smith@example.org", PERSONAL),
        ("JaneSmith2026!", PERSONAL),
        ("correct horse battery staple", None),
        ("kettle ribbon lantern", None),
        ("Tr0ub4dor&3xyz", None),  # composition is never required, but allowed
        ("twelve chars", None),
    ],
)
def test_password_policy(password, problem):
    assert password_problem(password, email="jane.smith@example.org", name="Jane Smith") == problem


def test_hashes_are_argon2id_and_verify():
    hashed = hash_password("correct horse battery staple", profile="default")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery staple", profile="default")
    assert not verify_password(hashed, "Correct horse battery staple", profile="default")
    assert not verify_password(None, "anything", profile="default")
    assert not verify_password("not a hash", "anything", profile="default")
