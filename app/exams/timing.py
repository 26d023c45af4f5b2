"""Time allowed for a sitting. Pure."""

import math


def minutes_allowed(time_limit_minutes: int, extra_time_percent: int = 0) -> int:
    """The blueprint's time limit plus approved extra time, rounded up to a whole minute.
    Rest breaks are not added here: they pause the clock while they are taken."""
    if time_limit_minutes <= 0 or not 0 <= extra_time_percent <= 100:
        raise ValueError("time limit must be positive and extra time between 0% and 100%")
    return math.ceil(time_limit_minutes * (100 + extra_time_percent) / 100)
