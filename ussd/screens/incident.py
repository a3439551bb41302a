"""Report an incident: menu 15 for every member, without a PIN (a witness should not be
stopped at the door), and ``1`` for a phone we do not know. The site (from the cooperative's
list, or typed by its code), what kind of incident, whether to stay anonymous to the
coordinators, then what happened. The report is kept, its flag raised, and the phone gets
the reference by SMS too."""

from __future__ import annotations

import redis
from sqlalchemy import select

from ledger import access, codes, incidents, pins
from ledger.days import local_day_of
from ledger.defaults import INCIDENTS_PER_PHONE_DAY
from ledger.errors import LedgerError
from ledger.models import IncidentCategory, IncidentChannel, Site
from locales import _
from ussd.context import Context
from ussd.screens.base import (
    INVALID_CHOICE,
    AskScreen,
    End,
    Go,
    ListScreen,
    Result,
    Stay,
    YesNoScreen,
    register,
    short,
)

#: How each category reads on the list, in the order of ``ledger.incidents.CATEGORIES``.
CATEGORY_LABELS = {
    # TRANSLATORS: incident category: armed men (a militia, soldiers) at or around the site.
    IncidentCategory.ARMED_GROUP: _("Armed men"),
    # TRANSLATORS: incident category: children working at the site.
    IncidentCategory.CHILD_LABOUR: _("Child labour"),
    # TRANSLATORS: incident category: beatings, sexual violence, forced work.
    IncidentCategory.VIOLENCE: _("Violence"),
    # TRANSLATORS: incident category: money taken without right (at a barrier, at the site).
    IncidentCategory.ILLEGAL_TAX: _("Illegal tax"),
    # TRANSLATORS: incident category: anything else.
    IncidentCategory.OTHER: _("Other"),
}
# TRANSLATORS: first step of an incident report: pick the site or type its code.
WHICH_SITE = _("Incident: which site? (number or code)")
# TRANSLATORS: the last line of the site list: the site is not listed or not known.
NOT_LISTED = _("Not listed / do not know")
# TRANSLATORS: second step of an incident report: what kind of incident.
WHAT_KIND = _("What happened?")
# TRANSLATORS: third step of an incident report: yes, the coordinators are not told who
# reported (nobody is); no, they see her name and phone.
ANONYMOUS = _("Hide your name from the coordinators?")
# TRANSLATORS: last step of an incident report: she types what happened.
TYPE_TEXT = _("Type what happened:")
# TRANSLATORS: shown when the typed site code is no site we know (keep it short).
UNKNOWN_SITE = _("Unknown site.")
# TRANSLATORS: a phone that already sent many incident reports today (a cap against floods).
TOO_MANY = _("Many reports from this phone today. Please try again tomorrow.")
# TRANSLATORS: the same words as the incident SMS: {reference} like I-42.
SAVED = _("Sanduku: incident {reference} saved. Thank you. The coordinators will follow it up.")


def _sites(ctx: Context) -> list[Site]:
    """The caller's cooperative's sites (none for a phone we do not know)."""
    coop = access.cooperative_of(ctx.member) if ctx.member is not None else None
    if coop is None:
        return []
    return list(
        ctx.session.scalars(select(Site).where(Site.cooperative_id == coop).order_by(Site.code))
    )


@register
class IncidentSite(ListScreen):
    """The member's cooperative's sites, then "not on the list"; a site's code may be typed."""

    name = "incident_site"

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(WHICH_SITE)

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        sites = _sites(ctx)
        rows = [(str(n), short(site.name)) for n, site in enumerate(sites, 1)]
        return [*rows, (str(len(sites) + 1), ctx.t.gettext(NOT_LISTED))]

    def choose(self, ctx: Context, key: str) -> Result:
        sites = _sites(ctx)
        number = int(key)
        ctx.data["incident_site"] = sites[number - 1].id if number <= len(sites) else None
        return Go("incident_category")

    def handle(self, ctx: Context, raw: str) -> Result:
        if raw in {key for key, _label in self.rows(ctx)}:
            return self.choose(ctx, raw)
        try:
            site = codes.by_code(ctx.session, Site, raw, "site")
        except LedgerError:
            site = None
        if site is None:
            return Stay(ctx.t.gettext(UNKNOWN_SITE))
        ctx.data["incident_site"] = site.id
        return Go("incident_category")


@register
class IncidentKind(ListScreen):
    name = "incident_category"

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(WHAT_KIND)

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [
            (str(n), ctx.t.gettext(CATEGORY_LABELS[kind]))
            for n, kind in enumerate(incidents.CATEGORIES, 1)
        ]

    def choose(self, ctx: Context, key: str) -> Result:
        ctx.data["incident_category"] = incidents.CATEGORIES[int(key) - 1].value
        return Go("incident_anonymous")


@register
class IncidentAnonymous(YesNoScreen):
    name = "incident_anonymous"

    def question(self, ctx: Context) -> str:
        return ctx.t.gettext(ANONYMOUS)

    def on_yes(self, ctx: Context) -> Result:
        ctx.data["incident_anonymous"] = True
        return Go("incident_text")

    def on_no(self, ctx: Context) -> Result:
        ctx.data["incident_anonymous"] = False
        return Go("incident_text")


@register
class IncidentText(AskScreen):
    name = "incident_text"
    writes = True

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(TYPE_TEXT)

    def handle(self, ctx: Context, raw: str) -> Result:
        if not raw.strip():
            return Stay(ctx.t.gettext(INVALID_CHOICE))
        data = ctx.data
        if "incident_category" not in data:  # pragma: no cover - the steps come in order
            return Stay(ctx.t.gettext(INVALID_CHOICE))
        if over_the_cap(ctx):
            return End(ctx.t.gettext(TOO_MANY))
        site_id = data.get("incident_site")
        incident = incidents.report(
            ctx.session,
            text=raw,
            category=data["incident_category"],
            channel=IncidentChannel.USSD,
            site=ctx.session.get(Site, site_id) if site_id else None,
            reporter=ctx.member,
            phone=ctx.state["phone"],
            anonymous=bool(data.get("incident_anonymous")),
            language=ctx.language,
            at=ctx.now,
        )
        return End(ctx.t.gettext(SAVED, reference=incident.reference))


def over_the_cap(ctx: Context) -> bool:
    """A phone's reports over USSD today, counted in Redis under a keyed hash of the phone
    (an anonymous report keeps no phone in the books, so they cannot count it), forgotten
    after two days. Redis down: the report is kept (a witness is never turned away for it)."""
    if ctx.redis is None:
        return False
    day = local_day_of(ctx.now).isoformat()
    key = "ussd:incidents:" + pins.keyed_digest("incident-cap", ctx.state["phone"], day).hex()
    try:
        count, _ = ctx.redis.pipeline().incr(key).expire(key, 2 * 86_400).execute()
    except redis.RedisError:
        return False
    return int(count) > INCIDENTS_PER_PHONE_DAY
