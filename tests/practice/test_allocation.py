import pytest

from app.practice.allocation import AllocationError, AssessorOption, choose_markers, why_not


def option(id, tiers=("practitioner",), org=None, capacity=4, load=0, conflicts=()):
    return AssessorOption(id, f"Assessor {id}", frozenset(tiers), org, capacity, load, frozenset(conflicts))


def choose(options, **kwargs):
    return [o.id for o in choose_markers(options, tier="practitioner", candidate_id=99, candidate_organisation_id=7, **kwargs)]


def test_the_two_lightest_eligible_assessors_are_chosen():
    options = [option(1, load=3), option(2, load=1), option(3, load=0), option(4, load=1, capacity=2)]
    assert choose(options) == [3, 2]  # 4 has load 1 of 2 (a half), 2 has 1 of 4


@pytest.mark.parametrize(("excluded", "reason"), [
    (option(1, tiers=("leader",)), "not trained to assess the practitioner tier"),
    (option(1, org=7), "works for the candidate's employer"),
    (option(1, conflicts=(99,)), "declared a conflict of interest"),
    (option(1, load=4), "at capacity (4 of 4 sittings)"),
])
def test_ineligible_assessors_are_never_chosen(excluded, reason):
    assert reason in why_not(excluded, tier="practitioner", candidate_id=99, candidate_organisation_id=7)
    assert choose([excluded, option(2), option(3)]) == [2, 3]


def test_too_few_eligible_assessors_is_a_clear_error():
    with pytest.raises(AllocationError, match=r"only 1 assessor\(s\) can mark this sitting \(2 needed\)"):
        choose([option(1), option(2, org=7)])


def test_exclusions_and_capacity_override():
    assert choose([option(1), option(2), option(3)], exclude=[1], needed=1) == [2]
    assert why_not(option(1, load=9), tier="practitioner", candidate_id=99, candidate_organisation_id=7, check_capacity=False) is None
