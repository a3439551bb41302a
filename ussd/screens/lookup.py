"""Finding the member a buyer or an officer means: by phone number or member number."""

from __future__ import annotations

from typing import ClassVar

from ledger import access
from ledger.errors import LedgerError
from ledger.members import parse_phone
from ledger.models import Member, MemberStatus
from locales import _
from ussd import keypad
from ussd.context import Context
from ussd.screens.base import Go, ListScreen, Result
from ussd.screens.start import active_on_phone, labels

NOT_FOUND = _("No member with this number.")


def in_reach(ctx: Context, member: Member) -> bool:
    """The caller may see ``member``: their group (an officer), their cooperative (a buyer,
    a coordinator). Nobody else is found, by phone or by member number."""
    return access.may_see_member(access.for_member(ctx.member), member)


def find(ctx: Context, raw: str) -> tuple[str | None, list[Member]]:
    """``(phone, members)`` for a phone number, ``(None, [member])`` for a member number;
    only active members within the caller's reach."""
    raw = raw.strip()
    if keypad.looks_like_phone(raw):
        try:
            phone = parse_phone(raw)
        except LedgerError:
            return None, []
        return phone, [m for m in active_on_phone(ctx, phone) if in_reach(ctx, m)]
    number = keypad.whole(raw, 1, 999_999)
    member = ctx.session.get(Member, number) if number else None
    if member is None or member.status != MemberStatus.ACTIVE or not in_reach(ctx, member):
        return None, []
    return None, [member]


class PickOnPhone(ListScreen):
    """Several members share the number typed: which one."""

    #: ``data`` keys: where the phone was put, where the chosen member id goes.
    phone_key: ClassVar[str] = ""
    id_key: ClassVar[str] = ""
    next_screen: ClassVar[str] = ""

    def _members(self, ctx: Context) -> list[Member]:
        phone = ctx.data.get(self.phone_key)
        return [m for m in active_on_phone(ctx, phone) if in_reach(ctx, m)] if phone else []

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Which one?"))

    def empty(self, ctx: Context) -> str:
        return ctx.t.gettext(NOT_FOUND)

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [(str(i), label) for i, label in enumerate(labels(self._members(ctx)), 1)]

    def choose(self, ctx: Context, key: str) -> Result:
        ctx.data[self.id_key] = self._members(ctx)[int(key) - 1].id
        return Go(self.next_screen)
