"""Demo standard setting for `make run`: one closed panel per tier, run through the real services,
with three demo panellists whose ratings follow each item's authored difficulty. Demo data only:
a real cut score comes from a real panel."""

import hashlib

from sqlmodel import Session, select

from app.models import Role, RoleMembership, Tier, User
from app.standards import services

BASE = {"easy": 0.75, "medium": 0.6, "hard": 0.45}
LEANINGS = (-0.05, 0.0, 0.05)  # one panellist a little harsher, one a little more lenient


def demo_rating(item_code: str, difficulty: str, panellist: int) -> float:
    """A plausible rating, the same on every run: the difficulty's base, the panellist's leaning,
    and a small per-item variation (so forms get different cut scores)."""
    jitter = (int(hashlib.sha256(item_code.encode()).hexdigest()[:4], 16) % 11 - 5) / 100
    return round(min(0.95, max(0.05, BASE.get(difficulty, 0.6) + LEANINGS[panellist % len(LEANINGS)] + jitter)), 2)


def seed_demo_standards(session: Session, *, admin: User) -> int:
    """Run a demo panel for every tier whose live items have no agreed ratings yet; returns how many ran."""
    panellists = session.exec(select(User).join(RoleMembership, RoleMembership.user_id == User.id)
                              .where(RoleMembership.role.in_([Role.ASSESSOR, Role.MODERATOR])).distinct().order_by(User.id)).all()
    ran = 0
    for tier in session.exec(select(Tier).order_by(Tier.position)):
        rated, eligible = services.coverage(session, tier)
        if eligible == 0 or rated == eligible or services.open_panel_for(session, tier) is not None:
            continue
        panel = services.open_panel(session, actor=admin, tier=tier, title=f"Demo panel: {tier.name.lower()}",
                                    panellists=panellists[:3])
        for n, person in enumerate(panellists[:3]):
            services.rate(session, panel=panel, panellist=person, ratings={
                item.item_version_id: demo_rating(item.version.item.code, item.version.difficulty, n) for item in panel.items})
        services.agree_means(session, panel=panel, actor=admin)
        services.close_panel(session, panel=panel, actor=admin)
        ran += 1
    return ran


__all__ = ["demo_rating", "seed_demo_standards"]
