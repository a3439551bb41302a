"""Who may act on whom: the one set of scope rules for every channel (the API's tokens, the
USSD's members with roles, the console).

An ``Actor`` is what a caller may reach:

- a **coordinator**: everything (an API token), or one cooperative (a member with the
  coordinator role: their cooperative's groups, members and sites);
- an **officer**: one savings group, its members, meetings, share-out and statements;
- a **buyer**: one cooperative's sites, purchases, lots and prices, and its members as
  sellers, seen minimally (id, name, site).

A member with several roles holds several scopes at once. Every rule answers ``True`` or
``False`` and raises nothing: each channel turns a ``False`` into its own refusal. A member
the caller may not see must get the answer an unknown member gets, so that a refusal tells
nobody who exists outside their scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from ledger.models import (
    ApiRole,
    ApiToken,
    Cooperative,
    Flag,
    Group,
    Meeting,
    Member,
    Role,
    Site,
)


class View(StrEnum):
    """How much of a member a caller is shown."""

    FULL = "full"  # everything the books hold, phone and ID document included
    MINIMAL = "minimal"  # id, name and site: enough for a buyer to pick a seller


#: Roles an officer may give within their group; the others are a coordinator's to give.
OFFICER_GIVES = frozenset({Role.MEMBER.value, Role.MINER.value, Role.OFFICER.value})


@dataclass(frozen=True)
class Actor:
    """The scopes one caller holds. ``None`` means no scope of that kind."""

    #: A deployment-wide coordinator (an API coordinator token).
    everywhere: bool = False
    #: The cooperative a coordinator member answers for.
    coordinates: int | None = None
    #: The group an officer keeps the books of.
    officer_of: int | None = None
    #: The cooperative a buyer buys for.
    buys_for: int | None = None


NOBODY = Actor()


def for_token(token: ApiToken) -> Actor:
    """An API token's scope: a coordinator token reaches everything."""
    if token.role == ApiRole.COORDINATOR:
        return Actor(everywhere=True)
    if token.role == ApiRole.OFFICER:
        return Actor(officer_of=token.group_id)
    if token.role == ApiRole.BUYER:
        return Actor(buys_for=token.cooperative_id)
    return NOBODY  # pragma: no cover - every role is above


def for_member(member: Member | None) -> Actor:
    """A member's scopes from their roles: an officer their group, a buyer and a
    coordinator their own cooperative (a coordinator without one reaches nothing)."""
    if member is None:
        return NOBODY
    return Actor(
        coordinates=member.cooperative_id if member.has_role(Role.COORDINATOR) else None,
        officer_of=member.group_id if member.has_role(Role.OFFICER) else None,
        buys_for=member.cooperative_id if member.has_role(Role.BUYER) else None,
    )


def cooperative_of(member: Member) -> int | None:
    """The member's cooperative: their own, or their group's."""
    if member.cooperative_id is not None:
        return member.cooperative_id
    group = member.group if member.group_id is not None else None
    return group.cooperative_id if group is not None else None


def _coordinates(actor: Actor, cooperative_id: int | None) -> bool:
    if actor.everywhere:
        return True
    return actor.coordinates is not None and cooperative_id == actor.coordinates


# -- groups, cooperatives, sites --------------------------------------------------------------


def may_act_for_group(actor: Actor, group: Group | None) -> bool:
    """Meetings, share-out, the group's rules and indicators: its officer or a coordinator."""
    if group is None:
        return False
    if actor.officer_of is not None and group.id == actor.officer_of:
        return True
    return _coordinates(actor, group.cooperative_id)


def may_correct_meeting(actor: Actor, group: Group | None, meeting: Meeting | None) -> bool:
    """Reverse a member's record in a meeting: the group's officer while the meeting is open;
    once it is closed (the box counted and agreed), a coordinator only."""
    if group is None or meeting is None or meeting.group_id != group.id:
        return False
    if meeting.closed_at is None:
        return may_act_for_group(actor, group)
    return _coordinates(actor, group.cooperative_id)


def may_see_group_flags(actor: Actor, group: Group | None) -> bool:
    """A group's own flags (a cash count that differed): its officer and its coordinator."""
    return may_act_for_group(actor, group)


def may_act_for_cooperative(actor: Actor, cooperative_id: int | None) -> bool:
    """Purchases, prices, lots and flags of a cooperative: its buyer or a coordinator."""
    if cooperative_id is None:
        return actor.everywhere
    if actor.buys_for is not None and cooperative_id == actor.buys_for:
        return True
    return _coordinates(actor, cooperative_id)


def may_buy_at(actor: Actor, site: Site | None) -> bool:
    return site is not None and may_act_for_cooperative(actor, site.cooperative_id)


def may_change_site(actor: Actor, site: Site | None) -> bool:
    """Record a site's new inspection or capacity: a coordinator of its cooperative, as the
    API lets only a coordinator token change a site. Its buyer reads it."""
    return site is not None and _coordinates(actor, site.cooperative_id)


# -- members ----------------------------------------------------------------------------------


def view_of(actor: Actor, member: Member) -> View | None:
    """What the caller may see of ``member``; ``None``: nothing, not even that they exist."""
    if actor.everywhere:
        return View.FULL
    if actor.officer_of is not None and member.group_id == actor.officer_of:
        return View.FULL
    cooperative_id = cooperative_of(member)
    if cooperative_id is None:
        return None
    if actor.coordinates is not None and cooperative_id == actor.coordinates:
        return View.FULL
    if actor.buys_for is not None and cooperative_id == actor.buys_for:
        return View.MINIMAL
    return None


def may_see_member(actor: Actor, member: Member) -> bool:
    return view_of(actor, member) is not None


def may_update_member(actor: Actor, member: Member) -> bool:
    """Correct a member, re-import them, lift their PIN lock: their group's officer or a
    coordinator of their cooperative. A buyer never."""
    if actor.everywhere:
        return True
    if actor.officer_of is not None and member.group_id == actor.officer_of:
        return True
    return actor.coordinates is not None and cooperative_of(member) == actor.coordinates


def may_name_seller(actor: Actor, member: Member) -> bool:
    """Name ``member`` as the miner of a purchase: a buyer names only sellers of their own
    cooperative (a seller not registered there must be registered first)."""
    if actor.everywhere:
        return True
    cooperative_id = cooperative_of(member)
    if cooperative_id is None:
        return False
    return cooperative_id in (actor.buys_for, actor.coordinates)


def may_name_at_meeting(actor: Actor, member: Member, group: Group) -> bool:
    """Name ``member`` in ``group``'s meeting: the caller acts for the group and sees the
    member fully. An officer sees only their group, so an outsider is unknown to them; a
    coordinator names anyone and the books refuse who is not in the group."""
    return may_act_for_group(actor, group) and view_of(actor, member) == View.FULL


def may_place_member(
    actor: Actor,
    group: Group | None,
    cooperative_id: int | None,
    site: Site | None,
) -> bool:
    """Put a member into a group, a cooperative or at a site. An officer places members in
    their own group only, and names no cooperative or site."""
    if actor.everywhere:
        return True
    places_elsewhere = cooperative_id is not None or site is not None
    if actor.officer_of is not None and not places_elsewhere:
        return group is not None and group.id == actor.officer_of
    if actor.coordinates is None:
        return False
    return (
        (group is None or group.cooperative_id == actor.coordinates)
        and (cooperative_id is None or cooperative_id == actor.coordinates)
        and (site is None or site.cooperative_id == actor.coordinates)
    )


def may_give_roles(actor: Actor, roles: Iterable[str]) -> bool:
    """A coordinator gives any role; an officer only member, miner and officer."""
    if actor.everywhere or actor.coordinates is not None:
        return True
    return actor.officer_of is not None and set(roles) <= OFFICER_GIVES


# -- premiums and payouts ---------------------------------------------------------------------


def may_manage_premiums(actor: Actor, cooperative_id: int | None) -> bool:
    """Plan and approve a cooperative's premiums: its coordinators (the rule of a second
    approver is the books', ``ledger.premiums.approve``)."""
    return cooperative_id is not None and _coordinates(actor, cooperative_id)


def may_see_payouts(actor: Actor, cooperative_id: int | None) -> bool:
    """Read a cooperative's premiums and payouts, record a cash payout: its buyer (who hands
    the cash over) or a coordinator."""
    return may_act_for_cooperative(actor, cooperative_id)


# -- prices and what a caller's lists hold ----------------------------------------------------


def may_post_price(actor: Actor, cooperative_id: int | None) -> bool:
    """Post a cooperative's price (an SMS to its members): a coordinator of it, as the API
    lets only a coordinator token post. A buyer reads the prices, never posts them."""
    if actor.everywhere:
        return True
    return actor.coordinates is not None and cooperative_id == actor.coordinates


def cooperative_ids(session: Session, actor: Actor) -> list[int]:
    """The cooperatives whose purchases, prices, lots and flags the caller may see."""
    if actor.everywhere:
        return list(session.scalars(select(Cooperative.id).order_by(Cooperative.id)))
    return sorted({c for c in (actor.coordinates, actor.buys_for) if c is not None})


def group_ids(session: Session, actor: Actor) -> list[int]:
    """The savings groups the caller acts for (``may_act_for_group``)."""
    query = select(Group.id).order_by(Group.id)
    if not actor.everywhere:
        clauses = []
        if actor.officer_of is not None:
            clauses.append(Group.id == actor.officer_of)
        if actor.coordinates is not None:
            clauses.append(Group.cooperative_id == actor.coordinates)
        if not clauses:
            return []
        query = query.where(or_(*clauses))
    return list(session.scalars(query))


def members_query(session: Session, actor: Actor):
    """A SELECT of the members the caller may see at all (``view_of`` is not None)."""
    query = select(Member)
    if actor.everywhere:
        return query
    coops = [c for c in (actor.coordinates, actor.buys_for) if c is not None]
    in_coop_groups = select(Group.id).where(Group.cooperative_id.in_(coops))
    clauses = []
    if actor.officer_of is not None:
        clauses.append(Member.group_id == actor.officer_of)
    if coops:
        clauses.append(Member.cooperative_id.in_(coops))
        clauses.append(Member.cooperative_id.is_(None) & Member.group_id.in_(in_coop_groups))
    return query.where(or_(*clauses)) if clauses else query.where(false())


# -- flags --------------------------------------------------------------------------------------


def may_review_flags(actor: Actor, cooperative_id: int | None) -> bool:
    """Confirm or dismiss a cooperative's flags: its coordinator only. A buyer reads the flags
    of their cooperative but never closes a warning about their own purchases."""
    return cooperative_id is not None and _coordinates(actor, cooperative_id)


def reviewing_cooperative(session: Session, flag: Flag) -> int | None:
    """Whose coordinators review ``flag``: its cooperative's, or for a savings group's own
    flag (a box count that differed) the group's cooperative's. Never the group's officer:
    she counted the box."""
    if flag.cooperative_id is not None:
        return flag.cooperative_id
    group = session.get(Group, flag.group_id) if flag.group_id else None
    return group.cooperative_id if group else None


# -- the chain: lots, exporters, taxes ----------------------------------------------------------


def may_keep_partners(actor: Actor) -> bool:
    """Add and list the exporters and refiners lots go to: a coordinator (any cooperative's:
    the list is the deployment's)."""
    return actor.everywhere or actor.coordinates is not None


def may_dispatch_lots(actor: Actor, cooperative_id: int | None) -> bool:
    """Combine, seal and ship a cooperative's lots, record the taxes paid on its gold: its
    coordinator only. A buyer reads the lots of their cooperative."""
    return cooperative_id is not None and _coordinates(actor, cooperative_id)


# -- incidents ----------------------------------------------------------------------------------


def may_follow_incidents(actor: Actor, cooperative_id: int | None) -> bool:
    """Read a cooperative's incident reports (who reported, unless anonymous) and review
    them: its coordinators only. A report of no known cooperative: a deployment coordinator.
    Never a buyer or an officer: a report may be about them."""
    return _coordinates(actor, cooperative_id)
