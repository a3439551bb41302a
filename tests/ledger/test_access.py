"""The scope rules of ``ledger.access``, as one table: every kind of caller against every kind
of member. The API, the USSD and the console all ask these functions."""

from __future__ import annotations

import pytest

from ledger import access
from ledger.access import View
from ledger.models import ApiRole, ApiToken
from tests import factories

F, M = View.FULL, View.MINIMAL

#: Targets: in G1 (cooperative C1), in G2 (C1), a miner of C1 without a group, a miner of C2,
#: someone of no group and no cooperative.
TARGETS = ("g1", "g2", "c1", "c2", "nowhere")

#: caller -> (view of each target, may update each, may name each as a seller)
TABLE = {
    "coordinator token": ((F, F, F, F, F), (1, 1, 1, 1, 1), (1, 1, 1, 1, 1)),
    "officer token G1": ((F, None, None, None, None), (1, 0, 0, 0, 0), (0, 0, 0, 0, 0)),
    "buyer token C1": ((M, M, M, None, None), (0, 0, 0, 0, 0), (1, 1, 1, 0, 0)),
    "coordinator of C1": ((F, F, F, None, None), (1, 1, 1, 0, 0), (1, 1, 1, 0, 0)),
    "officer of G1": ((F, None, None, None, None), (1, 0, 0, 0, 0), (0, 0, 0, 0, 0)),
    "buyer of C1": ((M, M, M, None, None), (0, 0, 0, 0, 0), (1, 1, 1, 0, 0)),
    "officer of G1, buyer of C1": ((F, M, M, None, None), (1, 0, 0, 0, 0), (1, 1, 1, 0, 0)),
    "plain member": ((None,) * 5, (0,) * 5, (0,) * 5),
    "coordinator of nothing": ((None,) * 5, (0,) * 5, (0,) * 5),
}


@pytest.fixture
def people(session):
    c1 = factories.cooperative(session, "C1", "Coop 1")
    c2 = factories.cooperative(session, "C2", "Coop 2")
    g1 = factories.group(session, c1, "G1")
    g2 = factories.group(session, c1, "G2")
    targets = {
        "g1": factories.member(session, g1),
        "g2": factories.member(session, g2),
        "c1": factories.member(session, roles="member,miner", coop=c1),
        "c2": factories.member(session, roles="member,miner", coop=c2),
        "nowhere": factories.member(session),
    }
    callers = {
        "coordinator token": access.for_token(ApiToken(role=ApiRole.COORDINATOR)),
        "officer token G1": access.for_token(ApiToken(role=ApiRole.OFFICER, group_id=g1.id)),
        "buyer token C1": access.for_token(ApiToken(role=ApiRole.BUYER, cooperative_id=c1.id)),
        "coordinator of C1": access.for_member(
            factories.member(session, roles="member,coordinator", coop=c1)
        ),
        "officer of G1": access.for_member(factories.member(session, g1, roles="member,officer")),
        "buyer of C1": access.for_member(factories.member(session, roles="buyer", coop=c1)),
        "officer of G1, buyer of C1": access.for_member(
            factories.member(session, g1, roles="member,officer,buyer")
        ),
        "plain member": access.for_member(factories.member(session, g1)),
        "coordinator of nothing": access.for_member(factories.member(session, roles="coordinator")),
    }
    return {"c1": c1, "c2": c2, "g1": g1, "g2": g2, "targets": targets, "callers": callers}


@pytest.mark.parametrize("caller", TABLE)
def test_who_sees_updates_and_names_whom(people, caller):
    actor = people["callers"][caller]
    views, updates, sells = TABLE[caller]
    for i, name in enumerate(TARGETS):
        target = people["targets"][name]
        assert access.view_of(actor, target) == views[i], (caller, name)
        assert access.may_see_member(actor, target) == (views[i] is not None), (caller, name)
        assert access.may_update_member(actor, target) == bool(updates[i]), (caller, name)
        assert access.may_name_seller(actor, target) == bool(sells[i]), (caller, name)


@pytest.mark.parametrize(
    ("caller", "g1", "g2", "c1", "c2"),
    [
        ("coordinator token", 1, 1, 1, 1),
        ("officer token G1", 1, 0, 0, 0),
        ("buyer token C1", 0, 0, 1, 0),
        ("coordinator of C1", 1, 1, 1, 0),
        ("officer of G1", 1, 0, 0, 0),
        ("buyer of C1", 0, 0, 1, 0),
        ("plain member", 0, 0, 0, 0),
        ("coordinator of nothing", 0, 0, 0, 0),
    ],
)
def test_who_acts_for_which_group_and_cooperative(people, caller, g1, g2, c1, c2):
    actor = people["callers"][caller]
    assert access.may_act_for_group(actor, people["g1"]) == bool(g1)
    assert access.may_act_for_group(actor, people["g2"]) == bool(g2)
    assert access.may_act_for_cooperative(actor, people["c1"].id) == bool(c1)
    assert access.may_act_for_cooperative(actor, people["c2"].id) == bool(c2)
    assert not access.may_act_for_group(actor, None)


def test_meetings_name_only_members_seen_fully(people):
    callers, targets, g1 = people["callers"], people["targets"], people["g1"]
    officer, buyer = callers["officer of G1"], callers["buyer of C1"]
    assert access.may_name_at_meeting(officer, targets["g1"], g1)
    assert not access.may_name_at_meeting(officer, targets["g2"], g1)  # unknown to them
    assert not access.may_name_at_meeting(buyer, targets["g1"], g1)  # not their group
    # A coordinator names anyone; the books then refuse who is not in the group.
    assert access.may_name_at_meeting(callers["coordinator token"], targets["g2"], g1)


def test_placing_members_and_giving_roles(people, session):
    callers, g1, g2, c1 = people["callers"], people["g1"], people["g2"], people["c1"]
    officer, coordinator = callers["officer token G1"], callers["coordinator of C1"]
    site = factories.site(session, c1, "S1")
    far_site = factories.site(session, people["c2"], "S2")
    assert access.may_place_member(officer, g1, None, None)
    assert not access.may_place_member(officer, g2, None, None)
    assert not access.may_place_member(officer, g1, c1.id, None)
    assert not access.may_place_member(officer, g1, None, site)
    assert access.may_place_member(coordinator, g2, c1.id, site)
    assert not access.may_place_member(coordinator, None, None, far_site)
    assert not access.may_place_member(callers["buyer token C1"], None, c1.id, None)
    assert access.may_give_roles(officer, ["member", "miner", "officer"])
    assert not access.may_give_roles(officer, ["member", "buyer"])
    assert access.may_give_roles(callers["coordinator token"], ["coordinator"])
    assert not access.may_give_roles(callers["buyer token C1"], ["member"])


@pytest.mark.parametrize(
    ("caller", "c1", "c2"),
    [
        ("coordinator token", 1, 1),
        ("coordinator of C1", 1, 0),
        ("buyer of C1", 0, 0),  # reads sites and lots, changes neither
        ("buyer token C1", 0, 0),
        ("officer of G1", 0, 0),
        ("officer of G1, buyer of C1", 0, 0),
        ("coordinator of nothing", 0, 0),
    ],
)
def test_who_changes_sites_and_handles_lots(people, session, caller, c1, c2):
    actor = people["callers"][caller]
    site1 = factories.site(session, people["c1"], "S1")
    site2 = factories.site(session, people["c2"], "S2")
    assert access.may_change_site(actor, site1) == bool(c1)
    assert access.may_change_site(actor, site2) == bool(c2)
    assert access.may_dispatch_lots(actor, people["c1"].id) == bool(c1)
    assert access.may_dispatch_lots(actor, people["c2"].id) == bool(c2)
    assert not access.may_change_site(actor, None)
    assert not access.may_dispatch_lots(actor, None)
