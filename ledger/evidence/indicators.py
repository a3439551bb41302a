"""Reports: one group's indicators, or a deployment's (savings groups, gold, SMS, flags), as
JSON-ready dicts and as CSV rows (formulas: the README's "Evidence: formulas")."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.evidence import messaging, purchases, savings
from ledger.evidence import settings as settings_mod
from ledger.evidence.defaults import REPORT_MONTHS
from ledger.evidence.measure import COLUMNS, Row, rows_of
from ledger.evidence.settings import Period, Settings
from ledger.models import Cooperative, Flag, Group

SECTIONS = ("savings_groups", "gold", "sms", "flags")


def default_since(until: dt.date) -> dt.date:
    """The first day of the month ``REPORT_MONTHS - 1`` months before ``until``'s."""
    months = until.year * 12 + until.month - 1 - (REPORT_MONTHS - 1)
    return dt.date(months // 12, months % 12 + 1, 1)


def group_report(
    session: Session, group: Group, as_of: dt.date | None = None, s: Settings | None = None
) -> dict:
    s = s or settings_mod.current()
    return savings.group_indicators(session, group, as_of or s.today())


def deployment_report(
    session: Session,
    *,
    cooperative: Cooperative | None = None,
    groups: list[Group] | None = None,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    sections: tuple[str, ...] = SECTIONS,
    s: Settings | None = None,
) -> dict:
    """Indicators of every group (or of ``groups``, or of a cooperative's), and gold, SMS and
    flags over local days ``since``..``until`` (default: the last ``REPORT_MONTHS`` months)."""
    s = s or settings_mod.current()
    as_of = as_of or s.today()
    until = until or as_of
    since = since or default_since(until)
    coop_id = cooperative.id if cooperative else None
    report: dict = {
        "scope": cooperative.code if cooperative else "all",
        "as_of": as_of.isoformat(),
        "since": since.isoformat(),
        "until": until.isoformat(),
    }
    if "savings_groups" in sections:
        if groups is None:
            query = select(Group).order_by(Group.code)
            if coop_id is not None:
                query = query.where(Group.cooperative_id == coop_id)
            groups = list(session.scalars(query))
        totals = [savings.group_totals(session, g, as_of) for g in groups]
        by_currency: dict[str, list[savings.GroupTotals]] = defaultdict(list)
        for t in totals:
            by_currency[t.group.currency].append(t)
        report["savings_groups"] = {
            "groups": len(totals),
            "pooled": {
                currency: {"groups": len(ts), **savings.pooled_indicators(ts, currency)}
                for currency, ts in sorted(by_currency.items())
            },
            "by_group": [savings.indicators_of(t) for t in totals],
        }
    if "gold" in sections:
        report["gold"] = purchases.gold_indicators(session, Period(s, since, until, coop_id))
    if "sms" in sections:
        report["sms"] = messaging.sms_indicators(session, Period(s, since, until, coop_id))
    if "flags" in sections:
        query = (
            select(Flag.kind, func.count())
            .where(Flag.day >= since, Flag.day <= until)
            .group_by(Flag.kind)
        )
        if coop_id is not None:
            query = query.where(Flag.cooperative_id == coop_id)
        report["flags"] = {str(kind): int(n) for kind, n in sorted(session.execute(query).all())}
    return report


# -- CSV --------------------------------------------------------------------------------------


def group_rows(g: dict, section: str = "savings_group") -> Iterator[Row]:
    period = f"cycle {g['cycle']} {g['cycle_start']}..{g['as_of']}"
    yield from rows_of(section, g["group"], period, g["indicators"], savings.UNITS, g["currency"])


def report_rows(report: dict) -> Iterator[Row]:
    """Every figure of a report as a row; a group report is one group's rows."""
    if "indicators" in report and "group" in report:
        yield from group_rows(report)
        return
    span = f"{report['since']}..{report['until']}"
    sg = report.get("savings_groups")
    if sg:
        for currency, values in sg["pooled"].items():
            units = {"groups": "count", **savings.UNITS}
            scope = f"{report['scope']} {currency}"
            yield from rows_of("savings_groups", scope, report["as_of"], values, units, currency)
        for g in sg["by_group"]:
            yield from group_rows(g)
    gold = report.get("gold")
    if gold:
        for bucket in gold["by_site_month"]:
            yield from rows_of(
                "gold",
                bucket["site"],
                bucket["month"],
                bucket["indicators"],
                purchases.UNITS,
                bucket["currency"],
            )
        for currency, values in gold["totals"].items():
            scope = f"{report['scope']} sites"
            yield from rows_of("gold", scope, span, values, purchases.UNITS, currency)
    sms = report.get("sms")
    if sms:
        for item in sms["by_kind_status_language"]:
            scope = f"{item['kind']}/{item['status']}/{item['language']}"
            yield from rows_of("sms", scope, span, item, messaging.UNITS)
            for currency, amount in item["cost"].items():
                yield Row("sms", scope, span, "cost", "all", amount, currency)
        totals = sms["totals"]
        yield from rows_of("sms", "all", span, totals, messaging.UNITS)
        for currency, amount in totals["cost"].items():
            yield Row("sms", "all", span, "cost", "all", amount, currency)
        for gender, values in sms["by_gender"].items():
            for name, value in values.items():
                yield Row("sms", "all", span, name, gender, value, messaging.UNITS[name])
    for kind, count in (report.get("flags") or {}).items():
        yield Row("flags", report["scope"], span, kind, "all", count, "count")


def to_csv(report: dict) -> str:
    """The report as CSV (one row per figure; empty value = not defined, e.g. 0 / 0)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report_rows(report):
        writer.writerow(
            [
                row.section,
                row.scope,
                row.period,
                row.indicator,
                row.gender,
                "" if row.value is None else row.value,
                row.unit,
            ]
        )
    return out.getvalue()
