"""The outbox: every message the service sends is written here first, in the same transaction
as the change that caused it, and delivered after the commit."""

from datetime import datetime
from enum import Enum

from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, enum_type, utcnow


class MessageStatus(str, Enum):
    QUEUED = "queued"  # waiting for delivery
    SENT = "sent"  # accepted by the SMTP server
    HELD = "held"  # no MAIL_SERVER configured: kept here and written to the log
    FAILED = "failed"  # the SMTP server refused it or could not be reached; retried later


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str
    status: MessageStatus = Field(default=MessageStatus.QUEUED, sa_type=enum_type(MessageStatus), index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=500)
