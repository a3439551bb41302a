"""Members: create, read, correct, list a shared phone, import the coordinators' CSV."""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections.abc import Callable

from flask import request
from sqlalchemy import select

from api import auth, lookup
from api.defaults import MAX_MEMBERS_PER_PHONE
from api.errors import ApiError
from api.parsing import Body, member_number, request_body
from ledger import access, db, vsla
from ledger.errors import LedgerError
from ledger.loans import open_loans
from ledger.members import (
    clean_name,
    find_member,
    import_members,
    members_on_phone,
    name_key,
    parse_gender,
    parse_language,
    parse_phone,
    parse_roles,
    save_member,
)
from ledger.models import ApiRole, ApiToken, Group, Member, MemberStatus


def member_json(member: Member, view: access.View = access.View.FULL) -> dict:
    """A member as the caller may see them: a buyer gets id, name and site only."""
    if view == access.View.MINIMAL:
        return {
            "id": member.id,
            "name": member.name,
            "site": member.site.code if member.site else None,
        }
    return {
        "id": member.id,
        "phone": member.phone,
        "name": member.name,
        "gender": member.gender.value,
        "language": member.language,
        "roles": sorted(member.role_set),
        "status": member.status.value,
        "group": member.group.code if member.group else None,
        "cooperative": member.cooperative.code if member.cooperative else None,
        "site": member.site.code if member.site else None,
        "id_document": member.id_document,
        "opted_out": member.opted_out,
        "joined_on": member.joined_on,
        "left_on": member.left_on,
    }


def member_from_path(
    token: ApiToken, phone: str, allowed: Callable[[access.Actor, Member], bool] | None = None
) -> Member:
    """The member in the URL; ``?member_id=`` picks one on a shared phone. Only members the
    token sees fully (and, with ``allowed``, may act on) are found: any other is answered
    exactly as an unknown one, so the answer tells nothing about members elsewhere."""
    actor = auth.actor(token)

    def visible(member: Member) -> bool:
        if access.view_of(actor, member) != access.View.FULL:
            return False
        return allowed is None or allowed(actor, member)

    member_id = request.args.get("member_id")
    if member_id is None:
        return lookup.member(phone, "phone", visible=visible, status=404)
    number = member_number(member_id)
    member = db.session().get(Member, number)
    try:
        same_phone = member is not None and parse_phone(phone) == member.phone
    except LedgerError:
        same_phone = False
    if member is None or not same_phone or not visible(member):
        raise ApiError(404, "unknown_member", f"no member {number} on that phone", "member_id")
    return member


def _check_roles(token: ApiToken, roles: object) -> None:
    if not access.may_give_roles(auth.actor(token), parse_roles(roles).split(",")):
        raise auth.forbid("giving that role")


def _references(token: ApiToken, body: Body):
    group = lookup.group(body.text("group", required=False)) if body.has("group") else None
    coop = (
        lookup.cooperative(body.text("cooperative", required=False))
        if body.has("cooperative")
        else None
    )
    site = lookup.site(body.text("site", required=False)) if body.has("site") else None
    if token.role == ApiRole.OFFICER and group is None:
        group = db.session().get(Group, token.group_id)  # an officer's members join their group
    if not access.may_place_member(auth.actor(token), group, coop.id if coop else None, site):
        raise auth.forbid("that group, cooperative or site")
    if site is not None and coop is not None and site.cooperative_id != coop.id:
        raise ApiError(422, "other_cooperative", "the site belongs to another cooperative", "site")
    return group, coop, site


def create(token: ApiToken) -> tuple[int, object]:
    body = request_body()
    group, coop, site = _references(token, body)
    if body.has("roles"):
        _check_roles(token, body.raw("roles"))
    session = db.session()
    phone = body.text("phone")
    name = body.text("name")
    existing = find_member(session, parse_phone(phone), clean_name(name))
    if existing is not None and not access.may_update_member(auth.actor(token), existing):
        # The phone and name match someone outside the token's scope: no write reaches them.
        raise auth.forbid("this member")
    member, created = save_member(
        session,
        phone=phone,
        name=name,
        gender=body.text("gender"),
        language=body.text("language", required=False),
        group=group,
        site=site,
        cooperative_id=coop.id if coop else None,
        roles=body.raw("roles"),
        id_document=body.text("id_document", required=False),
    )
    if created and member.joined_on is None:
        member.joined_on = dt.date.today()
    return (201 if created else 200), member_json(member)


def show(token: ApiToken, phone: str) -> tuple[int, object]:
    return 200, member_json(member_from_path(token, phone))


def update(token: ApiToken, phone: str) -> tuple[int, object]:
    member = member_from_path(token, phone, access.may_update_member)
    body = request_body()
    session = db.session()
    group, coop, site = _references(token, body)
    new_name = clean_name(body.text("name")) if body.has("name") else member.name
    new_phone = parse_phone(body.text("phone")) if body.has("phone") else member.phone
    clash = session.scalar(
        select(Member.id).where(
            Member.phone == new_phone, Member.name_key == name_key(new_name), Member.id != member.id
        )
    )
    if clash:
        raise ApiError(409, "exists", "another member has this phone and name", "name")
    member.name, member.name_key, member.phone = new_name, name_key(new_name), new_phone
    if body.has("gender"):
        member.gender = parse_gender(body.text("gender"))
    if body.has("language"):
        member.language = parse_language(body.text("language"))
    if body.has("roles"):
        _check_roles(token, body.raw("roles"))
        member.roles = parse_roles(body.raw("roles"))
    if body.has("id_document"):
        member.id_document = body.text("id_document")
    if body.has("opted_out"):
        member.opted_out = body.boolean("opted_out")
    if body.has("status"):
        status = MemberStatus(body.choice("status"))
        if status != member.status:
            member.status = status
            member.left_on = dt.date.today() if status == MemberStatus.INACTIVE else None
    if group is not None and group.id != member.group_id:
        _move(member, group)
    if coop is not None:
        member.cooperative = coop
    if site is not None:
        member.site = site
        member.cooperative = member.cooperative or site.cooperative
    session.flush()
    return 200, member_json(member)


def _move(member: Member, group: Group) -> None:
    """Join a group, or leave one for another when nothing is held in the old one."""
    session = db.session()
    if member.group_id is not None:
        old = session.get(Group, member.group_id)
        if vsla.savings_of(session, member) or open_loans(session, member):
            raise ApiError(
                422,
                "other_group",
                f"the member has savings or loans in {old.code}: settle them first",
                "group",
            )
    member.group = group
    member.cooperative = member.cooperative or group.cooperative


def listing(token: ApiToken) -> tuple[int, object]:
    """Members on one phone (``?phone=``), each with its id, as far as the token may see (a
    buyer: members of their cooperative, id, name and site only)."""
    phone = request.args.get("phone")
    member_id = request.args.get("member_id")
    session = db.session()
    if phone is None and member_id is None:
        raise ApiError(422, "required", "give ?phone= (or ?member_id=)", "phone")
    if member_id is not None:
        found = [m for m in [session.get(Member, member_number(member_id))] if m is not None]
    else:
        found = members_on_phone(session, parse_phone(phone))
    actor = auth.actor(token)
    views = [(m, access.view_of(actor, m)) for m in found]
    visible = [member_json(m, view) for m, view in views if view is not None]
    return 200, {"members": visible[:MAX_MEMBERS_PER_PHONE]}


def _csv_text() -> str:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(422, "required", "send the CSV as the form field 'file'", "file")
        upload.seek(0)  # a second try reads it again
        raw = upload.read()
    else:
        raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(422, "bad_csv", "the CSV must be UTF-8 text", "file") from None
    if not text.strip():
        raise ApiError(422, "bad_csv", "the CSV is empty", "file")
    for number, line in enumerate(text.splitlines(), start=1):
        if any(unicodedata.category(c) in ("Cc", "Cs") and c != "\t" for c in line):
            raise ApiError(
                422, "bad_csv", f"line {number} holds control characters", "file", line=number
            )
    return text


def import_csv(token: ApiToken) -> tuple[int, object]:
    """The CLI's import: good lines are kept, bad lines reported by number and reason."""
    text = _csv_text()
    try:
        report = import_members(db.session(), text)
    except csv.Error as exc:
        raise ApiError(422, "bad_csv", f"the CSV cannot be read: {exc}", "file") from None
    return 200, report.as_dict()
