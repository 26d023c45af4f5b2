"""Interchange with other assessment systems: QTI 3.0 content packages and Moodle XML.

Writers take checked bank content; readers return items as plain records with the problems found,
never half an import. Uploaded archives and XML are treated as hostile: sizes are bounded and XML
is parsed with defusedxml (no entities, no external references)."""

from dataclasses import dataclass, field


@dataclass
class ExternalItem:
    """An item read from another system's file, before it joins the bank as a draft."""

    source_id: str
    type: str
    stem: str
    options: list[dict]  # [{"text", "rationale"}]
    key: list[str]
    kss: str | None = None
    also_kss: list[str] = field(default_factory=list)
    tier: str | None = None
    kind: str = "general"
    scenario: str | None = None
    stage: str | None = None
    difficulty: str = "medium"
    references: list[str] = field(default_factory=list)


class InterchangeError(Exception):
    """The file cannot be read at all (broken archive or XML, too large)."""
