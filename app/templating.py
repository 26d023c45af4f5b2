"""Jinja filters used across templates."""

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def format_datetime(value: datetime | None) -> str:
    """GOV.UK style, in UK time: 23 November 2026 at 2:05pm."""
    if value is None:
        return ""
    value = value.astimezone(LONDON)
    hour = value.strftime("%I").lstrip("0")
    return f"{value.day} {value:%B %Y} at {hour}:{value:%M}{value.strftime('%p').lower()}"


def format_date(value: datetime | None) -> str:
    return "" if value is None else f"{value.day} {value:%B %Y}"


def register_filters(app) -> None:
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
