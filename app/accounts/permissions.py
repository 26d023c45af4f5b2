"""Who may do what. Every view is marked either @public (an explicit choice) or guarded by
@signed_in / @roles_required; create_app refuses to start if a view is neither."""

from functools import wraps

from flask import abort
from flask_login import current_user

from app.extensions import login_manager
from app.models import Role, User

PUBLIC = "public"
SIGNED_IN = "signed_in"


def public(view):
    """Mark a view as open to everyone, signed in or not."""
    view.access = PUBLIC
    return view


def signed_in(view):
    """Any signed-in user."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    guarded.access = SIGNED_IN
    return guarded


def roles_required(*roles: Role):
    """Signed-in users holding at least one of `roles`; others get 403."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        guarded.access = frozenset(roles)
        return guarded

    return decorate


def check_every_view_is_guarded(app) -> None:
    unguarded = [name for name, view in app.view_functions.items()
                 if name != "static" and not hasattr(view, "access")]
    if unguarded:
        raise RuntimeError(f"Views neither @public nor guarded: {', '.join(sorted(unguarded))}")


# Named predicates ---------------------------------------------------------------------------

def can_invite_candidates(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.EMPLOYER) and user.organisation_id is not None


def acting_user() -> User:
    """The signed-in user as a model instance (not Flask-Login's proxy), to hand to services."""
    return current_user._get_current_object()
