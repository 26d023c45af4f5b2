"""The API's request and response bodies. These pydantic models validate every request and every
response, and SpecTree generates the OpenAPI 3.1 document from them, so the document cannot drift
from what the service does."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, RootModel, Tag

Status = Literal["valid", "expired", "suspended", "revoked", "superseded"]
RowStatus = Literal["valid", "expired", "suspended", "revoked", "superseded", "not_found", "error"]
TierCode = Literal["practitioner", "supervisor", "leader"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# 16 symbols of Crockford's base32 in groups of four, hyphens optional, case ignored (I, L and O
# read as 1, 1 and 0). The last symbol is a check character: an id of the right shape whose check
# does not match was mistyped, and is answered 422 mistyped-certificate-id.
_SYMBOL = "[0-9A-HJ-NP-TV-Za-hj-np-tv-z]"
CERTIFICATE_ID = f"^{_SYMBOL}{{4}}(-?{_SYMBOL}{{4}}){{3}}$"


NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL, and no real value contains one


class CertificateCheck(Strict):
    certificate_id: str = Field(pattern=CERTIFICATE_ID, description="The id printed on the certificate, such as 7KQ2-M9XD-4T0B-HN3F")
    surname: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$", description="The holder's surname, as on the certificate")


class RegistrationCheck(Strict):
    registration_number: str = Field(min_length=1, max_length=20, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$",
                                     description="Social Work England registration number, such as SW123456")


# Which of the two a body is: by its keys, so that errors name the fields of that one only.
UNION_TAGS = ("by_certificate_id", "by_registration_number")


def _which(value) -> str:
    by_number = isinstance(value, dict) and "registration_number" in value and "certificate_id" not in value
    return UNION_TAGS[1] if by_number else UNION_TAGS[0]


class VerificationRequest(RootModel[Annotated[Annotated[CertificateCheck, Tag(UNION_TAGS[0])] | Annotated[RegistrationCheck, Tag(UNION_TAGS[1])],
                                              Discriminator(_which)]]):
    """Either a certificate id with the holder's surname, or a Social Work England registration number."""


class BatchItem(Strict):
    """One check in a batch. Every field is optional here so that a malformed item gets its own
    message in the results instead of refusing the whole batch."""

    # Absent is allowed (the default is never validated); an explicit null is not a string and is refused.
    certificate_id: str = Field(default=None, max_length=40, pattern=NO_NUL, description="The id printed on the certificate")
    surname: str = Field(default=None, max_length=200, pattern=NO_NUL, description="The holder's surname")
    registration_number: str = Field(default=None, max_length=20, pattern=NO_NUL, description="Social Work England registration number")


class BatchRequest(Strict):
    items: list[BatchItem] = Field(min_length=1, max_length=1000, description="Up to 1,000 checks")


class CertificateStatus(BaseModel):
    certificate_id: str
    holder_name: str
    registration_number: str | None
    tier: str = Field(description="The tier of accreditation, by name")
    tier_code: str
    status: Status
    issued_on: date
    valid_until: date
    status_changed_at: datetime | None = Field(description="When it was suspended, revoked or superseded, if it was")
    issued_by: str


class Verification(BaseModel):
    certificate: CertificateStatus
    checked_at: datetime


class BatchResult(BaseModel):
    index: int = Field(description="The item's position in the request, from 0")
    status: RowStatus
    message: str
    certificate: CertificateStatus | None


class BatchResponse(BaseModel):
    checked_at: datetime
    counts: dict[str, int] = Field(description="How many items had each status")
    results: list[BatchResult]


class AccreditationQuery(Strict):
    status: Status = Field(default=None, description="Only certificates with this status now")
    tier: TierCode = Field(default=None, description="Only this tier")


class ExpiringQuery(Strict):
    within_days: int = Field(default=90, ge=1, le=1096, description="Valid certificates ending within this many days")


class Accreditation(CertificateStatus):
    days_left: int | None = Field(description="Days until it ends, for a valid certificate")


class AccreditationList(BaseModel):
    organisation: str
    as_of: datetime
    count: int
    accreditations: list[Accreditation]


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(description="A URI for the kind of problem; about:blank for a plain HTTP error")
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None
