"""Standard setting (modified Angoff): open a panel, rate in rounds, agree, close.
Keyword-only, take the session, never commit. The arithmetic is in app.scoring.standard_setting.

A panel rates the live items that can appear on its tier's forms (general items from the
blueprint's general tier, applied items from the tier itself), as fixed when it opens. Ratings
are per round: round 1 is independent; after the panel discusses the spread, the administrator
starts round 2 and panellists may change their ratings. The agreed rating per item is the mean of
its final-round ratings unless the administrator records another value with a reason.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.accounts.errors import AccountError
from app.audit import record_event
from app.exams.blueprint_settings import blueprint_for
from app.models import (
    AgreedRating,
    AngoffRating,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    Booking,
    BookingStatus,
    Item,
    ItemStatus,
    ItemVersion,
    PanelItem,
    PanelMember,
    PanelStatus,
    Role,
    StandardSettingPanel,
    Tier,
    User,
)
from app.models.types import utcnow
from app.scoring import MIN_RATINGS, Spread, proposed_rating, spread


class PanelRefused(AccountError):
    """Something that cannot be done to a panel now; the message says why."""


def eligible_versions(session: Session, tier: Tier) -> list[ItemVersion]:
    """Current versions of the live items that can appear on the tier's forms, by item code."""
    blueprint = blueprint_for(session, tier)
    codes = {t.code: t.id for t in session.exec(select(Tier))}
    rows = session.exec(select(Item).where(Item.status == ItemStatus.LIVE).order_by(Item.code))
    return [item.current for item in rows
            if (item.current.kind == "general" and item.tier_id == codes.get(blueprint.general_from))
            or (item.current.kind == "applied" and item.tier_id == tier.id)]


def coverage(session: Session, tier: Tier) -> tuple[int, int]:
    """(eligible live items with an agreed rating for the tier, eligible live items)."""
    eligible = {v.id for v in eligible_versions(session, tier)}
    agreed = set(session.exec(select(AgreedRating.item_version_id).where(AgreedRating.tier_id == tier.id)))
    return len(eligible & agreed), len(eligible)


def open_panel_for(session: Session, tier: Tier) -> StandardSettingPanel | None:
    return session.exec(select(StandardSettingPanel).where(StandardSettingPanel.tier_id == tier.id,
                                                           StandardSettingPanel.status == PanelStatus.OPEN)).first()


def open_panel(session: Session, *, actor: User, tier: Tier, title: str, panellists: list[User],
               include_rated: bool = False) -> StandardSettingPanel:
    if open_panel_for(session, tier) is not None:
        raise PanelRefused(f"A {tier.name.lower()} panel is already open: close it before opening another")
    if len({p.id for p in panellists}) < MIN_RATINGS:
        raise PanelRefused(f"Choose at least {MIN_RATINGS} panellists: an agreed rating needs {MIN_RATINGS} judgements")
    for person in panellists:
        if not person.has_role(Role.ASSESSOR, Role.MODERATOR):
            raise PanelRefused(f"{person.name} is not an assessor or moderator, so cannot sit on a panel")
        if booked_to_sit(session, person, tier):
            raise PanelRefused(f"{person.name} is booked to sit the {tier.name.lower()} knowledge assessment, "
                               "so must not see its items: choose someone else")
    versions = eligible_versions(session, tier)
    if not include_rated:
        agreed = set(session.exec(select(AgreedRating.item_version_id).where(AgreedRating.tier_id == tier.id)))
        versions = [v for v in versions if v.id not in agreed]
    if not versions:
        raise PanelRefused(f"Every live item for {tier.name.lower()} forms already has an agreed rating. "
                           "Select 'include items already rated' to rate them again")
    panel = StandardSettingPanel(tier_id=tier.id, title=title.strip(), opened_by_id=actor.id)
    session.add(panel)
    session.flush()
    session.add_all(PanelMember(panel_id=panel.id, user_id=person.id) for person in {p.id: p for p in panellists}.values())
    session.add_all(PanelItem(panel_id=panel.id, item_version_id=version.id, position=n) for n, version in enumerate(versions, 1))
    session.flush()
    record_event(session, actor=actor, action="panel.opened", obj=panel, tier=tier.code, items=len(versions),
                 panellists=sorted(p.id for p in panellists))
    return panel


def is_member(panel: StandardSettingPanel, user: User) -> bool:
    return any(member.user_id == user.id for member in panel.members)


def booked_to_sit(session: Session, person: User, tier: Tier) -> bool:
    """Whether `person` is booked to sit this tier's knowledge assessment and has not yet finished it:
    a panel shows every item with its key, so they must not rate (roles can be combined: an assessor
    may also be a candidate for a higher tier)."""
    return session.exec(
        select(Booking.id).join(AssessmentWindow, AssessmentWindow.id == Booking.window_id)
        .outerjoin(Attempt, Attempt.booking_id == Booking.id)
        .where(Booking.candidate_id == person.id, Booking.status == BookingStatus.BOOKED, AssessmentWindow.tier_id == tier.id,
               AssessmentWindow.closes_at > utcnow(), (Attempt.id.is_(None)) | (Attempt.status == AttemptStatus.IN_PROGRESS))
    ).first() is not None


def _require_open(panel: StandardSettingPanel) -> None:
    if panel.status is not PanelStatus.OPEN:
        raise PanelRefused("This panel is closed: its ratings can no longer change")


def my_ratings(session: Session, panel: StandardSettingPanel, panellist: User, round_: int) -> dict[int, float]:
    return dict(session.exec(select(AngoffRating.item_version_id, AngoffRating.value).where(
        AngoffRating.panel_id == panel.id, AngoffRating.panellist_id == panellist.id, AngoffRating.round == round_)).all())


def rate(session: Session, *, panel: StandardSettingPanel, panellist: User, ratings: dict[int, float]) -> int:
    """Store the panellist's ratings (item version id -> probability) for the current round;
    returns how many changed. A rating already given in this round is replaced."""
    _require_open(panel)
    if not is_member(panel, panellist):
        raise PanelRefused("You are not a member of this panel")
    on_panel = {item.item_version_id for item in panel.items}
    stray = sorted(set(ratings) - on_panel)
    if stray:
        raise PanelRefused(f"Item version(s) {', '.join(map(str, stray))} are not on this panel")
    stored = {r.item_version_id: r for r in session.exec(select(AngoffRating).where(
        AngoffRating.panel_id == panel.id, AngoffRating.panellist_id == panellist.id, AngoffRating.round == panel.round))}
    changed = 0
    for version_id, value in ratings.items():
        row = stored.get(version_id)
        if row is not None and row.value == value:
            continue
        if row is None:
            row = AngoffRating(panel_id=panel.id, item_version_id=version_id, panellist_id=panellist.id, round=panel.round, value=value)
        row.value, row.rated_at = value, utcnow()
        session.add(row)
        changed += 1
    if changed:
        session.flush()
        record_event(session, actor=panellist, action="panel.rated", obj=panel, round=panel.round, ratings=changed)
    return changed


def next_round(session: Session, *, panel: StandardSettingPanel, actor: User) -> None:
    _require_open(panel)
    if not session.exec(select(AngoffRating.id).where(AngoffRating.panel_id == panel.id, AngoffRating.round == panel.round)).first():
        raise PanelRefused(f"Nobody has rated anything in round {panel.round} yet")
    panel.round += 1
    session.add(panel)
    record_event(session, actor=actor, action="panel.round_started", obj=panel, round=panel.round)


@dataclass(frozen=True)
class ItemSummary:
    position: int
    version: ItemVersion
    code: str
    ratings: dict[int, tuple[float, ...]]  # round -> that round's ratings
    current_round: int
    agreed: float | None  # this tier's agreed rating for the version, if any

    def spread(self, round_: int) -> Spread | None:
        return spread(self.ratings.get(round_, ()))

    @property
    def latest(self) -> Spread | None:
        return self.spread(self.current_round)

    @property
    def proposed(self) -> float | None:
        """The mean of the current round, when enough panellists have rated."""
        try:
            return proposed_rating(self.ratings.get(self.current_round, ()))
        except ValueError:
            return None


def summary(session: Session, panel: StandardSettingPanel) -> list[ItemSummary]:
    by_item: dict[int, dict[int, list[float]]] = {}
    for version_id, round_, value in session.exec(select(AngoffRating.item_version_id, AngoffRating.round, AngoffRating.value)
                                                  .where(AngoffRating.panel_id == panel.id)):
        by_item.setdefault(version_id, {}).setdefault(round_, []).append(value)
    agreed = dict(session.exec(select(AgreedRating.item_version_id, AgreedRating.value).where(AgreedRating.tier_id == panel.tier_id)).all())
    codes = dict(session.exec(select(ItemVersion.id, Item.code).join(Item, Item.id == ItemVersion.item_id)
                              .join(PanelItem, PanelItem.item_version_id == ItemVersion.id).where(PanelItem.panel_id == panel.id)).all())
    return [ItemSummary(item.position, item.version, codes[item.item_version_id],
                        {r: tuple(values) for r, values in by_item.get(item.item_version_id, {}).items()}, panel.round,
                        agreed.get(item.item_version_id))
            for item in panel.items]


def _store_agreed(session: Session, *, panel: StandardSettingPanel, actor: User, version_id: int, value: float) -> float | None:
    row = session.exec(select(AgreedRating).where(AgreedRating.tier_id == panel.tier_id,
                                                  AgreedRating.item_version_id == version_id)).first()
    before = row.value if row else None
    row = row or AgreedRating(tier_id=panel.tier_id, item_version_id=version_id, value=value, panel_id=panel.id, agreed_by_id=actor.id)
    row.value, row.panel_id, row.agreed_by_id, row.agreed_at = value, panel.id, actor.id, utcnow()
    session.add(row)
    return before


def agree_means(session: Session, *, panel: StandardSettingPanel, actor: User) -> tuple[int, list[str]]:
    """Agree the mean of the current round for every item with enough ratings. Returns how many
    were agreed and the codes of the items left without (too few ratings)."""
    _require_open(panel)
    agreed, short = 0, []
    for row in summary(session, panel):
        if row.proposed is None:
            short.append(row.code)
            continue
        _store_agreed(session, panel=panel, actor=actor, version_id=row.version.id, value=row.proposed)
        agreed += 1
    session.flush()
    record_event(session, actor=actor, action="panel.agreed_means", obj=panel, round=panel.round, agreed=agreed, without=len(short))
    return agreed, short


def agree_item(session: Session, *, panel: StandardSettingPanel, actor: User, version_id: int, value: float, reason: str) -> None:
    """Record an agreed rating for one item that differs from (or stands in for) the round's mean."""
    _require_open(panel)
    row = next((r for r in summary(session, panel) if r.version.id == version_id), None)
    if row is None:
        raise PanelRefused("That item is not on this panel")
    if row.latest is None or row.latest.n < MIN_RATINGS:
        raise PanelRefused(f"{row.code} has {row.latest.n if row.latest else 0} rating(s) in round {panel.round}: "
                           f"an agreed rating needs at least {MIN_RATINGS}")
    before = _store_agreed(session, panel=panel, actor=actor, version_id=version_id, value=value)
    session.flush()
    record_event(session, actor=actor, action="panel.agreed_item", obj=panel, item=row.code, value=value, before=before,
                 mean=round(row.latest.mean, 2), reason=reason.strip())


def close_panel(session: Session, *, panel: StandardSettingPanel, actor: User) -> None:
    _require_open(panel)
    panel.status, panel.closed_at, panel.closed_by_id = PanelStatus.CLOSED, utcnow(), actor.id
    session.add(panel)
    without = sum(1 for row in summary(session, panel) if row.agreed is None)
    record_event(session, actor=actor, action="panel.closed", obj=panel, without_agreed_rating=without)


__all__ = ["PanelRefused", "agree_item", "agree_means", "close_panel", "coverage", "eligible_versions", "is_member", "my_ratings",
           "next_round", "open_panel", "open_panel_for", "rate", "summary"]
