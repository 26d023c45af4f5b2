"""What a knowledge-assessment form must contain, per tier. Pure data.

Defaults follow the national scheme: 60 minutes, 30 items, 18 general + 12 applied.

- Practitioners: 18 general items on practitioner statements, 12 applied items on one or two case
  scenarios, every practitioner statement (P1-P10) on the form at least once.
- Practice supervisors: as nationally, 18 general items on practitioner statements (a supervisor
  must still know what they supervise) and 12 applied items on supervisor statements, set in
  supervision situations and short passages, covering S1-S8.
- Practice leaders (designed but never run nationally; our equivalent): 18 general items on
  supervisor statements, because a leader is accountable for the supervision system beneath them,
  and 12 applied items on leader statements set in service-level situations (a serious incident,
  an inspection, a budget, a partnership), covering L1-L6. Two scenarios of six items each let a
  form cover all six leader statements while keeping each situation deep enough to test judgement.

The pass mark is provisional: 60% of the marks on the form until a standard-setting panel gives
each form its own cut score.

Administrators can change these (stored in the database by the exams work); the assembler takes
whatever blueprint it is given.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Blueprint:
    tier: str
    general_from: str  # the tier whose statements the general items come from
    time_limit_minutes: int = 60
    general: int = 18
    applied: int = 12
    max_scenarios: int = 2  # applied items come from at most this many scenarios
    minimum_per_statement: dict[str, int] = field(default_factory=dict)  # statement code -> items at least
    # How multiple response items are scored (app.scoring.MULTIPLE_RESPONSE_RULES), and an optional
    # minimum percentage on every statement for a pass (off by default). The cut score itself
    # comes from standard setting: the sum of a form's agreed Angoff ratings.
    multiple_response_rule: str = "all_or_nothing"
    statement_minimum_percent: int | None = None

    @property
    def items(self) -> int:
        return self.general + self.applied


def default_blueprints(statements_by_tier: dict[str, list[str]]) -> dict[str, Blueprint]:
    """The national-scheme defaults, given each tier's statement codes (which live in data)."""
    every = lambda tier: {code: 1 for code in statements_by_tier.get(tier, [])}  # noqa: E731
    return {
        "practitioner": Blueprint("practitioner", "practitioner", max_scenarios=2, minimum_per_statement=every("practitioner")),
        "supervisor": Blueprint("supervisor", "practitioner", max_scenarios=3, minimum_per_statement=every("supervisor")),
        "leader": Blueprint("leader", "supervisor", max_scenarios=2, minimum_per_statement=every("leader")),
    }
