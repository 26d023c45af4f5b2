"""Choosing a sitting's two independent assessors. Pure.

An assessor can mark a sitting when they are trained for its tier, do not work for the candidate's
employer, have declared no conflict with the candidate, and are below their capacity (sittings they
are marking now). Among those, the two with the lightest load (as a share of capacity, then fewest
sittings, then lowest id, so the choice is deterministic) are chosen, which balances workload.
An administrator may override a choice with a reason; the rules about the tier, the employer and
conflicts still hold (capacity alone may be exceeded by an override).
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class AssessorOption:
    id: int
    name: str
    tiers: frozenset[str]
    organisation_id: int | None
    capacity: int
    load: int  # sittings being marked now
    conflicts: frozenset[int] = frozenset()  # candidate ids declared as conflicts


class AllocationError(ValueError):
    pass


def why_not(option: AssessorOption, *, tier: str, candidate_id: int, candidate_organisation_id: int | None,
            check_capacity: bool = True) -> str | None:
    """Why this assessor cannot mark the sitting, or None when they can."""
    if option.id == candidate_id:
        return f"{option.name} is the candidate"  # an assessor may also be a candidate, for this tier or another
    if tier not in option.tiers:
        return f"{option.name} is not trained to assess the {tier} tier"
    if candidate_organisation_id is not None and option.organisation_id == candidate_organisation_id:
        return f"{option.name} works for the candidate's employer"
    if candidate_id in option.conflicts:
        return f"{option.name} has declared a conflict of interest with this candidate"
    if check_capacity and option.load >= option.capacity:
        return f"{option.name} is at capacity ({option.load} of {option.capacity} sittings)"
    return None


def choose_markers(options: Iterable[AssessorOption], *, tier: str, candidate_id: int, candidate_organisation_id: int | None,
                   needed: int = 2, exclude: Iterable[int] = ()) -> list[AssessorOption]:
    """The `needed` eligible assessors with the lightest load, lightest first."""
    excluded = set(exclude)
    eligible = [o for o in options if o.id not in excluded and why_not(
        o, tier=tier, candidate_id=candidate_id, candidate_organisation_id=candidate_organisation_id) is None]
    if len(eligible) < needed:
        raise AllocationError(f"only {len(eligible)} assessor(s) can mark this sitting ({needed} needed): trained for the "
                              f"{tier} tier, not from the candidate's employer, no declared conflict and below capacity")
    eligible.sort(key=lambda o: (o.load / o.capacity if o.capacity else float("inf"), o.load, o.id))
    return eligible[:needed]
