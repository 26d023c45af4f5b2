"""Accreditation rules, table-driven."""

from datetime import UTC, datetime

import pytest

from app.accreditation.rules import (
    ACCREDITED,
    KNOWLEDGE,
    NOT_YET,
    PRACTICE,
    ComponentResult,
    Policy,
    add_months,
    appeal_open,
    decide,
    expires_at,
    reminders_due,
    resit_check,
)


def at(y, m, d):
    return datetime(y, m, d, 12, tzinfo=UTC)


NOW = at(2027, 6, 1)
K_PASS = ComponentResult(KNOWLEDGE, True, at(2027, 3, 1))
P_PASS = ComponentResult(PRACTICE, True, at(2027, 5, 1))
K_OLD_PASS = ComponentResult(KNOWLEDGE, True, at(2026, 5, 1))  # more than 12 months ago
P_FAIL = ComponentResult(PRACTICE, False, at(2027, 5, 1))


@pytest.mark.parametrize(("endorsed", "results", "outcome", "needed"), [
    (True, [K_PASS, P_PASS], ACCREDITED, ()),
    (False, [K_PASS, P_PASS], NOT_YET, ("endorsement",)),
    (True, [K_PASS, P_FAIL], NOT_YET, (PRACTICE,)),
    (True, [K_OLD_PASS, P_PASS], NOT_YET, (KNOWLEDGE,)),  # the knowledge pass has lapsed
    (True, [], NOT_YET, (KNOWLEDGE, PRACTICE)),
    (True, [K_PASS, ComponentResult(PRACTICE, True, at(2027, 5, 1), voided=True)], NOT_YET, (PRACTICE,)),
    (True, [K_PASS, P_FAIL, ComponentResult(PRACTICE, True, at(2027, 5, 20))], ACCREDITED, ()),  # passed on resit
])
def test_decisions(endorsed, results, outcome, needed):
    decision = decide(endorsed=endorsed, results=results, now=NOW)
    assert (decision.outcome, decision.still_needed) == (outcome, needed)


@pytest.mark.parametrize(("results", "component", "allowed", "text"), [
    ([P_FAIL], PRACTICE, False, "from 01 August 2027"),  # 3 months after the failed result
    ([ComponentResult(PRACTICE, False, at(2027, 1, 1))], PRACTICE, True, None),
    ([K_PASS], KNOWLEDGE, False, "do not need to sit it again"),
    ([K_OLD_PASS], KNOWLEDGE, True, None),
    ([ComponentResult(PRACTICE, False, at(2027, 5, 1), voided=True)], PRACTICE, True, None),  # a void is no attempt
])
def test_resits(results, component, allowed, text):
    check = resit_check(results, component, NOW)
    assert check.allowed is allowed
    if text:
        assert text in check.reason


def test_resit_interval_is_configurable():
    assert resit_check([P_FAIL], PRACTICE, NOW, Policy(resit_interval_months=0)).allowed


@pytest.mark.parametrize(("moment", "months", "expected"), [
    (at(2027, 1, 31), 1, at(2027, 2, 28)), (at(2028, 1, 31), 1, at(2028, 2, 29)), (at(2027, 11, 15), 3, at(2028, 2, 15)),
    (at(2027, 3, 1), 36, at(2030, 3, 1)),
])
def test_add_months_clamps(moment, months, expected):
    assert add_months(moment, months) == expected


def test_appeals_close_after_28_days():
    released = at(2027, 5, 1)
    assert appeal_open(released, at(2027, 5, 29), Policy())
    assert not appeal_open(released, at(2027, 5, 30), Policy())
    assert appeal_open(released, at(2027, 6, 20), Policy(appeal_days=60))


def test_validity_and_reminders():
    expiry = expires_at(at(2027, 6, 1))
    assert expiry == at(2030, 6, 1)
    assert reminders_due(expiry, at(2030, 2, 1), []) == ()
    assert reminders_due(expiry, at(2030, 3, 5), []) == (90,)
    assert reminders_due(expiry, at(2030, 3, 5), [90]) == ()
    assert reminders_due(expiry, at(2030, 5, 10), [90]) == (30,)
    assert reminders_due(expiry, at(2030, 5, 10), []) == (30,)  # both due: only the nearer one
    assert reminders_due(expiry, at(2030, 6, 2), []) == ()


def test_policies_are_checked():
    with pytest.raises(ValueError):
        Policy(validity_years=0)
    with pytest.raises(ValueError):
        ComponentResult("both", True, NOW)
