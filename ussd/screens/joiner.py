"""A member who joins mid-cycle, added at the officer's desk (``13`` 8): her full name, her
phone, woman or man, her language, then a confirmation showing all of it. Confirmed, she is
on the books and in the officer's group from the meeting's day, and buys shares from her
first record (``ledger.rules.join``: no catch-up is asked).

Scope: the officer's own group only (``access.may_place_member``); a person already on the
books with this phone and name is added only if the officer may update her (her group's
officer), so another group's member is refused, never moved. The confirmation writes once
under a repeated callback, as every USSD write does (``ussd.conversation``).
"""

from __future__ import annotations

from ledger import access, rules
from ledger.errors import LedgerError
from ledger.members import clean_name, find_member, parse_phone, save_member
from ledger.models import Gender, MemberStatus
from locales import LANGUAGE_NAMES, LANGUAGES, _
from ussd.context import Context
from ussd.screens.base import (
    CONFIRM,
    AskScreen,
    Back,
    Go,
    Home,
    ListScreen,
    Result,
    join,
    register,
    short,
)
from ussd.screens.desk import desk_day, t_saved
from ussd.screens.officer import OfficerScreen, officer_group
from ussd.screens.start import LanguageList

#: What the screens collect (each typed again on the way to the confirmation).
FIELDS = ("join_name", "join_phone", "join_gender", "join_language")
# TRANSLATORS: the gender choice of a new member; "Woman" and "Man" are the options below.
WOMAN_OR_MAN = _("Woman or man?")
# TRANSLATORS: the new member's phone number; keep the example number as it is.
PHONE = _("Her phone number (0812345678):")
GENDERS = [("1", _("Woman"), Gender.F), ("2", _("Man"), Gender.M)]


@register
class DeskJoinName(OfficerScreen, AskScreen):
    name = "desk_join_name"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("New member's full name:"))

    def handle(self, ctx: Context, raw: str) -> Result:
        if officer_group(ctx) is None:
            return Home()
        ctx.data["join_name"] = clean_name(raw)
        return Go("desk_join_phone")


@register
class DeskJoinPhone(OfficerScreen, AskScreen):
    name = "desk_join_phone"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(PHONE)

    def handle(self, ctx: Context, raw: str) -> Result:
        if officer_group(ctx) is None:
            return Home()
        ctx.data["join_phone"] = parse_phone(raw)
        return Go("desk_join_gender")


@register
class DeskJoinGender(OfficerScreen, ListScreen):
    name = "desk_join_gender"

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(WOMAN_OR_MAN)

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [(key, ctx.t.gettext(label)) for key, label, _gender in GENDERS]

    def choose(self, ctx: Context, key: str) -> Result:
        ctx.data["join_gender"] = next(g.value for k, _label, g in GENDERS if k == key)
        return Go("desk_join_language")


@register
class DeskJoinLanguage(OfficerScreen, LanguageList):
    name = "desk_join_language"

    def choose(self, ctx: Context, key: str) -> Result:
        ctx.data["join_language"] = LANGUAGES[int(key) - 1]
        return Go("desk_join_confirm")


@register
class DeskJoinConfirm(OfficerScreen):
    """Everything typed, before anything is written."""

    name = "desk_join_confirm"
    writes = True

    def render(self, ctx: Context) -> str:
        t, d = ctx.t, ctx.data
        if officer_group(ctx) is None or not all(d.get(f) for f in FIELDS):
            return join(t.gettext(_("Nothing to confirm.")), self.nav(ctx))
        gender = next(label for _k, label, g in GENDERS if g.value == d["join_gender"])
        return join(
            t.gettext(_("New member from {date}:"), date=t.date(desk_day(ctx) or ctx.today())),
            short(d["join_name"]),
            f"{d['join_phone']}, {t.gettext(gender)}, {LANGUAGE_NAMES[d['join_language']]}",
            t.gettext(CONFIRM),
            self.nav(ctx),
        )

    def handle(self, ctx: Context, raw: str) -> Result:
        group, d = officer_group(ctx), ctx.data
        if group is None or not all(d.get(f) for f in FIELDS):
            return Home()
        if raw != "1":
            return super().handle(ctx, raw)
        actor = access.for_member(ctx.member)
        if not access.may_place_member(actor, group, None, None):
            return Home()
        phone, name = parse_phone(d["join_phone"]), clean_name(d["join_name"])
        known = find_member(ctx.session, phone, name)
        if known is not None and not access.may_update_member(actor, known):
            raise LedgerError("other_group", "this member belongs to another group", "member")
        if known and known.group_id == group.id and known.status == MemberStatus.ACTIVE:
            raise LedgerError("exists", f"{known.name} is already in {group.code}", "member")
        member, _created = save_member(
            ctx.session,
            phone=phone,
            name=name,
            gender=d["join_gender"],
            language=d["join_language"],
            group=group,
        )
        rules.join(ctx.session, group, member, desk_day(ctx) or ctx.today())
        for field in FIELDS:
            d.pop(field, None)
        ctx.notice(t_saved(ctx, member))
        return Back(to="desk_menu")
