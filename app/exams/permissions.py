"""Who may endorse whom."""

from app.models import Role, User


def can_endorse(actor: User, candidate: User) -> bool:
    """Employer staff endorse candidates of their own organisation."""
    return (actor.has_role(Role.EMPLOYER) and actor.organisation_id is not None
            and candidate.organisation_id == actor.organisation_id and candidate.has_role(Role.CANDIDATE))
