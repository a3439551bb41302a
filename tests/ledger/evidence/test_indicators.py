"""Indicators on a hand-built dataset; every expected value is worked out in the comments.

Group VSLA1 (CDF, share 1,000 FC, social fund 200 FC, 10 % flat a month), five members:
A, B, C women; D, E men; A, C and D on the committee (officers). Five weekly meetings:

  meeting   roll        present      shares             other
  M1 6 Jan  A B C D E   A B C D E    A2 B1 C3 D1 E2     E borrows 1,000 (charge 100)
  M2 13 Jan A B C D E   A B C D      A2 B1 C3 D1        B borrows 2,000 (charge 200)
  M3 20 Jan A B C D E   A C D E      A2 C3 D1 E2        D borrows 4,000 (charge 400);
                                                        C fined 100; E repays 600
  -- 24 Jan: E leaves; E's remaining 500 principal is written off
  M4 27 Jan A B C D     A B C        A2 B1 C3           B repays 1,000
  M5 3 Feb  A B C D     A B D        A2 B1 D1           expense 100 (from the loan fund)

Everyone present pays the 200 FC social fund. Indicators as of 16 March 2025.
"""

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest

from ledger import gold, vsla
from ledger.evidence import indicators, settings
from ledger.loans import open_loans, write_off
from ledger.meetings import MeetingRecord as R
from ledger.meetings import record_meeting
from ledger.models import MemberStatus, Message, MessageStatus
from tests import factories
from tests.ledger.evidence.builders import buy, miner

START = dt.date(2025, 1, 6)
AS_OF = dt.date(2025, 3, 16)


def week(n: int) -> dt.date:
    return START + dt.timedelta(weeks=n - 1)


@pytest.fixture
def group(session):
    coop = factories.cooperative(session)
    g = factories.group(session, coop, share_value=1000_00, social=200_00, rate_bp=1000)
    a = factories.member(session, g, name="A", gender="F", roles="officer")
    b = factories.member(session, g, name="B", gender="F")
    c = factories.member(session, g, name="C", gender="F", roles="officer")
    d = factories.member(session, g, name="D", gender="M", roles="officer")
    e = factories.member(session, g, name="E", gender="M")

    def meet(n, present, shares, extra=None):
        extra = extra or {}
        records = [
            R(m, shares=shares.get(m, 0), social_fund=200_00, **extra.get(m, {})) for m in present
        ]
        record_meeting(session, g, week(n), present, records)

    meet(
        1,
        [a, b, c, d, e],
        {a: 2, b: 1, c: 3, d: 1, e: 2},
        {e: {"loan": 1000_00, "loan_term_months": 1}},
    )
    meet(2, [a, b, c, d], {a: 2, b: 1, c: 3, d: 1}, {b: {"loan": 2000_00, "loan_term_months": 1}})
    meet(
        3,
        [a, c, d, e],
        {a: 2, c: 3, d: 1, e: 2},
        {
            d: {"loan": 4000_00, "loan_term_months": 1},
            c: {"fine": 100_00},
            e: {"repayment": 600_00},
        },
    )
    (loan_e,) = open_loans(session, e)
    write_off(session, loan_e, dt.date(2025, 1, 24))
    e.status, e.left_on = MemberStatus.INACTIVE, dt.date(2025, 1, 24)
    meet(4, [a, b, c], {a: 2, b: 1, c: 3}, {b: {"repayment": 1000_00}})
    meet(5, [a, b, d], {a: 2, b: 1, d: 1})
    vsla.record_expense(session, g, 100_00, week(5), "padlock")
    session.commit()
    return g


def test_group_indicators_by_hand(session, group):
    report = indicators.group_report(session, group, AS_OF)
    i = report["indicators"]
    assert (report["cycle"], report["cycle_start"], report["as_of"]) == (
        1,
        "2025-01-06",
        "2025-03-16",
    )

    # Active members: A B C D (E left): 3 women, 1 man.
    assert i["members"] == {"all": 4, "F": 3, "M": 1}
    assert i["women_rate"] == D("0.7500")
    assert i["officers"] == {"all": 3, "F": 2, "M": 1}
    assert i["women_officers_rate"] == D("0.6667")  # 2/3

    # Last 4 meetings M2..M5: present 4+4+3+3 = 14 of rolls 5+5+4+4 = 18 -> 0.7778;
    # women 3+2+3+2 = 10 of 3+3+3+3 = 12 -> 0.8333; men 1+2+0+1 = 4 of 2+2+1+1 = 6 -> 0.6667.
    assert i["meetings_counted"] == 4
    assert i["attendance_rate"] == {"all": D("0.7778"), "F": D("0.8333"), "M": D("0.6667")}

    # Savings of active members: A 10 shares, B 4, C 12 (women 26,000 FC), D 4 (4,000 FC).
    assert i["savings"] == {"all": D("30000.00"), "F": D("26000.00"), "M": D("4000.00")}
    # E's 4 shares are still in the books until E is paid out: 34 shares, 34,000 FC.
    assert i["savings_total"] == D("34000.00")
    # 30,000/4 = 7,500; 26,000/3 = 8,666.666.. -> 8,666.67; 4,000/1.
    assert i["savings_per_member"] == {"all": D("7500.00"), "F": D("8666.67"), "M": D("4000.00")}

    # Open loans: B 2,000 + 200 charge - 1,000 repaid (charge first) = 1,200;
    # D 4,000 + 400 = 4,400. Total 5,600.
    assert i["loans_outstanding"] == {"all": D("5600.00"), "F": D("1200.00"), "M": D("4400.00")}
    assert i["borrowers"] == {"all": 2, "F": 1, "M": 1}
    assert i["members_with_loan_rate"] == {"all": D("0.5000"), "F": D("0.3333"), "M": D("1.0000")}
    # B due 12 Feb: 32 days late on 16 March (> 30); D due 19 Feb: 25 days late.
    # PAR = 1,200 / 5,600 = 0.2142857 -> 0.2143; women 1,200/1,200; men 0/4,400.
    assert i["par30_rate"] == {"all": D("0.2143"), "F": D("1.0000"), "M": D("0.0000")}
    # Loans this cycle: E 1,000, B 2,000, D 4,000 -> 3 loans, 7,000 FC; average 2,333.33;
    # women 1 loan of 2,000; men 2 loans, 5,000, average 2,500.
    assert i["loans_disbursed"] == {"all": 3, "F": 1, "M": 2}
    assert i["loans_disbursed_value"] == {"all": D("7000.00"), "F": D("2000.00"), "M": D("5000.00")}
    assert i["average_loan"] == {"all": D("2333.33"), "F": D("2000.00"), "M": D("2500.00")}
    # Active members who borrowed this cycle: B, D (E left) -> 2/4, 1/3, 1/1.
    assert i["loan_uptake_rate"] == {"all": D("0.5000"), "F": D("0.3333"), "M": D("1.0000")}
    # E owed 1,100, repaid 600 (100 charge, 500 principal): 500 written off.
    assert i["write_offs"] == {"all": D("500.00"), "F": D("0.00"), "M": D("500.00")}

    # Dropout: M1's roll was 5 (3 women, 2 men); E left.
    assert i["members_at_start"] == {"all": 5, "F": 3, "M": 2}
    assert i["members_left"] == {"all": 1, "F": 0, "M": 1}
    assert i["dropout_rate"] == {"all": D("0.2000"), "F": D("0.0000"), "M": D("0.5000")}

    # Loan fund: M1 9,000 - 1,000 = 8,000; M2 +7,000 - 2,000 = 13,000;
    # M3 +8,000 + 100 fine + 600 repaid - 4,000 = 17,700; M4 +6,000 + 1,000 = 24,700;
    # M5 +4,000 = 28,700; expense -100 = 28,600.
    assert i["loan_fund_cash"] == D("28600.00")
    # Social fund: 200 x (5 + 4 + 4 + 3 + 3) = 3,800.
    assert i["social_fund_balance"] == D("3800.00")
    # Assets 28,600 + 3,800 + 5,600 = 38,000 (= 34,000 savings + 3,800 social + 200 profit).
    assert i["assets"] == D("38000.00")
    assert i["assets_at_start"] == D("0.00")
    # Utilisation 5,600 / (5,600 + 28,600) = 0.163742 -> 0.1637.
    assert i["loan_fund_utilisation"] == D("0.1637")
    # Net income: charges 100 + 200 + 400 = 700, fines 100, write-offs 500, expenses 100 -> 200.
    assert (i["service_charges"], i["fines"], i["expenses"]) == (
        D("700.00"),
        D("100.00"),
        D("100.00"),
    )
    assert i["net_income"] == D("200.00")
    # 69 days = 9.857 weeks; RoA = 200 / ((0 + 38,000) / 2) x 52 / (69 / 7)
    #   = 200 x 364 / (19,000 x 69) = 72,800 / 1,311,000 = 0.05553 -> 0.0555.
    assert i["weeks_elapsed"] == D("9.8571")
    assert i["roa_annualised"] == D("0.0555")
    # Shares 9 + 7 + 8 + 6 + 4 = 34; value per share (28,600 + 5,600) / 34 = 1,005.882 -> 1,005.88;
    # return per share (100,588 - 100,000) / 100,000 = 0.00588 -> 0.0059.
    assert i["shares"] == 34
    assert i["value_per_share"] == D("1005.88")
    assert i["return_per_share"] == D("0.0059")


def test_pooled_groups_and_csv(session, group):
    # A second CDF group: one woman present, one man absent, at one meeting.
    g2 = factories.group(session, group.cooperative, "VSLA2", share_value=500_00, social=0)
    w = factories.member(session, g2, gender="F")
    m = factories.member(session, g2, gender="M")
    record_meeting(session, g2, week(2), [w], [R(w, shares=2)])
    session.commit()
    report = indicators.deployment_report(
        session, as_of=AS_OF, since=dt.date(2025, 1, 1), until=AS_OF, sections=("savings_groups",)
    )
    pooled = report["savings_groups"]["pooled"]["CDF"]
    assert pooled["groups"] == 2
    assert pooled["members"] == {"all": 6, "F": 4, "M": 2}
    # VSLA1: 14/18 (women 10/12, men 4/6); VSLA2: 1/2 (woman 1/1, man 0/1).
    # Pooled: 15/20 = 0.75; women 11/13 = 0.846153.. -> 0.8462; men 4/7 = 0.571428.. -> 0.5714.
    assert pooled["attendance_rate"] == {"all": D("0.7500"), "F": D("0.8462"), "M": D("0.5714")}
    # Savings 30,000 + 1,000 over 6 members = 5,166.666.. -> 5,166.67.
    assert pooled["savings_per_member"]["all"] == D("5166.67")
    assert m.id  # the absent man counts as a member

    text = indicators.to_csv(report)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["section", "scope", "period", "indicator", "gender", "value", "unit"]
    find = {(r["section"], r["scope"], r["indicator"], r["gender"]): r for r in rows}
    row = find[("savings_group", "VSLA1", "attendance_rate", "F")]
    assert (D(row["value"]), row["unit"]) == (D("0.8333"), "ratio")
    assert row["period"] == "cycle 1 2025-01-06..2025-03-16"
    row = find[("savings_group", "VSLA1", "savings_per_member", "F")]
    assert (D(row["value"]), row["unit"]) == (D("8666.67"), "CDF")
    row = find[("savings_groups", "all CDF", "attendance_rate", "M")]
    assert D(row["value"]) == D("0.5714")
    # an undefined ratio is an empty cell: VSLA2 has no loans, so no PAR
    assert find[("savings_group", "VSLA2", "par30_rate", "all")]["value"] == ""
    for r in rows:
        if r["value"] and r["unit"] not in ("weeks",):
            D(r["value"])  # every value is an exact number


def test_cli_report_csv(runner, group):
    result = runner.invoke(
        args=[
            "report",
            "indicators",
            "--group",
            "vsla1",
            "--as-of",
            "2025-03-16",
            "--format",
            "csv",
        ]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    values = {(r["indicator"], r["gender"]): r["value"] for r in rows}
    assert values[("dropout_rate", "M")] == "0.5000"
    assert values[("roa_annualised", "all")] == "0.0555"
    assert {r["scope"] for r in rows} == {"VSLA1"}


# -- gold --------------------------------------------------------------------------------------


def _set_delivery(session, purchase, status):
    """The receipt's delivery status (the SMS layer may already have written the row)."""
    message = session.query(Message).filter_by(cause=f"purchase:{purchase.id}").one_or_none()
    if message is None:
        message = Message(
            phone=purchase.miner.phone,
            member_id=purchase.miner_id,
            kind="receipt",
            language="sw",
            body="receipt",
            cause=f"purchase:{purchase.id}",
        )
        session.add(message)
    message.status = status
    session.flush()


def test_gold_indicators_by_hand(session):
    """Price posted 31 Jan: 100.00 USD/g.

    purchase  site  seller  grams   USD/g   total     receipt
    1 Feb     S1    W1 (F)  10.000  100.00  1,000.00  delivered
    1 Feb     S1    M1 (M)   5.000  110.00    550.00  sent
    2 Feb     S2    W2 (F)   2.500   96.00    240.00  delivered
    1 Mar     S1    W1 (F)   1.000  105.00    105.00  -          (the post is > 7 days old)
    """
    coop = factories.cooperative(session)
    s1 = factories.site(session, coop, "S1")
    s2 = factories.site(session, coop, "S2")
    w1, w2 = miner(session, s1, gender="F"), miner(session, s2, gender="F")
    m1 = miner(session, s1, gender="M")
    post = gold.post_price(session, coop, 100_00)
    post.posted_at = dt.datetime(2025, 1, 31, 6)
    p1 = buy(session, w1, s1, "10.000", dt.datetime(2025, 2, 1, 8), price="100.00")
    p2 = buy(session, m1, s1, "5.000", dt.datetime(2025, 2, 1, 9), price="110.00")
    p3 = buy(session, w2, s2, "2.500", dt.datetime(2025, 2, 2, 9), price="96.00")
    buy(session, w1, s1, "1.000", dt.datetime(2025, 3, 1, 9), price="105.00")
    _set_delivery(session, p1, MessageStatus.DELIVERED)
    _set_delivery(session, p2, MessageStatus.SENT)
    _set_delivery(session, p3, MessageStatus.DELIVERED)
    session.commit()

    report = indicators.deployment_report(
        session, since=dt.date(2025, 1, 1), until=dt.date(2025, 3, 31), sections=("gold",)
    )["gold"]
    buckets = {(b["site"], b["month"]): b["indicators"] for b in report["by_site_month"]}
    assert list(buckets) == [("S1", "2025-02"), ("S1", "2025-03"), ("S2", "2025-02")]
    feb = buckets[("S1", "2025-02")]
    assert feb["purchases"] == {"all": 2, "F": 1, "M": 1}
    assert feb["grams"] == {"all": D("15.000"), "F": D("10.000"), "M": D("5.000")}
    assert feb["value"] == {"all": D("1550.00"), "F": D("1000.00"), "M": D("550.00")}
    # 155,000 cents x 1000 / 15,000 mg = 10,333.3 -> 103.33 USD/g
    assert feb["average_price_paid"] == {"all": D("103.33"), "F": D("100.00"), "M": D("110.00")}
    assert feb["average_price_posted"]["all"] == D("100.00")
    # (100 x 10 + 110 x 5) / (100 x 15) = 1,550 / 1,500 = 1.0333
    assert feb["paid_vs_posted"] == {"all": D("1.0333"), "F": D("1.0000"), "M": D("1.1000")}
    assert feb["receipt_delivered_rate"] == {"all": D("0.5000"), "F": D("1.0000"), "M": D("0.0000")}
    march = buckets[("S1", "2025-03")]
    assert march["purchases_with_posted_price"]["all"] == 0
    assert march["paid_vs_posted"]["all"] is None
    assert march["average_price_posted"]["all"] is None

    usd = report["totals"]["USD"]
    assert usd["sellers"] == {"all": 3, "F": 2, "M": 1}
    assert usd["grams"] == {"all": D("18.500"), "F": D("13.500"), "M": D("5.000")}
    assert usd["value"] == {"all": D("1895.00"), "F": D("1345.00"), "M": D("550.00")}
    # 189,500 x 1000 / 18,500 = 10,243.2 -> 102.43;
    # women 134,500 x 1000 / 13,500 = 9,962.96 -> 99.63
    assert usd["average_price_paid"] == {"all": D("102.43"), "F": D("99.63"), "M": D("110.00")}
    # priced purchases 1-3: (1,000 + 550 + 240) / (100 x 17.5) = 1,790 / 1,750 = 1.0229;
    # women (1,000 + 240) / (100 x 12.5) = 0.992
    assert usd["paid_vs_posted"] == {"all": D("1.0229"), "F": D("0.9920"), "M": D("1.1000")}
    assert usd["receipts_delivered"] == {"all": 2, "F": 2, "M": 0}
    assert usd["receipt_delivered_rate"] == {"all": D("0.5000"), "F": D("0.6667"), "M": D("0.0000")}


# -- SMS ---------------------------------------------------------------------------------------


def test_sms_indicators_by_hand(session):
    w = factories.member(session, gender="F", language="ln")
    m = factories.member(session, gender="M", language="fr")
    day = dt.datetime(2025, 3, 10, 8)
    rows = [
        # kind, member, status, segments, cost
        ("receipt", w, MessageStatus.DELIVERED, 1, "USD 0.0200"),
        ("receipt", w, MessageStatus.DELIVERED, 1, "USD 0.0200"),
        ("receipt", m, MessageStatus.FAILED, 2, "USD 0.0400"),
        ("price", m, MessageStatus.DELIVERED, 1, "KES 0.8000"),
        ("price", m, MessageStatus.PENDING, 1, None),
        ("price", None, MessageStatus.SENT, 1, "garbled"),
    ]
    for n, (kind, member, status, segments, cost) in enumerate(rows):
        session.add(
            Message(
                phone=member.phone if member else "+243810000000",
                member_id=member.id if member else None,
                kind=kind,
                language=member.language if member else "sw",
                body="x",
                segments=segments,
                status=status,
                cost=cost,
                cause=f"test:{n}",
                created_at=day,
            )
        )
    session.add(
        Message(
            phone=w.phone,
            member_id=w.id,
            kind="price",
            language="ln",
            body="x",
            status=MessageStatus.DELIVERED,
            cause="old",
            created_at=day - dt.timedelta(days=40),
        )
    )
    session.commit()
    report = indicators.deployment_report(
        session, since=dt.date(2025, 3, 1), until=dt.date(2025, 3, 31), sections=("sms",)
    )["sms"]
    table = {(r["kind"], r["status"], r["language"]): r for r in report["by_kind_status_language"]}
    assert table[("receipt", "delivered", "ln")] == {
        "kind": "receipt",
        "status": "delivered",
        "language": "ln",
        "messages": 2,
        "segments": 2,
        "cost": {"USD": D("0.0400")},
    }
    assert table[("receipt", "failed", "fr")]["segments"] == 2
    assert table[("price", "pending", "fr")]["cost"] == {}
    totals = report["totals"]
    # 6 in March (the 40-day-old one is outside); 3 delivered; 7 segments.
    assert (totals["messages"], totals["delivered"], totals["segments"]) == (6, 3, 7)
    assert totals["delivered_rate"] == D("0.5000")
    assert totals["cost"] == {"KES": D("0.8000"), "USD": D("0.0800")}
    assert totals["cost_unparsed"] == 1
    # women: 2 of 2 delivered; men: 1 of 3; no member: 0 of 1
    assert report["by_gender"]["F"] == {
        "messages": 2,
        "delivered": 2,
        "delivered_rate": D("1.0000"),
    }
    assert report["by_gender"]["M"]["delivered_rate"] == D("0.3333")
    assert report["by_gender"]["unknown"]["messages"] == 1

    rows_out = list(
        csv.DictReader(
            io.StringIO(
                indicators.to_csv(
                    {
                        "scope": "all",
                        "as_of": "2025-03-31",
                        "since": "2025-03-01",
                        "until": "2025-03-31",
                        "sms": report,
                    }
                )
            )
        )
    )
    cost = [r for r in rows_out if r["scope"] == "all" and r["indicator"] == "cost"]
    assert {(r["unit"], D(r["value"])) for r in cost} == {("KES", D("0.8")), ("USD", D("0.08"))}


def test_default_period_is_twelve_months():
    assert indicators.default_since(dt.date(2025, 3, 16)) == dt.date(2024, 4, 1)
    assert indicators.default_since(dt.date(2025, 12, 31)) == dt.date(2025, 1, 1)
    assert settings.current().tz == "Africa/Lubumbashi"
