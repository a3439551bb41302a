"""Evidence over the API: a lot's lineage, flags, and indicators (JSON, or CSV with
``?format=csv``).

Scopes: a coordinator sees everything, miners' names and phones included; a buyer sees the
lots, flags and gold indicators of their cooperative, miners by id only; an officer sees
their own group's indicators.
"""

from __future__ import annotations

import csv
import io
import json

from flask import Response, request
from sqlalchemy import select

from api import auth, lookup
from api.errors import ApiError
from api.parsing import query_date, whole_number
from ledger import db
from ledger.errors import LedgerError
from ledger.evidence import flags, indicators, lineage, lots
from ledger.evidence import settings as evidence_settings
from ledger.models import ApiRole, ApiToken, Cooperative, FlagKind, FlagStatus, Member, Site

#: Most flags one page returns.
MAX_FLAGS_PAGE = 500
DEFAULT_FLAGS_PAGE = 100

FORMATS = ("json", "csv")


def _format() -> str:
    fmt = request.args.get("format", "json").lower()
    if fmt not in FORMATS:
        raise ApiError(422, "bad_format", "format is json or csv", "format")
    return fmt


def _csv(report: dict, name: str) -> Response:
    return Response(
        indicators.to_csv(report),
        status=200,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _lot_in_scope(session, token: ApiToken, lot_number: str):
    """The lot, or a 404 (unknown, or another cooperative's: the same answer)."""
    try:
        found = lots.get_lot(session, lot_number)
    except LedgerError:
        raise ApiError(404, "unknown_lot", f"no lot {lot_number[:40]!r}") from None
    auth.require_cooperative(token, found.cooperative_id)
    return found


def lot(token: ApiToken, lot_number: str) -> tuple[int, object]:
    """A lot's lineage back to each purchase, and its ICGLR MD.12 record."""
    session = db.session()
    found = _lot_in_scope(session, token, lot_number)
    return 200, lineage.lineage(session, found, include_phone=token.role == ApiRole.COORDINATOR)


def flag_list(token: ApiToken) -> tuple[int, object]:
    """Flags, newest first; filters ``cooperative``, ``kind``, ``site``, ``since``, ``until``;
    pages of ``limit`` with ``before_id``."""
    session = db.session()
    args = request.args
    coop_id = None
    if args.get("cooperative"):
        coop_id = lookup.cooperative(args["cooperative"], "cooperative", status=404).id
    if token.role == ApiRole.BUYER:
        if coop_id not in (None, token.cooperative_id):
            raise auth.forbid("this cooperative")
        coop_id = token.cooperative_id
    kind = None
    if args.get("kind"):
        try:
            kind = FlagKind(args["kind"])
        except ValueError:
            raise ApiError(
                422, "bad_kind", f"kind is one of {', '.join(k.value for k in FlagKind)}", "kind"
            ) from None
    status = None
    if args.get("status"):
        try:
            status = FlagStatus(args["status"])
        except ValueError:
            raise ApiError(
                422, "bad_status", "status is open, confirmed or dismissed", "status"
            ) from None
    site = lookup.site(args["site"], "site", status=404) if args.get("site") else None
    limit = whole_number(args.get("limit", str(DEFAULT_FLAGS_PAGE)), "limit", 1, MAX_FLAGS_PAGE)
    before = args.get("before_id")
    found = flags.list_flags(
        session,
        cooperative_id=coop_id,
        kind=kind,
        status=status,
        site_id=site.id if site else None,
        since=query_date("since"),
        until=query_date("until"),
        limit=limit,
        before_id=whole_number(before, "before_id", 1, 2**31 - 1) if before else None,
        # A report may be about the buyer: incidents are their coordinators' alone.
        hidden=() if token.role == ApiRole.COORDINATOR else (FlagKind.INCIDENT,),
    )
    coordinator = token.role == ApiRole.COORDINATOR
    site_ids = {f.site_id for f in found if f.site_id}
    codes = dict(session.execute(select(Site.id, Site.code).where(Site.id.in_(site_ids))).all())
    member_ids = {f.member_id for f in found if f.member_id} if coordinator else set()
    people = {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(member_ids)))}
    out = []
    for f in found:
        item = flags.flag_as_dict(f)
        item["site"] = codes.get(f.site_id)
        if coordinator and f.member_id in people:
            item["member"] = {
                "id": f.member_id,
                "name": people[f.member_id].name,
                "phone": people[f.member_id].phone,
            }
        out.append(item)
    return 200, {
        "flags": out,
        "next_before_id": found[-1].id if len(found) == limit else None,
    }


def group_indicators(token: ApiToken, code: str) -> tuple[int, object] | Response:
    """One group's indicators (its current cycle), split by gender."""
    group = lookup.group(code, "code", status=404)
    auth.require_group(token, group)
    fmt = _format()
    report = indicators.group_report(db.session(), group, query_date("as_of"))
    if fmt == "csv":
        return _csv(report, f"indicators-{group.code}")
    return 200, report


def deployment_indicators(token: ApiToken) -> tuple[int, object] | Response:
    """Every group, gold, SMS and flags (a coordinator, optionally of one ``cooperative``);
    a buyer gets their cooperative's gold and flags."""
    fmt = _format()
    coop = None
    sections = indicators.SECTIONS
    if request.args.get("cooperative"):
        coop = lookup.cooperative(request.args["cooperative"], "cooperative", status=404)
    if token.role == ApiRole.BUYER:
        if coop is not None and coop.id != token.cooperative_id:
            raise auth.forbid("this cooperative")
        coop = coop or db.session().get(Cooperative, token.cooperative_id)
        sections = ("gold", "flags")
    elif token.role != ApiRole.COORDINATOR:
        raise auth.forbid("the whole deployment: ask for /groups/{code}/indicators")
    s = evidence_settings.current()
    report = indicators.deployment_report(
        db.session(),
        cooperative=coop,
        as_of=query_date("as_of"),
        since=query_date("since"),
        until=query_date("until"),
        sections=sections,
        s=s,
    )
    if token.role == ApiRole.BUYER:  # not even how many reports were made
        report["flags"].pop(FlagKind.INCIDENT.value, None)
    if fmt == "csv":
        return _csv(report, f"indicators-{report['scope']}")
    return 200, report


def _flat(value: object, prefix: str = "") -> list[tuple[str, str]]:
    """A nested record as (dotted field, text) rows: ``tag.identifier``, ``custody.0.at``."""
    if isinstance(value, dict):
        return [row for k, v in value.items() for row in _flat(v, f"{prefix}{k}.")]
    if isinstance(value, list):
        if not value:
            return [(prefix.rstrip("."), "")]
        return [row for i, v in enumerate(value) for row in _flat(v, f"{prefix}{i}.")]
    return [(prefix.rstrip("."), "" if value is None else str(value))]


def lot_record(token: ApiToken, lot_number: str) -> tuple[int, object] | Response:
    """The lot as an ICGLR MD.12 record (JSON, or CSV ``field,value`` with ``?format=csv``)."""
    fmt = _format()
    session = db.session()
    found = _lot_in_scope(session, token, lot_number)
    record = lineage.md12(session, found)
    if fmt == "json":
        return 200, record
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("field", "value"))
    writer.writerows(_flat(json.loads(json.dumps(record, default=str))))
    return Response(
        out.getvalue(),
        status=200,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="md12-{found.lot_number}.csv"'},
    )
