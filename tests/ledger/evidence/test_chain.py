"""The chain in the books: exporters and refiners, taxes against a purchase or a lot, how a lot
is packed, fineness known and unknown across combined lots, and who may dispatch lots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger import access
from ledger.errors import LedgerError
from ledger.evidence import chain, lineage, lots
from ledger.models import TaxPayment
from tests import factories
from tests.ledger.evidence.builders import NOON, buy, miner


def _exporter(session, licence="EXP-1", country="CD"):
    return chain.create_partner(
        session, "exporter", name="Comptoir Ituri", licence=licence, country=country
    )


def test_partners_by_licence_and_country(session):
    exporter = _exporter(session)
    assert (exporter.country, exporter.licence) == ("CD", "EXP-1")
    with pytest.raises(LedgerError) as err:
        _exporter(session, country=" cd ")
    assert (err.value.code, err.value.field) == ("exists", "licence")
    refiner = chain.create_partner(
        session, "refiner", name="Kampala Refinery", licence="EXP-1", country="UG"
    )
    assert [p.id for p in chain.partners(session, "refiner")] == [refiner.id]
    for bad in ("ZZ", "EU", "", None, 243, "C D", "XX"):
        with pytest.raises(LedgerError) as err:
            _exporter(session, licence="EXP-2", country=bad)
        assert err.value.field == "country"
    with pytest.raises(LedgerError) as err:
        chain.get_partner(session, "exporter", refiner.id, "exporter")
    assert err.value.code == "unknown_exporter"
    for ref in (True, "1", -1, 2**40, None):
        with pytest.raises(LedgerError):
            chain.get_partner(session, "exporter", ref, "exporter")


@pytest.fixture
def two_lots(session, coop, site):
    """Two purchase lots (one with a purchase of unknown fineness) combined into an export lot."""
    other_site = factories.site(session, coop, "MONGBWALU")
    a = buy(session, miner(session, site), site, "10.000", NOON, fineness="0.900")
    b = buy(session, miner(session, other_site), other_site, "4.000", NOON, fineness="0.800")
    c = buy(session, miner(session, other_site), other_site, "2.000", NOON, fineness=None)
    export = lots.combine_lots(session, coop, [a.lot.lot_number, b.lot.lot_number], lot_number="E1")
    return a, b, c, export


def test_fineness_known_and_unknown_across_inputs(session, two_lots):
    a, _b, _c, export = two_lots
    record = lineage.md12(session, export)
    assert record["purchasesFinenessUnknown"] == 1
    assert record["fineGoldKnown"] is False and record["concentration"] is None
    # fine gold from the known fineness only: 10 x 0.9 + 4 x 0.8
    assert record["finenessKnown"] == {
        "purchases": 2,
        "mass": Decimal("14.000"),
        "fineGold": Decimal("12.200"),
    }
    own = lineage.md12(session, a.lot)
    assert own["purchasesFinenessUnknown"] == 0 and own["fineGoldKnown"] is True


def test_taxes_on_the_gold_of_every_input_show_in_the_export_record(session, two_lots):
    a, b, _c, export = two_lots
    chain.record_tax(
        session, place="site", amount=250, currency="USD", payee="SAEMAPE",
        receipt_number="S-1", purchase=a, paid_on=dt.date(2025, 3, 10),
    )  # fmt: skip
    chain.record_tax(
        session, place="cooperative", amount=45_000_00, currency="cdf", payee="Division des Mines",
        receipt_number="D-1", lot=b.lot, tax="taxe provinciale", paid_on=dt.date(2025, 3, 11),
    )  # fmt: skip
    taxes = lineage.md12(session, export)["taxesPaid"]
    assert [(t["receiptNumber"], t["purchaseNumber"], t["lotNumber"]) for t in taxes] == [
        ("S-1", a.receipt_number, None),
        ("D-1", None, b.lot.lot_number),
    ]
    assert (taxes[1]["amount"], taxes[1]["currency"], taxes[1]["tax"]) == (
        Decimal("45000.00"),
        "CDF",
        "taxe provinciale",
    )
    assert [t["receiptNumber"] for t in lineage.md12(session, a.lot)["taxesPaid"]] == ["S-1"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -100}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": "100"}, "amount"),
        ({"currency": "EUR"}, "currency"),
        ({"place": "river"}, "place"),
        ({"payee": " "}, "payee"),
        ({"receipt_number": None}, "receipt_number"),
        ({"receipt_number": "x" * 65}, "receipt_number"),
        ({"paid_on": dt.date(2999, 1, 1)}, "paid_on"),
        ({"lot": None}, "lot"),  # neither
        ({"both": True}, "lot"),
    ],
)
def test_a_bad_tax_writes_nothing(session, two_lots, changes, field):
    a, *_ = two_lots
    args = dict(
        place="site", amount=100, currency="USD", payee="SAEMAPE", receipt_number="R", lot=a.lot
    )
    changes = dict(changes)  # the table is shared by both databases' runs
    if changes.pop("both", False):
        args["purchase"] = a
    args.update(changes)
    with pytest.raises(LedgerError) as err:
        chain.record_tax(session, **args)
    assert err.value.field == field
    assert session.scalar(select(func.count()).select_from(TaxPayment)) == 0


def test_packages_at_seal_then_at_ship(session, two_lots):
    *_, export = two_lots
    lots.seal_lot(session, export, "T-9", package_type="sealed bag", nr_of_packages=1)
    for bad in (0, -1, True, 10_001, "2"):
        with pytest.raises(LedgerError) as err:
            lots.ship_lot(
                session, export, exporter=_exporter(session, f"E{bad}"), nr_of_packages=bad
            )
        assert err.value.field == "nr_of_packages"
    lots.ship_lot(
        session, export, exporter=_exporter(session), nr_of_packages=2, export_certificate=" C-1 "
    )
    record = lineage.md12(session, export)
    assert (record["packageType"], record["nrOfPackages"]) == ("sealed bag", 2)
    assert record["exportCertificate"] == "C-1" and record["exporter"]["licence"] == "EXP-1"
    assert record["refiner"] is None


def test_only_the_lots_own_coordinator_dispatches_it(session, coop):
    other = factories.cooperative(session, "COOP2", "Autre")
    ours = factories.member(session, roles="coordinator", coop=coop)
    theirs = factories.member(session, roles="coordinator", coop=other)
    buyer = factories.member(session, roles="buyer", coop=coop)
    assert access.may_dispatch_lots(access.for_member(ours), coop.id)
    assert not access.may_dispatch_lots(access.for_member(theirs), coop.id)
    assert not access.may_dispatch_lots(access.for_member(buyer), coop.id)
    assert access.may_keep_partners(access.for_member(theirs))
    assert not access.may_keep_partners(access.for_member(buyer))
