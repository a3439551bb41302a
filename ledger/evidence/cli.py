"""``sanduku report ...`` (indicators, a group, a lot's lineage, flags, the flag scan) and
``sanduku lots ...`` (combine, seal, ship): plain functions behind click commands."""

from __future__ import annotations

import datetime as dt
import json

import click

from ledger import db, units
from ledger.codes import by_code
from ledger.days import parse_day
from ledger.errors import LedgerError
from ledger.evidence import chain, flags, indicators, lineage, lots, settings
from ledger.evidence.defaults import SCAN_DAYS
from ledger.gold import parse_fineness, parse_grams
from ledger.models import Cooperative, FlagKind, Group, Member, PartnerKind

report_group = click.Group("report", help="Indicators, lineage of lots and flags.")
lots_group = click.Group("lots", help="Chain of custody: combine, seal and ship lots.")


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_day(value, name)
    except LedgerError as exc:
        raise click.BadParameter(f"{value!r}: {exc.message}", param_hint=name) from None


def _one(model, code: str | None, what: str):
    if code is None:
        return None
    try:
        found = by_code(db.session(), model, code, what)
    except LedgerError:  # not even written like a code: there is no such row
        found = None
    if found is None:
        raise click.ClickException(f"unknown {what} {code}")
    return found


def _emit(text: str, out: str | None) -> None:
    if out:
        with open(out, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        click.echo(f"written to {out}")
    else:
        click.echo(text, nl=not text.endswith("\n"))


@report_group.command("indicators")
@click.option("--group", "group_code", help="One savings group (its indicators only).")
@click.option("--cooperative", help="Only this cooperative's groups, purchases and members.")
@click.option("--since", help="First local day of gold, SMS and flags (YYYY-MM-DD).")
@click.option("--until", help="Last local day (default today).")
@click.option("--as-of", "as_of", help="Date the loans are aged at (default today).")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("--out", help="Write to this file instead of stdout.")
def report_indicators(group_code, cooperative, since, until, as_of, fmt, out) -> None:
    """Savings-group, gold and SMS indicators, split by gender."""
    session = db.session()
    as_of_day = _date(as_of, "--as-of")
    group = _one(Group, group_code, "group")
    if group is not None:
        report = indicators.group_report(session, group, as_of_day)
    else:
        report = indicators.deployment_report(
            session,
            cooperative=_one(Cooperative, cooperative, "cooperative"),
            as_of=as_of_day,
            since=_date(since, "--since"),
            until=_date(until, "--until"),
        )
    _emit(indicators.to_csv(report) if fmt == "csv" else _json(report) + "\n", out)


@report_group.command("lot")
@click.argument("lot_number")
@click.option("--md12", is_flag=True, help="Only the ICGLR MD.12 lot record.")
@click.option("--phones", is_flag=True, help="Include miners' names and phones.")
def report_lot(lot_number: str, md12: bool, phones: bool) -> None:
    """A lot's lineage back to each purchase."""
    session = db.session()
    try:
        lot = lots.get_lot(session, lot_number)
    except LedgerError as exc:
        raise click.ClickException(exc.message) from None
    data = (
        lineage.md12(session, lot) if md12 else lineage.lineage(session, lot, include_phone=phones)
    )
    click.echo(_json(data))


@report_group.command("flags")
@click.option("--cooperative")
@click.option("--kind", type=click.Choice([k.value for k in FlagKind]))
@click.option("--since")
@click.option("--until")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
def report_flags(cooperative, kind, since, until, limit) -> None:
    """Stored flags, newest first: kind, day, reason."""
    session = db.session()
    coop = _one(Cooperative, cooperative, "cooperative")
    found = flags.list_flags(
        session,
        cooperative_id=coop.id if coop else None,
        kind=FlagKind(kind) if kind else None,
        since=_date(since, "--since"),
        until=_date(until, "--until"),
        limit=limit,
    )
    for flag in found:
        click.echo(f"{flag.id}\t{flag.day}\t{flag.kind.value}\t{flag.reason}")
    click.echo(f"{len(found)} flags", err=True)


@report_group.command("scan")
@click.option("--days", type=click.IntRange(1, 3660), default=SCAN_DAYS, show_default=True)
@click.option("--until", help="Last local day to scan (default today).")
def report_scan(days: int, until: str | None) -> None:
    """Recompute the flags of recent purchases (what the worker runs periodically)."""
    s = settings.current()
    last = _date(until, "--until") or s.today()
    session = db.session()
    summary = flags.scan(session, last - dt.timedelta(days=days - 1), last, s)
    session.commit()
    click.echo(_json(summary.as_dict()))


# -- lots ---------------------------------------------------------------------------------------


def _custodian(member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    member = db.session().get(Member, member_id)
    if member is None:
        raise click.ClickException(f"unknown member {member_id}")
    return member


def _run(fn):
    session = db.session()
    try:
        result = fn(session)
    except LedgerError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from None
    session.commit()
    return result


@lots_group.command("combine")
@click.argument("cooperative")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--mass-grams", help="Mass after melting or refining (default: the inputs').")
@click.option("--fineness", help="Assayed fineness, such as 0.925.")
@click.option(
    "--operation", type=click.Choice(["combination", "processing", "export"]), default="combination"
)
@click.option("--creator-role", type=click.IntRange(1, 8), default=7, show_default=True)
@click.option("--custodian", "custodian_id", type=int, help="Member id of who holds it.")
@click.option("--lot-number", help="The new lot's number (default: generated).")
def lots_combine(
    cooperative, inputs, mass_grams, fineness, operation, creator_role, custodian_id, lot_number
) -> None:
    """Combine lots INPUTS... of COOPERATIVE into a new lot (mass balance checked)."""
    coop = _one(Cooperative, cooperative, "cooperative")

    def act(session):
        return lots.combine_lots(
            session,
            coop,
            list(inputs),
            mass_mg=parse_grams(mass_grams, "mass_grams") if mass_grams else None,
            fineness_ppm=parse_fineness(fineness),
            operation=operation,
            creator_role=creator_role,
            custodian=_custodian(custodian_id),
            lot_number=lot_number,
        )

    lot = _run(act)
    click.echo(f"lot {lot.lot_number}: {units.grams(lot.mass_mg)} g")
    click.echo(lot.lot_number)


@lots_group.command("partner")
@click.argument("kind", type=click.Choice([k.value for k in PartnerKind]))
@click.argument("name")
@click.argument("licence")
@click.argument("country")
def lots_partner(kind: str, name: str, licence: str, country: str) -> None:
    """Add an exporter or a refiner (licence or registration number, ISO country code); its
    id, for shipping, is printed alone on the last line."""
    partner = _run(
        lambda session: chain.create_partner(
            session, kind, name=name, licence=licence, country=country
        )
    )
    click.echo(f"{kind} {partner.name}, {partner.licence} ({partner.country}):")
    click.echo(partner.id)


_PACKAGES = (
    click.option("--package-type", help="How the lot is packed, such as 'sealed bag'."),
    click.option("--packages", "nr_of_packages", type=int, help="How many packages."),
)


def _packed(command):
    for option in reversed(_PACKAGES):
        command = option(command)
    return command


@lots_group.command("seal")
@click.argument("lot_number")
@click.argument("tag")
@click.option("--issuer", help="Who issued the tag.")
@click.option("--custodian", "custodian_id", type=int)
@_packed
def lots_seal(
    lot_number: str,
    tag: str,
    issuer: str | None,
    custodian_id: int | None,
    package_type: str | None,
    nr_of_packages: int | None,
) -> None:
    """Seal LOT_NUMBER under TAG."""
    lot = _run(
        lambda session: lots.seal_lot(
            session,
            lots.get_lot(session, lot_number),
            tag,
            issuer=issuer,
            custodian=_custodian(custodian_id),
            package_type=package_type,
            nr_of_packages=nr_of_packages,
        )
    )
    click.echo(f"lot {lot.lot_number} sealed under tag {lot.tag}")


@lots_group.command("ship")
@click.argument("lot_number")
@click.option("--exporter", "exporter_id", type=int, required=True, help="The exporter's id.")
@click.option("--certificate", help="The export certificate's number.")
@click.option("--refiner", "refiner_id", type=int, help="The refiner's id.")
@click.option("--to", "destination", help="Where it goes.")
@click.option("--custodian", "custodian_id", type=int, help="Member id of who takes it.")
@_packed
def lots_ship(
    lot_number: str,
    exporter_id: int,
    certificate: str | None,
    refiner_id: int | None,
    destination: str | None,
    custodian_id: int | None,
    package_type: str | None,
    nr_of_packages: int | None,
) -> None:
    """Record that sealed LOT_NUMBER has shipped to an exporter."""
    lot = _run(
        lambda session: lots.ship_lot(
            session,
            lots.get_lot(session, lot_number),
            exporter=chain.get_partner(session, PartnerKind.EXPORTER, exporter_id, "exporter"),
            refiner=(
                chain.get_partner(session, PartnerKind.REFINER, refiner_id, "refiner")
                if refiner_id is not None
                else None
            ),
            export_certificate=certificate,
            destination=destination,
            custodian=_custodian(custodian_id),
            package_type=package_type,
            nr_of_packages=nr_of_packages,
        )
    )
    click.echo(f"lot {lot.lot_number} shipped at {lot.shipped_at:%Y-%m-%d %H:%M} UTC")


#: The evidence commands, added to ``sanduku`` with the books' others (``ledger.cli.GROUPS``).
GROUPS = (report_group, lots_group)
