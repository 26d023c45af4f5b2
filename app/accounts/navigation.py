"""Where each role's home is, and the navigation a signed-in user sees."""

from flask import request, url_for

from app.models import Role, User

# (role, home endpoint, navigation label), in the order a person holding several roles sees them.
ROLE_HOMES = [
    (Role.ADMINISTRATOR, "admin.home", "Administration"),
    (Role.EMPLOYER, "employers.home", "Your organisation"),
    (Role.MODERATOR, "home.moderator", "Moderation"),
    (Role.ASSESSOR, "home.assessor", "Marking"),
    (Role.CANDIDATE, "home.candidate", "Your accreditation"),
]


def home_endpoint(user: User) -> str:
    for role, endpoint, _label in ROLE_HOMES:
        if user.has_role(role):
            return endpoint
    return "accounts.account"


def navigation_for(user) -> list[dict]:
    """Service navigation items for the GOV.UK service navigation component."""
    if not user.is_authenticated:
        return []
    current_blueprint = request.blueprint
    items = []
    for role, endpoint, label in ROLE_HOMES:
        if user.has_role(role):
            blueprint = endpoint.split(".")[0]
            active = request.endpoint == endpoint or (blueprint != "home" and current_blueprint == blueprint)
            items.append({"href": url_for(endpoint), "text": label, "active": active})
    items.append({"href": url_for("accounts.account"), "text": "Your account",
                  "active": request.endpoint == "accounts.account"})
    return items
