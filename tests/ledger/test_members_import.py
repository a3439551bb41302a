from sqlalchemy import func, select

from ledger.members import import_members, members_on_phone
from ledger.models import Member
from tests import factories

CSV = """phone,name,gender,language,group,roles
0812345678,Amani Baraka,F,sw,VSLA1,member
+243 81 234 5678,Jean Lokwa,M,ln,VSLA1,"miner,officer"
0812345678,Furaha Baraka,F,fr,VSLA1,
12345,Bad Phone,F,sw,VSLA1,
0822222222,No Gender,X,sw,VSLA1,
0833333333,Wrong Group,M,sw,NOPE,
0844444444,Bad Role,M,sw,VSLA1,chief
0855555555,,F,sw,VSLA1,
"""


def test_import_reports_bad_rows_by_line_and_keeps_good_ones(session):
    factories.group(session, code="VSLA1")
    report = import_members(session, CSV)
    session.commit()
    assert (report.created, report.updated) == (3, 0)
    assert [line for line, _ in report.errors] == [5, 6, 7, 8, 9]
    reasons = dict(report.errors)
    assert "not a" in reasons[5] and "phone" in reasons[5]
    assert "gender" in reasons[6]
    assert "NOPE" in reasons[7]
    assert "chief" in reasons[8]
    assert "name" in reasons[9]
    # Two members share one household phone.
    shared = members_on_phone(session, "+243812345678")
    assert [m.name for m in shared] == ["Amani Baraka", "Jean Lokwa", "Furaha Baraka"]
    assert shared[1].roles == "member,miner,officer"
    assert shared[1].language == "ln"


def test_reimport_updates_instead_of_duplicating(session):
    factories.group(session, code="VSLA1")
    import_members(session, CSV)
    session.commit()
    changed = CSV.replace("Amani Baraka,F,sw", "amani  baraka,F,fr")
    report = import_members(session, changed)
    session.commit()
    assert (report.created, report.updated) == (0, 3)
    assert session.scalar(select(func.count()).select_from(Member)) == 3
    amani = members_on_phone(session, "+243812345678")[0]
    assert amani.language == "fr"


def test_cli_import(runner, session, tmp_path):
    factories.group(session, code="VSLA1")
    session.commit()
    path = tmp_path / "members.csv"
    path.write_text(CSV, encoding="utf-8")
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 1  # some rows were rejected
    assert "3 created, 0 updated, 5 rejected" in result.output
    assert "line 5:" in result.output


def test_csv_without_required_columns(runner, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("telephone,nom\n0812345678,Amani\n", encoding="utf-8")
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 1
    assert "missing: phone, name, gender" in result.output


def test_import_carries_the_id_document_and_site_so_miners_are_known(session):
    """An imported miner with an ID document and a site raises no unknown-seller flag."""
    import datetime as dt

    from ledger import gold
    from ledger.models import Flag, FlagKind

    coop = factories.cooperative(session)
    site = factories.site(session, coop, "MBS-03")
    text = (
        "phone,name,gender,language,group,roles,id_document,site\n"
        '0812345678,Amani Baraka,F,sw,,"member,miner",CD-ITU-0042,mbs-03\n'
        "0823456789,Jean Lokwa,M,ln,,miner,,NOPE\n"
    )
    report = import_members(session, text)
    session.commit()
    assert (report.created, report.updated) == (1, 0)
    assert report.errors[0][0] == 3 and "NOPE" in report.errors[0][1]
    (miner,) = members_on_phone(session, "+243812345678")
    assert (miner.id_document, miner.site_id, miner.cooperative_id) == (
        "CD-ITU-0042",
        site.id,
        coop.id,
    )
    gold.record_purchase(
        session,
        miner=miner,
        site=site,
        weight_mg=1000,
        price_per_gram=9550,
        currency="USD",
        at=dt.datetime(2025, 3, 10, 10),
    )
    session.commit()
    kinds = {f.kind for f in session.scalars(select(Flag))}
    assert FlagKind.UNREGISTERED_SELLER not in kinds
