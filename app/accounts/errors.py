"""Domain errors raised by account services; views turn them into GOV.UK error messages."""

from datetime import datetime


class AccountError(Exception):
    """Base class: `field` names the form field the message belongs to, if any."""

    field: str | None = None

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SignInFailed(AccountError):
    field = "email"


class AccountLocked(AccountError):
    field = "email"

    def __init__(self, until: datetime):
        super().__init__(
            f"Your account is locked after too many failed sign-in attempts. "
            f"Try again after {until:%H:%M} UTC, or reset your password."
        )
        self.until = until


class LinkNotUsable(AccountError):
    """An invitation or reset link that is unknown, expired or already used."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class EmailInUse(AccountError):
    field = "email"

    def __init__(self, email: str):
        super().__init__(f"An account with the email address {email} already exists")


class RegistrationNumberInUse(AccountError):
    field = "swe_number"

    def __init__(self, number: str):
        super().__init__(f"An account with the registration number {number} already exists")


class NotPermitted(AccountError):
    pass
