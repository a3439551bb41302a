"""What the pages do: post a price after seeing its reach, record a meeting through the grid
(all or nothing, once), issue an enrolment code, search members; every write says who."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from ledger import authors
from ledger.models import Attendance, EnrolmentCode, Entry, Meeting, PricePost
from tests.console.conftest import csrf


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_price_shows_its_reach_then_posts_recorded_by_its_author(as_, session, world):
    client = as_("coordinator")
    page = client.get("/console/prices").text
    data = {"cooperative": "COOPBUNIA", "usd_per_gram": "95,50", "cdf_per_gram": "270000"}
    preview = client.post("/console/prices", data={**data, "csrf_token": csrf(page)})
    assert preview.status_code == 200
    assert "Kiswahili" in preview.text  # the members speak Swahili (factories)
    assert count(session, PricePost) == 0  # nothing sent yet
    confirm = client.post(
        "/console/prices", data={**data, "confirm": "1", "csrf_token": csrf(preview.text)}
    )
    assert confirm.status_code == 302
    post = session.scalar(select(PricePost))
    assert (post.usd_per_gram, post.cdf_per_gram) == (9550, 27_000_000)
    coordinator = world.staff["coordinator"]
    assert post.recorded_by == f"console:{coordinator.id}"
    assert post.posted_by_id == coordinator.id
    history = client.get("/console/prices").text
    assert authors.label(session, post.recorded_by) in history


def test_a_bad_price_is_marked_and_writes_nothing(as_, session, world):
    client = as_("coordinator")
    page = client.get("/console/prices").text
    answer = client.post(
        "/console/prices",
        data={
            "cooperative": "COOPBUNIA",
            "usd_per_gram": "-3",
            "confirm": "1",
            "csrf_token": csrf(page),
        },
    )
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in answer.text
    assert count(session, PricePost) == 0


def grid(client, code="VSLA1"):
    page = client.get(f"/console/groups/{code}/meeting").text
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page)[1]
    return page, key


def test_the_meeting_grid_saves_all_or_nothing_and_once(as_, session, world):
    client = as_("officer")
    page, key = grid(client)
    a, b, _c = world.members
    day = dt.date.today().isoformat()
    rows = {
        "csrf_token": csrf(page),
        "key": key,
        "date": day,
        f"present-{a.id}": "1",
        f"shares-{a.id}": "2",
        f"social_fund-{a.id}": "200",
        f"present-{b.id}": "1",
        f"shares-{b.id}": "9",  # above the group's 5
    }
    bad = client.post("/console/groups/VSLA1/meeting", data=rows)
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text
    assert count(session, Meeting) == count(session, Entry) == 0

    rows[f"shares-{b.id}"] = "1"
    good = client.post("/console/groups/VSLA1/meeting", data=rows)
    assert good.status_code == 302
    meeting = session.scalar(select(Meeting))
    officer = world.staff["officer"]
    assert meeting.recorded_by == f"console:{officer.id}"
    entries = session.scalars(select(Entry)).all()
    assert len(entries) == 3  # two share purchases, one social fund
    assert {e.recorded_by for e in entries} == {f"console:{officer.id}"}
    present = session.scalars(select(Attendance).where(Attendance.present)).all()
    assert {p.member_id for p in present} == {a.id, b.id}

    again = client.post("/console/groups/VSLA1/meeting", data=rows)  # sent twice
    assert again.status_code == 302
    assert count(session, Entry) == 3
    assert "console" in client.get("/console/groups/VSLA1").text


def test_an_enrolment_code_is_issued_and_shown_once(as_, session, world):
    client = as_("officer")
    member = world.members[0]
    page = client.get(f"/console/members/{member.id}").text
    answer = client.post(f"/console/members/{member.id}/code", data={"csrf_token": csrf(page)})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert re.search(r"\b\d{6}\b", answer.text)
    code = session.scalar(select(EnrolmentCode))
    assert code.member_id == member.id and code.issued_by_id == world.staff["officer"].id


def test_members_are_searched_by_name_or_phone_in_a_form(as_, world):
    client = as_("coordinator")
    page = client.get("/console/members").text
    by_name = client.post("/console/members", data={"q": "amani b", "csrf_token": csrf(page)})
    assert "Amani B" in by_name.text and "Amani C" not in by_name.text
    phone = world.members[2].phone
    local = "0" + phone[4:]
    by_phone = client.post("/console/members", data={"q": local, "csrf_token": csrf(page)})
    assert "Amani C" in by_phone.text and "Amani B" not in by_phone.text


def test_the_passbook_shows_the_members_books(as_, session, world):
    test_the_meeting_grid_saves_all_or_nothing_and_once(as_, session, world)
    page = as_("coordinator").get(f"/console/members/{world.members[0].id}").text
    assert "2 000 FC" in page or "2.000 FC" in page  # two shares of 1 000 FC


def test_a_member_is_corrected_and_a_bad_correction_writes_nothing(as_, session, world):
    member = world.members[1]
    client = as_("officer")
    page = client.get(f"/console/members/{member.id}/edit").text
    bad = {"name": "Amani Bora", "gender": "X", "language": "sw", "csrf_token": csrf(page)}
    answer = client.post(f"/console/members/{member.id}/edit", data=bad)
    assert answer.status_code == 422 and 'aria-invalid="true"' in answer.text
    session.expire_all()
    assert session.get(type(member), member.id).name == "Amani B"
    good = {**bad, "gender": "M", "language": "ln"}
    assert client.post(f"/console/members/{member.id}/edit", data=good).status_code == 302
    session.expire_all()
    fixed = session.get(type(member), member.id)
    assert (fixed.name, fixed.gender.value, fixed.language) == ("Amani Bora", "M", "ln")
    assert as_("buyer").get(f"/console/members/{member.id}/edit").status_code == 404
    assert as_("officer_other").get(f"/console/members/{member.id}/edit").status_code == 404
