"""The first screens: who is calling on a shared phone, the main menu, the language."""

from __future__ import annotations

from ledger.members import members_on_phone
from ledger.models import Member, MemberStatus
from ledger.pins import has_pin
from locales import LANGUAGE_NAMES, LANGUAGES, _
from ussd.context import Context
from ussd.screens.base import (
    INVALID_CHOICE,
    End,
    Go,
    Home,
    ListScreen,
    Result,
    Screen,
    Stay,
    join,
    register,
    short,
)
from ussd.screens.pin import pin_entry

# TRANSLATORS: the first screen for a phone number we do not know (one line below it offers
# "1 Report an incident").
NOT_REGISTERED = _(
    "Sanduku: this number is not registered. To join, ask your savings group officer or "
    "your cooperative."
)
#: The one menu line a phone we do not know gets: anyone may report an incident.
REPORT = _("Report an incident")

#: The main menu: key, label, screen, roles that see it (None: everyone). Keys never move,
#: so a member who learns "3" for prices keeps it whatever roles they have.
MENU = [
    ("1", _("My savings"), "savings", None),
    ("2", _("My loan"), "loan", None),
    ("3", _("Gold prices"), "prices", None),
    ("4", _("My sales"), "sales", None),
    ("5", _("Next meeting"), "meeting", None),
    ("6", _("Language"), "language", None),
    ("7", _("Change PIN"), "pin_change", None),
    ("8", _("Buy gold"), "buy_miner", {"buyer"}),
    ("9", _("Record meeting"), "meet_member", {"officer"}),
    ("10", _("Post gold price"), "price_usd", {"coordinator"}),
    ("11", _("Unlock a PIN"), "unlock_member", {"officer", "coordinator"}),
    ("12", _("Enrolment code"), "enrol_member", {"officer", "coordinator"}),
    ("13", _("Meeting desk"), "desk_meeting", {"officer"}),
    ("14", _("Pay a premium"), "pay_member", {"buyer", "coordinator"}),
    ("15", REPORT, "incident_site", None),
]


def active_on_phone(ctx: Context, phone: str) -> list[Member]:
    return [m for m in members_on_phone(ctx.session, phone) if m.status == MemberStatus.ACTIVE]


def labels(members: list[Member]) -> list[str]:
    """First names, or the (shortened) full name where two share a first name."""
    firsts = [short(m.first_name) for m in members]
    return [
        short(m.name) if firsts.count(first) > 1 else first
        for m, first in zip(members, firsts, strict=True)
    ]


@register
class Who(ListScreen):
    """A shared phone: pick who is calling before anything else."""

    name = "who"

    def _members(self, ctx: Context) -> list[Member]:
        return active_on_phone(ctx, ctx.state["phone"])

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Who is calling?"))

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [(str(i), label) for i, label in enumerate(labels(self._members(ctx)), 1)]

    def choose(self, ctx: Context, key: str) -> Result:
        ctx.choose_member(self._members(ctx)[int(key) - 1])
        ctx.stack[:] = [["main", 0]]
        return Home()


@register
class Stranger(Screen):
    """A phone we do not know: how to join, and a report of an incident (by anyone)."""

    name = "stranger"

    def render(self, ctx: Context) -> str:
        return join(ctx.t.gettext(NOT_REGISTERED), f"1 {ctx.t.gettext(REPORT)}")

    def handle(self, ctx: Context, raw: str) -> Result:
        return Go("incident_site") if raw == "1" else Stay(ctx.t.gettext(INVALID_CHOICE))


@register
class Main(ListScreen):
    name = "main"
    savepoint = False  # choosing only moves to another screen

    def _items(self, ctx: Context) -> list[tuple[str, str, str]]:
        roles = ctx.member.role_set
        return [
            (key, label, target)
            for key, label, target, needs in MENU
            if needs is None or needs & roles
        ]

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Sanduku: {name}"), name=short(ctx.member.first_name, 16))

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [(key, ctx.t.gettext(label)) for key, label, _target in self._items(ctx)]

    def choose(self, ctx: Context, key: str) -> Result:
        target = next(target for k, _label, target in self._items(ctx) if k == key)
        if target == "pin_change" and not has_pin(ctx.member):  # a first PIN: the code first
            entry = pin_entry(ctx)
            if isinstance(entry, End):
                return entry
            ctx.data["after_pin"] = ""
            return Go(entry)
        return Go(target)


class LanguageList(ListScreen):
    """The four languages, each in its own words; what a choice does is the subclass's."""

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Language:"))

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [(str(i), LANGUAGE_NAMES[code]) for i, code in enumerate(LANGUAGES, 1)]


@register
class Language(LanguageList):
    name = "language"

    def choose(self, ctx: Context, key: str) -> Result:
        member = ctx.member
        if member is None:  # pragma: no cover - the menu needs a caller
            return Stay(ctx.t.gettext(_("Invalid choice.")))
        member.language = LANGUAGES[int(key) - 1]
        ctx.session.flush()
        ctx.notice(ctx.t.gettext(_("Language saved.")))
        return Home()
