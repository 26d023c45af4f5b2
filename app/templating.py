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


def format_duration(seconds: int | float) -> str:
    """Time left in words, to the minute: "1 hour 5 minutes", "1 minute", "less than a minute"."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "less than a minute"
    hours, minutes = divmod(minutes, 60)
    parts = ([f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []) + \
            ([f"{minutes} minute{'s' if minutes != 1 else ''}"] if minutes else [])
    return " ".join(parts)


def format_number(value: float | None) -> str:
    """21 not 21.0; 20.5 stays 20.5."""
    if value is None:
        return ""
    return f"{value:g}" if value != int(value) else str(int(value))


def register_filters(app) -> None:
    app.jinja_env.filters["duration"] = format_duration
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
