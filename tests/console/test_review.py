"""Flags reviewed from the console: a coordinator of the flag's cooperative confirms or
dismisses it with a note, and the page says who did and when; a buyer reads it, nobody else
sees it; a bad status, an empty note to dismiss or a missing token writes nothing."""

from __future__ import annotations

import pytest

from console import auth
from ledger import logins
from ledger.models import Flag, FlagStatus
from tests import factories
from tests.console.conftest import PASSWORD, csrf


def review(client, flag, **data):
    page = client.get(f"/console/flags/{flag.id}").text
    return client.post(f"/console/flags/{flag.id}", data={"csrf_token": csrf(page), **data})


def reread(session, flag) -> Flag:
    session.expire_all()
    return session.get(Flag, flag.id)


def test_a_coordinator_dismisses_with_a_note_and_the_page_says_who(as_, session, world, gold):
    client = as_("coordinator")
    listed = client.get("/console/flags?status=open").text
    assert f"/console/flags/{gold.flag.id}" in listed
    page = client.get(f"/console/flags/{gold.flag.id}").text
    assert "3200.000" in page and 'name="note"' in page  # the numbers, and the form
    answer = review(client, gold.flag, status="dismissed", note="wet gold weighed twice")
    assert answer.status_code == 302
    flag = reread(session, gold.flag)
    coordinator = world.staff["coordinator"]
    assert flag.status == FlagStatus.DISMISSED
    assert flag.review_note == "wet gold weighed twice"
    assert flag.reviewed_by == f"console:{coordinator.id}" and flag.reviewed_at is not None
    shown = client.get(f"/console/flags/{gold.flag.id}").text
    assert coordinator.name in shown and "wet gold weighed twice" in shown
    assert f"/console/flags/{gold.flag.id}" not in client.get("/console/flags?status=open").text
    dismissed = client.get("/console/flags?status=dismissed").text
    assert f"/console/flags/{gold.flag.id}" in dismissed and coordinator.name in dismissed


def test_confirm_needs_no_note_then_open_again(as_, session, world, gold):
    client = as_("coordinator")
    assert review(client, gold.flag, status="confirmed").status_code == 302
    assert reread(session, gold.flag).status == FlagStatus.CONFIRMED
    assert review(client, gold.flag, status="open", note="").status_code == 302
    assert reread(session, gold.flag).status == FlagStatus.OPEN


@pytest.mark.parametrize(
    "data",
    [
        {"status": "dismissed", "note": ""},  # dismissing says why
        {"status": "dismissed", "note": "   "},
        {"status": "closed", "note": "x"},
        {"status": "", "note": ""},
        {},
        {"status": "confirmed", "note": "x" * 201},
    ],
)
def test_a_bad_review_is_marked_and_writes_nothing(as_, session, world, gold, data):
    answer = review(as_("coordinator"), gold.flag, **data)
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in answer.text
    flag = reread(session, gold.flag)
    assert (flag.status, flag.reviewed_by, flag.review_note) == (FlagStatus.OPEN, None, None)


def test_without_its_token_the_review_is_refused(as_, session, world, gold):
    client = as_("coordinator")
    answer = client.post(
        f"/console/flags/{gold.flag.id}", data={"status": "dismissed", "note": "no token"}
    )
    assert answer.status_code == 400
    assert reread(session, gold.flag).status == FlagStatus.OPEN


@pytest.mark.parametrize("who", ["buyer", "buyer_other", "officer", "officer_other"])
def test_only_a_coordinator_of_its_cooperative_reviews(as_, session, world, gold, who):
    client = as_(who)
    page = client.get(f"/console/flags/{gold.flag.id}")
    assert page.status_code == (200 if who == "buyer" else 404)
    assert 'name="note"' not in page.text  # the buyer reads it, without the form
    token = csrf(client.get("/console/").text)
    answer = client.post(
        f"/console/flags/{gold.flag.id}",
        data={"csrf_token": token, "status": "dismissed", "note": "not mine to close"},
    )
    assert answer.status_code == 404
    assert reread(session, gold.flag).status == FlagStatus.OPEN


def test_a_coordinator_of_another_cooperative_never_sees_it(client, session, world, gold):
    from tests.console.conftest import login

    other = factories.member(
        session, roles="coordinator", name="Staff other coordinator", coop=world.other_coop
    )
    logins.set_password(session, other, auth.hash_password(PASSWORD))
    session.commit()
    assert login(client, other).status_code == 302
    assert client.get(f"/console/flags/{gold.flag.id}").status_code == 404
    assert f"/console/flags/{gold.flag.id}" not in client.get("/console/flags").text
    token = csrf(client.get("/console/").text)
    answer = client.post(
        f"/console/flags/{gold.flag.id}",
        data={"csrf_token": token, "status": "confirmed", "note": ""},
    )
    assert answer.status_code == 404
    assert reread(session, gold.flag).status == FlagStatus.OPEN


@pytest.mark.parametrize("number", ["0", "99999999", "99999999999999", "abc", "-1"])
def test_an_unknown_flag_is_404(as_, world, number):
    assert as_("coordinator").get(f"/console/flags/{number}").status_code == 404


def test_a_bad_status_filter_shows_every_flag(as_, world, gold):
    page = as_("coordinator").get("/console/flags?status=nonsense")
    assert page.status_code == 200 and f"/console/flags/{gold.flag.id}" in page.text


def test_today_counts_the_flags_still_open(as_, session, world, gold):
    import re

    from sqlalchemy import func, select

    def shown(client) -> int:
        return int(re.search(r"(\d+) nouvelles? alertes?", client.get("/console/").text)[1])

    client = as_("coordinator")
    session.expire_all()
    still_open = session.scalar(
        select(func.count())
        .select_from(Flag)
        .where(Flag.status == FlagStatus.OPEN, Flag.cooperative_id == world.coop.id)
    )
    assert shown(client) == still_open
    assert review(client, gold.flag, status="confirmed").status_code == 302
    assert shown(client) == still_open - 1


def test_the_group_cooperative_coordinator_reviews_a_box_count(as_, session, world):
    flag = factories.box_count_flag(session, world.group)
    client = as_("coordinator")
    assert f"/console/flags/{flag.id}" in client.get(f"/console/groups/{world.group.code}").text
    answer = review(client, flag, status="confirmed", note="500 FC missing, treasurer asked")
    assert answer.status_code == 302
    assert reread(session, flag).status == FlagStatus.CONFIRMED


@pytest.mark.parametrize("who", ["officer", "officer_other", "buyer", "buyer_other"])
def test_the_officer_reads_her_group_box_count_but_never_closes_it(as_, session, world, who):
    """She counted the box: she reads the flag, the review is her cooperative's coordinator's.
    Nobody else reads it."""
    flag = factories.box_count_flag(session, world.group)
    client = as_(who)
    page = client.get(f"/console/flags/{flag.id}")
    assert page.status_code == (200 if who == "officer" else 404)
    assert 'name="note"' not in page.text
    token = csrf(client.get("/console/").text)
    answer = client.post(
        f"/console/flags/{flag.id}",
        data={"csrf_token": token, "status": "dismissed", "note": "counted again, fine"},
    )
    assert answer.status_code == 404
    assert reread(session, flag).status == FlagStatus.OPEN
