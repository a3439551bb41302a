"""Every form of the console, sent generated values: never a 5xx; a refusal (4xx) marks a
field or says why, and writes nothing."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ledger.meetings import MeetingRecord, record_meeting
from ledger.models import (
    ConsoleSubmission,
    Cycle,
    EnrolmentCode,
    Entry,
    Flag,
    Loan,
    Lot,
    LotEvent,
    Meeting,
    Member,
    PricePost,
    SiteChange,
)
from tests.console.conftest import csrf

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TABLES = (
    PricePost, Meeting, Entry, Member, EnrolmentCode, ConsoleSubmission, Flag, Cycle, SiteChange,
    Lot, LotEvent,
)  # fmt: skip

#: Values a person, a broken phone or a hostile script might send.
junk = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["", "0", "-1", "1e9", "9" * 30, "1,5", "1.555", "NaN", "Infinity", " 12 ", "٣", "\x00",
         "<script>", "2026-02-30", "1999-01-01", "99", "0810000001", "+243", "COOPBUNIA"]
    ),
)  # fmt: skip


#: A form's key: a fresh valid one (the write is tried), or anything else.
keys = st.one_of(junk, st.text(alphabet="0123456789abcdef", min_size=32, max_size=32))


def counts(session) -> tuple[int, ...]:
    session.expire_all()
    state = tuple(session.scalar(select(func.count()).select_from(t)) for t in TABLES)
    closed = session.scalar(select(func.count()).where(Meeting.closed_at.is_not(None)))
    counted = session.scalar(select(func.count()).where(Meeting.counted_at.is_not(None)))
    left = session.scalar(select(func.count()).where(Member.left_on.is_not(None)))
    return (*state, closed, counted, left)


def check(answer, before, session) -> None:
    assert answer.status_code < 500, answer.text[-2000:]
    if 400 <= answer.status_code < 500:
        assert counts(session) == before
        assert answer.status_code == 404 or re.search(
            r'aria-invalid="true"|class="error"', answer.text
        )


@given(data=st.dictionaries(st.sampled_from(["phone", "password"]), junk))
@FUZZ
def test_login(client, session, world, data):
    page = client.get("/console/login").text
    before = counts(session)
    check(client.post("/console/login", data={**data, "csrf_token": csrf(page)}), before, session)


@given(
    data=st.dictionaries(
        st.sampled_from(["cooperative", "usd_per_gram", "cdf_per_gram", "confirm"]), junk
    )
)
@FUZZ
def test_prices(as_, session, world, data):
    client = as_("coordinator")
    page = client.get("/console/prices").text
    before = counts(session)
    answer = client.post("/console/prices", data={**data, "csrf_token": csrf(page)})
    check(answer, before, session)


@given(cells=st.lists(st.tuples(st.sampled_from(
    ["present", "shares", "social_fund", "repayment", "loan", "term", "fine"]), junk), max_size=8),
    date=junk, key=st.one_of(junk, st.just("b" * 32)))  # fmt: skip
@FUZZ
def test_meeting_grid(as_, session, world, cells, date, key):
    client = as_("officer")
    page = client.get("/console/groups/VSLA1/meeting").text
    data = {"csrf_token": csrf(page), "date": date, "key": key}
    for n, (name, value) in enumerate(cells):
        data[f"{name}-{world.members[n % 3].id}"] = value
    before = counts(session)
    check(client.post("/console/groups/VSLA1/meeting", data=data), before, session)


@pytest.fixture
def year(session, world) -> Meeting:
    """Last week's meeting: shares for A and B, and a loan to A."""
    a, b, _c = world.members
    records = [MeetingRecord(a, shares=5, loan=2000_00, loan_term_months=3),
               MeetingRecord(b, shares=2)]  # fmt: skip
    meeting = record_meeting(
        session, world.group, dt.date.today() - dt.timedelta(days=7), [a, b], records
    )
    session.commit()
    return meeting


def post_form(client, page: str, path: str, data: dict, session):
    before = counts(session)
    answer = client.post(path, data={**data, "csrf_token": csrf(client.get(page).text)})
    check(answer, before, session)


@given(reason=junk, key=keys, who=st.sampled_from([0, 1]))
@FUZZ
def test_reverse_a_record(as_, session, world, year, reason, key, who):
    page = f"/console/groups/VSLA1/meetings/{year.id}"
    path = f"{page}/records/{world.members[who].id}/reverse"
    post_form(as_("officer"), page, path, {"reason": reason, "key": key}, session)


@given(data=st.dictionaries(st.sampled_from(["loan_fund", "social_fund"]), junk), key=keys,
       close=st.booleans())  # fmt: skip
@FUZZ
def test_cash_count_and_close(as_, session, world, year, data, key, close):
    page = f"/console/groups/VSLA1/meetings/{year.id}"
    path = f"{page}/close" if close else f"{page}/cash-count"
    post_form(as_("officer"), page, path, {**data, "key": key}, session)


@given(date=st.one_of(junk, st.just(dt.date.today().isoformat())), key=keys)
@FUZZ
def test_share_out(as_, session, world, year, date, key):
    page = "/console/groups/VSLA1/share-out"
    post_form(as_("coordinator"), page, page, {"date": date, "key": key}, session)


@given(data=st.dictionaries(st.sampled_from(["date", "rule"]), junk), key=keys)
@FUZZ
def test_member_leaves(as_, session, world, year, data, key):
    page = f"/console/groups/VSLA1/members/{world.members[1].id}/leave"
    post_form(as_("officer"), page, page, {**data, "key": key}, session)


@given(reason=junk, key=keys)
@FUZZ
def test_write_off(as_, session, world, year, reason, key):
    loan = session.scalar(select(Loan))
    path = f"/console/groups/VSLA1/loans/{loan.id}/write-off"
    post_form(
        as_("officer"), "/console/groups/VSLA1/loans", path, {"reason": reason, "key": key}, session
    )


@given(data=st.dictionaries(st.sampled_from(["name", "gender", "language"]), junk))
@FUZZ
def test_member_edit(as_, session, world, data):
    client = as_("officer")
    path = f"/console/members/{world.members[0].id}/edit"
    page = client.get(path).text
    before = counts(session)
    answer = client.post(path, data={**data, "csrf_token": csrf(page)})
    check(answer, before, session)
    session.expire_all()
    if answer.status_code >= 400:
        assert session.get(Member, world.members[0].id).name == "Amani A"


@given(q=junk)
@FUZZ
def test_member_search(as_, session, world, q):
    client = as_("coordinator")
    page = client.get("/console/members").text
    answer = client.post("/console/members", data={"q": q, "csrf_token": csrf(page)})
    assert answer.status_code == 200


@given(body=st.one_of(st.binary(max_size=300), junk.map(str.encode)), name=st.sampled_from(
    ["m.csv", "m.xlsx", "m.txt", ""]))  # fmt: skip
@FUZZ
def test_import(as_, session, world, body, name):
    client = as_("officer")
    page = client.get("/console/members/import").text
    before = counts(session)
    answer = client.post(
        "/console/members/import",
        data={"csrf_token": csrf(page), "file": (io.BytesIO(body), name), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    assert answer.status_code < 500
    assert counts(session) == before  # a dry run writes nothing, whatever the file


def reviewed(session, flag_id: int) -> tuple:
    session.expire_all()
    flag = session.get(Flag, flag_id)
    return (flag.status, flag.review_note, flag.reviewed_by)


@given(data=st.dictionaries(st.sampled_from(["status", "note"]), junk))
@FUZZ
def test_flag_review(as_, session, world, gold, data):
    client = as_("coordinator")
    path = f"/console/flags/{gold.flag.id}"
    page = client.get(path).text
    before, review = counts(session), reviewed(session, gold.flag.id)
    answer = client.post(path, data={**data, "csrf_token": csrf(page)})
    check(answer, before, session)
    if answer.status_code >= 400:
        assert reviewed(session, gold.flag.id) == review


@given(
    form=st.sampled_from(["status", "capacity"]),
    data=st.dictionaries(
        st.sampled_from(["status", "inspected_on", "deadline", "note", "capacity_grams"]), junk
    ),
)
@FUZZ
def test_site_change(as_, session, world, form, data):
    client = as_("coordinator")
    page = client.get("/console/sites/SITE1").text
    before = counts(session)
    answer = client.post(f"/console/sites/SITE1/{form}", data={**data, "csrf_token": csrf(page)})
    check(answer, before, session)


@given(
    data=st.dictionaries(
        st.sampled_from(["operation", "mass_grams", "fineness", "lot_number"]), junk
    ),
    inputs=st.lists(st.one_of(junk, st.sampled_from(["LOT0", "LOT1", "LOT9"])), max_size=4),
)
@FUZZ
def test_lot_combination(as_, session, world, gold, data, inputs):
    client = as_("coordinator")
    page = client.get("/console/lots").text
    numbers = {"LOT0": gold.lots[0], "LOT1": gold.lots[1], "LOT9": gold.other_lot}
    inputs = [numbers[n].lot_number if n in numbers else n for n in inputs]
    before = counts(session)
    answer = client.post("/console/lots", data={**data, "inputs": inputs, "csrf_token": csrf(page)})
    check(answer, before, session)  # once the lots are combined, the next examples are refused


LOT_FIELDS = ["tag", "issuer", "destination", "exporter", "export_certificate"]


@given(action=st.sampled_from(["seal", "ship"]), data=st.dictionaries(
    st.sampled_from(LOT_FIELDS), junk))  # fmt: skip
@FUZZ
def test_lot_seal_and_ship(as_, session, world, gold, action, data):
    client = as_("coordinator")
    number = gold.lots[0].lot_number
    page = client.get(f"/console/lots/{number}").text
    before = counts(session)
    answer = client.post(
        f"/console/lots/{number}/{action}", data={**data, "csrf_token": csrf(page)}
    )
    check(answer, before, session)


@pytest.mark.parametrize(
    "path",
    ["/console/prices", "/console/members", "/console/members/import", "/console/logout",
     "/console/groups/VSLA1/meeting", "/console/groups/VSLA1/share-out",
     "/console/flags/{flag}", "/console/sites/SITE1/status",
     "/console/sites/SITE1/capacity", "/console/lots", "/console/lots/{lot}/seal",
     "/console/lots/{lot}/ship"],
)  # fmt: skip
def test_no_form_works_without_its_token(as_, session, world, gold, path):
    path = path.format(flag=gold.flag.id, lot=gold.lots[0].lot_number)
    client = as_("coordinator")
    before = counts(session)
    data = {"usd_per_gram": "90", "cooperative": "COOPBUNIA", "status": "dismissed",
            "note": "x", "inspected_on": "2026-01-05", "capacity_grams": "1", "tag": "T",
            "inputs": [lot.lot_number for lot in gold.lots]}  # fmt: skip
    answer = client.post(path, data=data)
    assert answer.status_code in (302, 400)
    assert counts(session) == before
    assert client.get("/console/").status_code == 200  # still logged in
