"""Accreditation decisions, resits, appeals and validity. Pure: plain values in, plain values out.

**Decision.** A candidate is **accredited** at a tier when they hold a current endorsement for it, a
current pass of the knowledge component and a current pass of the practice component. Otherwise they
are **not yet accredited**, and the decision says which parts they have and which they still need.

**Keeping a pass.** A component's pass stays current for `pass_valid_months` (default 12) after its
result was released, so a candidate who passed one component resits only the other within that time.
A result voided on appeal counts neither as a pass nor as an attempt.

**Resits.** A candidate may resit a component no sooner than `resit_interval_months` (default 3) after
the release of their last unsuccessful attempt at it.

**Appeals.** A candidate may appeal a component's result for `appeal_days` (default 28) after it was
released.

**Validity.** Accreditation lasts `validity_years` (default 3) from issue; reminders go out
`reminder_days` (90 and 30) days before it expires.

Month arithmetic clamps to the month's last day: 31 January + 1 month is 28 (or 29) February.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

KNOWLEDGE, PRACTICE = "knowledge", "practice"
COMPONENTS = (KNOWLEDGE, PRACTICE)
ACCREDITED, NOT_YET = "accredited", "not_yet_accredited"


@dataclass(frozen=True)
class Policy:
    pass_valid_months: int = 12
    resit_interval_months: int = 3
    appeal_days: int = 28
    validity_years: int = 3
    reminder_days: tuple[int, ...] = (90, 30)

    def __post_init__(self):
        for name, low, high in (("pass_valid_months", 1, 60), ("resit_interval_months", 0, 24), ("appeal_days", 1, 365),
                                ("validity_years", 1, 10)):
            value = getattr(self, name)
            if not low <= value <= high:
                raise ValueError(f"{name} is from {low} to {high}, not {value}")
        if any(not 1 <= d <= 365 for d in self.reminder_days):
            raise ValueError("reminders are 1 to 365 days before expiry")


@dataclass(frozen=True)
class ComponentResult:
    component: str  # KNOWLEDGE or PRACTICE
    passed: bool
    released_at: datetime
    voided: bool = False  # voided on appeal: neither a pass nor an attempt

    def __post_init__(self):
        if self.component not in COMPONENTS:
            raise ValueError(f"a component is {' or '.join(COMPONENTS)}, not {self.component!r}")


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def current_pass(results: Iterable[ComponentResult], component: str, now: datetime, policy: Policy = Policy()) -> ComponentResult | None:
    """The latest pass of `component` still within its validity, if any."""
    passes = [r for r in results if r.component == component and r.passed and not r.voided
              and r.released_at <= now < add_months(r.released_at, policy.pass_valid_months)]
    return max(passes, key=lambda r: r.released_at, default=None)


@dataclass(frozen=True)
class Decision:
    outcome: str  # ACCREDITED or NOT_YET
    endorsed: bool
    knowledge: ComponentResult | None  # the current pass, if any
    practice: ComponentResult | None
    still_needed: tuple[str, ...]  # "endorsement", KNOWLEDGE, PRACTICE

    @property
    def accredited(self) -> bool:
        return self.outcome == ACCREDITED

    @property
    def passed_components(self) -> tuple[str, ...]:
        return tuple(c for c, r in ((KNOWLEDGE, self.knowledge), (PRACTICE, self.practice)) if r is not None)


def decide(*, endorsed: bool, results: Iterable[ComponentResult], now: datetime, policy: Policy = Policy()) -> Decision:
    results = list(results)
    knowledge = current_pass(results, KNOWLEDGE, now, policy)
    practice = current_pass(results, PRACTICE, now, policy)
    needed = tuple(name for name, ok in (("endorsement", endorsed), (KNOWLEDGE, knowledge), (PRACTICE, practice)) if not ok)
    return Decision(NOT_YET if needed else ACCREDITED, endorsed, knowledge, practice, needed)


@dataclass(frozen=True)
class ResitCheck:
    allowed: bool
    reason: str | None
    earliest: datetime | None  # when a resit becomes possible, if it is not yet


def resit_check(results: Iterable[ComponentResult], component: str, now: datetime, policy: Policy = Policy()) -> ResitCheck:
    """Whether the candidate may sit `component` now: not while a pass of it is current, and not
    within the resit interval after their last unsuccessful attempt at it."""
    results = [r for r in results if r.component == component and not r.voided]
    held = current_pass(results, component, now, policy)
    if held is not None:
        until = add_months(held.released_at, policy.pass_valid_months)
        return ResitCheck(False, f"You passed the {component} component on {held.released_at:%d %B %Y}; the pass counts until "
                                 f"{until:%d %B %Y}, so you do not need to sit it again", None)
    fails = [r for r in results if not r.passed]
    if fails:
        last = max(fails, key=lambda r: r.released_at)
        earliest = add_months(last.released_at, policy.resit_interval_months)
        if now < earliest:
            return ResitCheck(False, f"You can resit the {component} component from {earliest:%d %B %Y}, "
                                     f"{policy.resit_interval_months} months after your last result", earliest)
    return ResitCheck(True, None, None)


def appeal_deadline(released_at: datetime, policy: Policy = Policy()) -> datetime:
    return released_at + timedelta(days=policy.appeal_days)


def appeal_open(released_at: datetime, now: datetime, policy: Policy = Policy()) -> bool:
    return released_at <= now <= appeal_deadline(released_at, policy)


def expires_at(issued_at: datetime, policy: Policy = Policy()) -> datetime:
    return add_months(issued_at, 12 * policy.validity_years)


def reminders_due(expiry: datetime, now: datetime, already_sent: Iterable[int], policy: Policy = Policy()) -> tuple[int, ...]:
    """Which reminders (days before expiry) are due now and not yet sent; the nearest first. A
    reminder missed (for example while the service was down) is still sent, unless a nearer one is
    also due, so nobody gets two on the same day."""
    if now >= expiry:
        return ()
    sent = set(already_sent)
    due = sorted((d for d in policy.reminder_days if now >= expiry - timedelta(days=d) and d not in sent))
    return tuple(due[:1])
