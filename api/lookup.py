"""Finding what a request names: groups, cooperatives and sites by code, members by phone
or id. A name in the body that matches nothing is a 422 on that field; in the path, a 404.

One phone can belong to several members (a shared household phone). A phone alone names a
member only when one member on it fits the context (the group, the cooperative); otherwise
the answer asks for ``member_id``. Members outside the caller's scope are left out before
anything else: they are unknown, and not counted on a shared phone.
"""

from __future__ import annotations

from collections.abc import Callable

from api.errors import ApiError
from ledger import db
from ledger.codes import by_code, clean_code
from ledger.errors import LedgerError
from ledger.members import members_on_phone, parse_phone
from ledger.models import Cooperative, Group, Member, Site


def _by_code(model, noun: str, code: object, field: str, status: int):
    try:
        clean = clean_code(code, field)
    except LedgerError as exc:
        if status == 404:
            raise ApiError(404, f"unknown_{noun}", f"no {noun} {str(code)[:40]!r}") from None
        raise exc
    found = by_code(db.session(), model, clean, field)
    if found is None:
        raise ApiError(status, f"unknown_{noun}", f"no {noun} {clean}", field)
    return found


def group(code: object, field: str = "group", status: int = 422) -> Group:
    return _by_code(Group, "group", code, field, status)


def cooperative(code: object, field: str = "cooperative", status: int = 422) -> Cooperative:
    return _by_code(Cooperative, "cooperative", code, field, status)


def site(code: object, field: str = "site", status: int = 422) -> Site:
    return _by_code(Site, "site", code, field, status)


def member(
    ref: int | str,
    field: str,
    *,
    visible: Callable[[Member], bool],
    fits: Callable[[Member], bool] | None = None,
    status: int = 422,
) -> Member:
    """The member named by id or by phone, among those the caller may name (``visible``:
    checked first, so a member outside the scope is answered exactly as an unknown one);
    ``fits`` narrows a shared phone to the one member that belongs to the context."""
    session = db.session()
    if isinstance(ref, int):
        found = session.get(Member, ref)
        if found is None or not visible(found):
            raise ApiError(status, "unknown_member", f"no member {ref}", field)
        return found
    if status == 404:
        try:
            phone = parse_phone(ref, field)
        except LedgerError:
            raise ApiError(404, "unknown_member", "no member with that phone", field) from None
    else:
        phone = parse_phone(ref, field)
    candidates = [m for m in members_on_phone(session, phone) if visible(m)]
    if len(candidates) > 1 and fits is not None:
        candidates = [m for m in candidates if fits(m)] or candidates
    if not candidates:
        raise ApiError(status, "unknown_member", f"no member with phone {phone}", field)
    if len(candidates) > 1:
        raise ApiError(
            409,
            "ambiguous_phone",
            f"{len(candidates)} members share the phone {phone}: give member_id"
            f" (GET /api/v1/members?phone={phone} lists them)",
            field,
        )
    return candidates[0]
