"""Chain of custody: lots combined over two levels, mass balance, seal and ship, lineage."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger.errors import LedgerError
from ledger.evidence import chain as chain_of
from ledger.evidence import lineage, lots
from ledger.models import Lot, LotEvent, LotInput, LotOperation, LotStatus, utcnow
from tests import factories
from tests.ledger.evidence.builders import buy, miner

DAY = dt.datetime(2025, 3, 3, 8, 0)


@pytest.fixture
def chain(session):
    """Three sites' purchase lots; A and B combined into C1; C1 and site C's lot into an
    export lot E (two levels of aggregation)."""
    coop = factories.cooperative(session)
    sites = [factories.site(session, coop, code, capacity_grams=10_000) for code in "ABC"]
    a1, a2 = miner(session, sites[0], gender="F"), miner(session, sites[0], gender="M")
    b1 = miner(session, sites[1], gender="F")
    c1 = miner(session, sites[2], gender="M")
    # fine gold per purchase = weight x fineness
    p = [
        buy(session, a1, sites[0], "10.000", DAY, fineness="0.900"),  # 9.000 g fine
        buy(session, a2, sites[0], "5.500", DAY + dt.timedelta(hours=1), fineness="0.800"),  # 4.4
        buy(session, b1, sites[1], "2.250", DAY, fineness="0.920", price="101.50"),  # 2.070
        buy(session, c1, sites[2], "7.000", DAY, fineness="0.850"),  # 5.950
    ]
    lot_a, lot_b, lot_c = p[0].lot, p[2].lot, p[3].lot
    assert p[1].lot is lot_a
    lots.seal_lot(session, lot_a, "tag-a-1", issuer="SAESSCAM")
    level1 = lots.combine_lots(session, coop, [lot_a.lot_number, lot_b.lot_number], lot_number="C1")
    export = lots.combine_lots(
        session,
        coop,
        [level1.lot_number, lot_c.lot_number],
        operation=LotOperation.EXPORT,
        lot_number="E1",
        # 24.750 g in; melted to 24.000 g at 0.890: 21.360 g fine <= 21.420 g in
        mass_mg=24_000,
        fineness_ppm=890_000,
    )
    session.commit()
    return {
        "coop": coop,
        "sites": sites,
        "purchases": p,
        "lots": (lot_a, lot_b, lot_c),
        "level1": level1,
        "export": export,
        "miners": (a1, a2, b1, c1),
    }


def test_lineage_through_two_levels(session, chain):
    export, level1 = chain["export"], chain["level1"]
    lot_a, lot_b, lot_c = chain["lots"]
    # 10.000 + 5.500 + 2.250 g = 17.750 g; fine 9.000 + 4.400 + 2.070 = 15.470 g
    assert (level1.mass_mg, level1.fine_mg) == (17_750, 15_470)
    assert level1.site_id is None  # two sites
    assert (export.mass_mg, export.fine_mg) == (24_000, 21_360)
    for lot in (lot_a, lot_b, lot_c, level1):
        assert lot.status == LotStatus.COMBINED

    tree = lineage.lineage(session, export)
    # inputs in the order the lots were made
    assert [n["lot_number"] for n in tree["inputs"]] == [lot_c.lot_number, "C1"]
    c1_node = tree["inputs"][1]
    assert [n["lot_number"] for n in c1_node["inputs"]] == [lot_a.lot_number, lot_b.lot_number]
    a_node = c1_node["inputs"][0]
    assert [p["receipt_number"] for p in a_node["purchases"]] == [
        chain["purchases"][0].receipt_number,
        chain["purchases"][1].receipt_number,
    ]
    first = a_node["purchases"][0]
    assert first["miner"] == {
        "id": chain["miners"][0].id,
        "gender": "F",
        "id_document_on_file": True,
    }
    assert first["site"] == "A"
    assert first["weight_grams"] == Decimal("10.000")
    assert first["price_per_gram"] == Decimal("100.00")
    assert first["purchased_at"] == "2025-03-03T08:00:00Z"
    origin = tree["origin"]
    assert origin["purchase_count"] == 4
    assert origin["weight_grams"] == Decimal("24.750")
    # 1,000.00 + 550.00 + 228.38 (2.25 x 101.50 = 228.375, half up) + 700.00
    assert origin["value"] == {"USD": Decimal("2478.38")}
    assert origin["sites"] == ["A", "B", "C"]
    assert origin["miners"] == 4
    assert "phone" not in str(tree)
    assert tree["mass_balance"]["ok"] and c1_node["mass_balance"]["ok"]
    assert tree["mass_balance"]["inputs_mass_grams"] == Decimal("24.750")

    with_phones = lineage.lineage(session, export, include_phone=True)
    phones = {p["miner"]["phone"] for p in with_phones["origin"]["purchases"]}
    assert phones == {m.phone for m in chain["miners"]}


def test_md12_record(session, chain):
    export, lot_a = chain["export"], chain["lots"][0]
    record = lineage.md12(session, export)
    assert record["lotNumber"] == "E1"
    assert record["mineral"] == "7108.12"
    assert record["unitOfMeasurement"] == "GRM"
    assert record["mass"] == Decimal("24.000")
    assert record["concentration"] == Decimal("89.00")
    assert record["originatingOperation"] == 8
    assert record["creatorRole"] == 7
    assert record["inputLots"] == [chain["lots"][2].lot_number, "C1"]
    assert record["mineSiteId"] is None  # several sites
    a = lineage.md12(session, lot_a)
    assert a["originatingOperation"] == 2
    assert a["tag"]["identifier"] == "TAG-A-1" and a["tag"]["issuer"] == "SAESSCAM"
    assert a["mineSiteId"] == f"CD-1.566000-30.250000-{chain['sites'][0].id:05d}"
    assert [p["purchaseNumber"] for p in a["purchases"]] == [
        chain["purchases"][0].receipt_number,
        chain["purchases"][1].receipt_number,
    ]


def _counts(session):
    return (
        session.scalar(select(func.count()).select_from(Lot)),
        session.scalar(select(func.count()).select_from(LotInput)),
        session.scalar(select(func.count()).select_from(LotEvent)),
    )


@pytest.mark.parametrize(
    ("mass_mg", "fineness_ppm", "field"),
    [
        (7_001, None, "mass_grams"),  # 1 mg heavier than the inputs
        (7_000, 900_001, "fineness"),  # 7.000 g x 0.900001 = 6.300007 g > 6.300 g fine
        (6_900, 913_044, "fineness"),  # 6.300003 g of fine gold from 6.300 g
    ],
)
def test_mass_balance_refused(session, mass_mg, fineness_ppm, field):
    coop = factories.cooperative(session)
    site = factories.site(session, coop)
    m = miner(session, site)
    p1 = buy(session, m, site, "4.000", DAY, fineness="0.900")  # 3.600 g fine
    site2 = factories.site(session, coop, "SITE2")
    p2 = buy(session, miner(session, site2), site2, "3.000", DAY, fineness="0.900")  # 2.700
    session.commit()
    before = _counts(session)
    with pytest.raises(LedgerError) as err:
        lots.combine_lots(
            session,
            coop,
            [p1.lot.lot_number, p2.lot.lot_number],
            mass_mg=mass_mg,
            fineness_ppm=fineness_ppm,
        )
    session.rollback()
    assert (err.value.code, err.value.field) == ("mass_balance", field)
    assert _counts(session) == before
    assert p1.lot.status == LotStatus.OPEN


@pytest.mark.parametrize(
    ("mass_mg", "fineness_ppm", "fine_mg"),
    [
        (7_000, None, 6_300),  # same mass: the inputs' fine gold
        (7_000, 900_000, 6_300),  # exactly at the balance
        (6_900, 913_043, 6_299),  # 6.2999967 g, rounded down to whole mg
        (6_500, None, None),  # a loss without an assay: fine gold unknown
    ],
)
def test_mass_balance_accepted(session, mass_mg, fineness_ppm, fine_mg):
    coop = factories.cooperative(session)
    site, site2 = factories.site(session, coop), factories.site(session, coop, "SITE2")
    p1 = buy(session, miner(session, site), site, "4.000", DAY, fineness="0.900")
    p2 = buy(session, miner(session, site2), site2, "3.000", DAY, fineness="0.900")
    out = lots.combine_lots(
        session,
        coop,
        [p1.lot.lot_number, p2.lot.lot_number],
        mass_mg=mass_mg,
        fineness_ppm=fineness_ppm,
        operation=LotOperation.PROCESSING,
    )
    assert (out.mass_mg, out.fine_mg) == (mass_mg, fine_mg)


def test_seal_ship_and_custody_log(session, chain):
    export = chain["export"]
    holder = factories.member(session, roles="buyer")
    carrier = factories.member(session, roles="buyer")
    sealed, shipped = utcnow() + dt.timedelta(hours=1), utcnow() + dt.timedelta(days=1)
    exporter = chain_of.create_partner(
        session, "exporter", name="Comptoir Ituri", licence="EXP-9", country="CD"
    )
    with pytest.raises(LedgerError) as err:
        lots.ship_lot(session, export, exporter=exporter)
    assert err.value.code == "not_sealed"
    with pytest.raises(LedgerError) as err:
        lots.seal_lot(session, export, "EXP-0001", at=export.created_at - dt.timedelta(seconds=1))
    assert err.value.code == "before_created"
    with pytest.raises(LedgerError) as err:
        lots.seal_lot(session, export, "TAG-A-1")  # already on lot A
    assert err.value.code == "tag_used"
    lots.seal_lot(session, export, "EXP-0001", issuer="CEEC", custodian=holder, at=sealed)
    with pytest.raises(LedgerError) as err:
        lots.ship_lot(session, export, destination="Kampala")  # to no exporter
    assert (err.value.code, err.value.field) == ("required", "exporter")
    lots.ship_lot(
        session, export, exporter=exporter, destination="Kampala", custodian=carrier, at=shipped
    )
    session.commit()
    tree = lineage.lineage(session, export, include_phone=True)
    assert [
        (e["action"], e["custodian"]["id"] if e["custodian"] else None, e["note"])
        for e in tree["events"]
    ] == [
        ("created", None, f"export of C1, {chain['lots'][2].lot_number}"),
        ("sealed", holder.id, "EXP-0001"),
        ("shipped", carrier.id, "Kampala"),
    ]
    record = lineage.md12(session, export)
    assert (record["dateSealed"], record["dateShipped"]) == (
        sealed.date().isoformat(),
        shipped.date().isoformat(),
    )
    assert record["tag"] == {
        "identifier": "EXP-0001",
        "issuer": "CEEC",
        "date": record["dateSealed"],
    }
    assert record["responsibleStaff"] == carrier.name
    with pytest.raises(LedgerError) as err:
        lots.seal_lot(session, export, "EXP-0002")
    assert err.value.code == "lot_closed"


def test_combined_lot_takes_nothing_more(session, chain):
    lot_a = chain["lots"][0]
    coop, site = chain["coop"], chain["sites"][0]
    with pytest.raises(LedgerError) as err:
        lots.combine_lots(session, coop, [lot_a.lot_number])
    assert err.value.code == "lot_closed"
    with pytest.raises(LedgerError) as err:
        buy_into = chain["miners"][0]
        from ledger import gold

        gold.record_purchase(
            session,
            miner=buy_into,
            site=site,
            weight_mg=1000,
            price_per_gram=10000,
            currency="USD",
            lot_number=lot_a.lot_number,
        )
    assert err.value.code == "lot_closed"
    other = factories.cooperative(session, "COOP2", "Other")
    with pytest.raises(LedgerError) as err:
        lots.combine_lots(session, other, [chain["export"].lot_number])
    assert err.value.code == "other_cooperative"


def test_lots_on_the_command_line(runner, session):
    coop = factories.cooperative(session)
    site, site2 = factories.site(session, coop), factories.site(session, coop, "SITE2")
    p1 = buy(session, miner(session, site), site, "4.000", DAY, fineness="0.900")
    p2 = buy(session, miner(session, site2), site2, "3.000", DAY, fineness="0.900")
    session.commit()
    inputs = [p1.lot.lot_number, p2.lot.lot_number]
    refused = runner.invoke(args=["lots", "combine", coop.code, *inputs, "--mass-grams", "7.001"])
    assert refused.exit_code != 0 and "weighs more" in refused.output
    made = runner.invoke(
        args=["lots", "combine", coop.code, *inputs, "--fineness", "0.9", "--lot-number", "EXP-1"]
    )
    assert made.exit_code == 0, made.output
    assert made.output.splitlines()[-1] == "EXP-1"
    assert runner.invoke(args=["lots", "seal", "exp-1", "T-77", "--issuer", "CEEC"]).exit_code == 0
    added = runner.invoke(args=["lots", "partner", "exporter", "Comptoir Ituri", "E/7", "cd"])
    assert added.exit_code == 0, added.output
    exporter_id = added.output.splitlines()[-1]
    unknown = runner.invoke(args=["lots", "ship", "EXP-1", "--exporter", "999"])
    assert unknown.exit_code != 0 and "no exporter 999" in unknown.output
    shipped = runner.invoke(
        args=["lots", "ship", "EXP-1", "--exporter", exporter_id, "--certificate", "C-7",
              "--packages", "3", "--package-type", "bag", "--to", "Entebbe"]
    )  # fmt: skip
    assert shipped.exit_code == 0, shipped.output
    shown = runner.invoke(args=["report", "lot", "EXP-1", "--md12"])
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.output)
    assert (record["mass"], record["concentration"], record["inputLots"]) == (
        "7.000",
        "90.00",
        inputs,
    )
    assert record["tag"]["identifier"] == "T-77"
    assert (record["exportCertificate"], record["nrOfPackages"], record["packageType"]) == (
        "C-7",
        3,
        "bag",
    )
    assert record["exporter"]["licence"] == "E/7" and record["exporter"]["country"] == "CD"
    tree = json.loads(runner.invoke(args=["report", "lot", "EXP-1"]).output)
    assert tree["origin"]["purchase_count"] == 2 and "phone" not in json.dumps(tree)
    with_phones = runner.invoke(args=["report", "lot", "EXP-1", "--phones"]).output
    assert p1.miner.phone in with_phones
    assert runner.invoke(args=["report", "lot", "NOPE"]).exit_code != 0
