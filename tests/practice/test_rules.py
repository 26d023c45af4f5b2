"""The pure rules of observed-practice marking, table-driven."""

import pytest

from app.practice.rules import (
    AREA_TO_DEVELOP,
    MEETS,
    STRENGTH,
    StationRule,
    compare_markers,
    practice_profile,
    practice_result,
    station_result,
)


@pytest.mark.parametrize(("marks", "passed", "below"), [
    ({"a": 4, "b": 4, "c": 4}, True, ()),
    ({"a": 3, "b": 5, "c": 4}, True, ()),  # a 3 is allowed when the mean reaches 4
    ({"a": 3, "b": 4, "c": 4}, False, ()),  # mean 3.67
    ({"a": 2, "b": 7, "c": 7}, False, ("a",)),  # a 2 fails the station whatever the mean
    ({"a": 3.5, "b": 4.5}, True, ()),  # agreed half marks
])
def test_station_rule(marks, passed, below):
    result = station_result("s", marks)
    assert (result.passed, result.below_lowest) == (passed, below)


def test_a_stricter_rule_is_configurable():
    assert not station_result("s", {"a": 3, "b": 5, "c": 4}, StationRule(lowest_allowed=4)).passed
    with pytest.raises(ValueError):
        StationRule(lowest_allowed=0)


@pytest.mark.parametrize("score", [0, 8, 4.5, True, float("nan"), "4"])
def test_a_marker_mark_is_a_whole_number_from_1_to_7(score):
    with pytest.raises(ValueError):
        compare_markers({("s", "a"): score}, {("s", "a"): 4})


def test_practice_passes_only_when_every_station_passes():
    passed, stations = practice_result({("s1", "a"): 5, ("s1", "b"): 5, ("s2", "a"): 2, ("s2", "b"): 6})
    assert not passed and [s.passed for s in stations] == [True, False]
    assert practice_result({})[0] is False


def marks(*scores):
    return {("s1", f"c{i}"): score for i, score in enumerate(scores)}


@pytest.mark.parametrize(("first", "second", "agree", "far", "split"), [
    (marks(4, 5, 6), marks(5, 5, 5), True, (), ()),  # within one point everywhere, same decision
    (marks(4, 5, 6), marks(6, 5, 6), False, (("s1", "c0"),), ()),  # 2 apart on one criterion
    (marks(4, 4, 4), marks(3, 4, 4), False, (), ("s1",)),  # one point apart but one passes, one fails
])
def test_comparing_two_markers(first, second, agree, far, split):
    result = compare_markers(first, second)
    assert (result.agree, result.far_apart, result.split_stations) == (agree, far, split)
    if agree:
        assert result.agreed == {key: (first[key] + second[key]) / 2 for key in first}
    else:
        assert result.agreed is None


def test_markers_must_mark_the_same_criteria():
    with pytest.raises(ValueError):
        compare_markers(marks(4, 4), marks(4, 4, 4))


def test_practice_profile_labels_statements_with_enough_criteria():
    agreed = {("s1", "a"): 6, ("s1", "b"): 5.5, ("s2", "a"): 3, ("s2", "b"): 2.5, ("s3", "a"): 4.5, ("s3", "b"): 4, ("s4", "a"): 7}
    kss = {("s1", "a"): ["P1"], ("s1", "b"): ["P1", "P2"], ("s2", "a"): ["P3"], ("s2", "b"): ["P3"], ("s3", "a"): ["P2"],
           ("s3", "b"): ["P10"], ("s4", "a"): ["P10"]}
    profile = {p.code: (p.mean, p.criteria, p.label) for p in practice_profile(agreed, kss)}
    assert profile == {"P1": (5.75, 2, STRENGTH), "P2": (5.0, 2, MEETS), "P3": (2.75, 2, AREA_TO_DEVELOP), "P10": (5.5, 2, STRENGTH)}
    assert [p.code for p in practice_profile(agreed, kss)] == ["P1", "P2", "P3", "P10"]
    single = practice_profile({("s", "a"): 7}, {("s", "a"): ["P4"]})
    assert single[0].label is None
