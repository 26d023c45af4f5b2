"""The one shape every benchmark reports in, so that benchmarks/run_all.py can put them in one table.

Each script's `run(args) -> list[Row]` returns these; `markdown_table` renders them (the table pasted into
the README) and `Row.data` keeps the raw numbers for the JSON file.
"""

from dataclasses import asdict, dataclass, field

COLUMNS = ("measurement", "database", "result", "p99", "bare Flask (same run)", "ratio", "target", "met?")
IN_PROCESS = "none (in-process)"
NO_BARE = "n/a (in-process)"


@dataclass
class Row:
    measurement: str
    database: str  # "SQLite", "PostgreSQL 15", or IN_PROCESS
    result: str
    p99: str
    bare: str  # the bare Flask endpoint measured the same way in the same run, or what stands in for it
    ratio: str  # the measurement's rate / the baseline's rate, or "n/a"
    target: str
    met: str  # "yes", "no", "no target", or a qualified answer ("p99 yes, total no")
    data: dict = field(default_factory=dict)  # raw numbers (seconds, counts, rates) for the JSON file

    def cells(self):
        return (self.measurement, self.database, self.result, self.p99, self.bare, self.ratio, self.target, self.met)

    def as_dict(self):
        return asdict(self)


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def ratio(value, baseline):
    return f"{value / baseline:.2f}" if baseline else "n/a"


def yes_no(met: bool) -> str:
    return "yes" if met else "**no**"


def markdown_table(rows) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(str(cell).replace("|", "\\|") for cell in row.cells()) + " |")
    return "\n".join(lines)


def failed_row(measurement: str, database: str, error: BaseException) -> Row:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return Row(measurement, database, f"failed: {text[:200]}", "-", "-", "-", "-", "**no** (did not run)",
               data={"error": f"{type(error).__name__}: {error}"})
