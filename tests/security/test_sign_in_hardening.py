"""Sign-in hardening beyond tests/accounts/test_sign_in.py: every form of off-site `next=` that a
browser would follow off the site is refused, and an unknown email costs the same password-hashing
work as a wrong password (no timing oracle that tells which emails have accounts)."""

import pytest

from app.accounts import passwords
from app.models import Role
from tests.conftest import PASSWORD

OFF_SITE = [
    "https://evil.example.com/",
    "//evil.example.com/x",
    "///evil.example.com",
    "/\\evil.example.com",  # browsers read a backslash as a slash: //evil.example.com
    "\\\\evil.example.com",
    "/\t/evil.example.com",  # browsers drop tabs and newlines from addresses
    "javascript:alert(1)",
    "http:/evil.example.com",
    " //evil.example.com",
    "evil.example.com",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_redirects_off_the_site(forms, user_with_role, target):
    user = user_with_role(Role.ADMINISTRATOR)
    response = forms.post("/account/sign-in", {"email": user.email, "password": PASSWORD}, page="/account/sign-in",
                          query_string={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/", target


@pytest.mark.parametrize("target", ["/admin/audit", "/admin/users?page=2", "/admin/audit#top"])
def test_sign_in_returns_to_a_page_on_the_site(forms, user_with_role, target):
    user = user_with_role(Role.ADMINISTRATOR)
    response = forms.post("/account/sign-in", {"email": user.email, "password": PASSWORD}, page="/account/sign-in",
                          query_string={"next": target})
    assert response.headers["Location"] == target


class CountingHasher:
    """Wraps the real argon2 hasher, counting the expensive operations."""

    def __init__(self, real):
        self.real, self.work = real, []

    def hash(self, password):
        self.work.append("hash")
        return self.real.hash(password)

    def verify(self, stored, password):
        self.work.append("verify")
        return self.real.verify(stored, password)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.mark.parametrize("who", ["unknown email", "wrong password", "invited, no password yet"])
def test_every_failed_sign_in_does_one_password_hash_of_the_same_cost(app, forms, user_with_role, monkeypatch, who):
    known = user_with_role(Role.ASSESSOR)
    invited = user_with_role(Role.ASSESSOR, password=None)
    email = {"unknown email": "nobody.here@example.org", "wrong password": known.email, "invited, no password yet": invited.email}[who]
    profile = app.config["PASSWORD_HASH_PROFILE"]
    counting = CountingHasher(passwords.hasher(profile))
    monkeypatch.setitem(passwords._PROFILES, profile, counting)
    response = forms.post("/account/sign-in", {"email": email, "password": "not-the-password-1"})
    assert response.status_code != 302 and "did not match an account" in response.get_data(as_text=True)
    assert len(counting.work) == 1, f"{who}: {counting.work}"  # one argon2 operation, with the same parameters
