"""Reports (``/console/reports``): the indicators of each group in scope, and of the
deployment (a coordinator: their cooperative's, or everything; a buyer: their cooperative's
gold and flags, as the API gives), downloaded as CSV or XLSX, one row per figure."""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from console import auth
from console.pages import bp, by_code, out_of_scope, render
from console.sheets import download
from ledger import access, db
from ledger.evidence import indicators
from ledger.evidence.measure import COLUMNS
from ledger.models import Cooperative, Group

FORMATS = ("csv", "xlsx")


def _rows(report: dict):
    for row in indicators.report_rows(report):
        value = "" if row.value is None else str(row.value)
        yield (row.section, row.scope, row.period, row.indicator, row.gender, value, row.unit)


@bp.get("/reports")
def reports():
    session = db.session()
    actor = auth.actor()
    groups = list(
        session.scalars(
            select(Group).where(Group.id.in_(access.group_ids(session, actor))).order_by(Group.name)
        )
    )
    coops = [session.get(Cooperative, c) for c in access.cooperative_ids(session, actor)]
    if not groups and not coops:
        out_of_scope()
    return render("reports.html", groups=groups, coops=coops, formats=FORMATS)


def _format() -> str:
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        out_of_scope()
    return fmt


@bp.get("/reports/groups/<code>")
def group_report(code: str):
    session = db.session()
    group = by_code(Group, code)
    if group is None or not access.may_act_for_group(auth.actor(), group):
        out_of_scope()
    fmt = _format()
    report = indicators.group_report(session, group)
    return download(f"indicators-{group.code}", fmt, COLUMNS, _rows(report))


@bp.get("/reports/cooperatives/<code>")
def cooperative_report(code: str):
    session = db.session()
    actor = auth.actor()
    coop = by_code(Cooperative, code)
    if coop is None or not access.may_act_for_cooperative(actor, coop.id):
        out_of_scope()
    fmt = _format()
    coordinates = actor.everywhere or actor.coordinates == coop.id
    sections = indicators.SECTIONS if coordinates else ("gold", "flags")
    report = indicators.deployment_report(session, cooperative=coop, sections=sections)
    return download(f"indicators-{coop.code}", fmt, COLUMNS, _rows(report))
