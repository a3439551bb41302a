"""Members: phone numbers, roles, and the coordinators' spreadsheet import."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.defaults import DEFAULT_LANGUAGE, DEFAULT_PHONE_REGION, LANGUAGES, MAX_NAME_LENGTH
from ledger.errors import LedgerError
from ledger.models import Gender, Group, Member, MemberStatus, Role, Site


def parse_phone(raw: object, field: str = "phone") -> str:
    """A valid phone number in E.164 (``+243...``); local numbers are read as Congolese."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 32:
        raise LedgerError("bad_phone", "phone must be a phone number such as 0812345678", field)
    try:
        number = phonenumbers.parse(raw.strip(), DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise LedgerError("bad_phone", f"{raw!r} is not a phone number", field) from None
    if not phonenumbers.is_valid_number(number):
        raise LedgerError("bad_phone", f"{raw!r} is not a valid phone number", field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_name(raw: object, field: str = "name") -> str:
    if not isinstance(raw, str) or not raw.split():
        raise LedgerError("required", f"{field} is required", field)
    name = " ".join(raw.split())
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise LedgerError("bad_name", f"{field} holds a control character", field)
    if len(name) > MAX_NAME_LENGTH:
        raise LedgerError("too_long", f"{field} is longer than {MAX_NAME_LENGTH} characters", field)
    return name


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def parse_gender(raw: object) -> Gender:
    value = raw.strip().upper()[:1] if isinstance(raw, str) else ""
    if value not in ("F", "M"):
        raise LedgerError("bad_gender", "gender must be F or M", "gender")
    return Gender(value)


def parse_language(raw: object) -> str:
    value = raw.strip().lower() if isinstance(raw, str) else ""
    if value not in LANGUAGES:
        raise LedgerError(
            "bad_language", f"language must be one of {', '.join(LANGUAGES)}", "language"
        )
    return value


def parse_roles(raw: object) -> str:
    """Roles as stored: comma-separated, ``member`` always included, in a stable order."""
    if raw is None or raw == "":
        items: list[str] = []
    elif isinstance(raw, str):
        items = [r.strip().lower() for r in raw.replace(";", ",").replace(" ", ",").split(",")]
    elif isinstance(raw, list) and all(isinstance(r, str) for r in raw):
        items = [r.strip().lower() for r in raw]
    else:
        raise LedgerError("bad_roles", "roles must be a list of role names", "roles")
    known = [r.value for r in Role]
    unknown = [r for r in items if r and r not in known]
    if unknown:
        raise LedgerError(
            "bad_roles", f"unknown role {unknown[0]!r}; roles: {', '.join(known)}", "roles"
        )
    chosen = {"member", *filter(None, items)}
    return ",".join(r for r in known if r in chosen)


def members_on_phone(session: Session, phone: str) -> list[Member]:
    return list(session.scalars(select(Member).where(Member.phone == phone).order_by(Member.id)))


def find_member(session: Session, phone: str, name: str) -> Member | None:
    """The member a create or a re-import would update: same phone, same folded name."""
    return session.scalar(
        select(Member).where(Member.phone == phone, Member.name_key == name_key(name))
    )


def save_member(
    session: Session,
    *,
    phone: object,
    name: object,
    gender: object,
    language: object = None,
    group: Group | None = None,
    site: Site | None = None,
    cooperative_id: int | None = None,
    roles: object = None,
    id_document: object = None,
) -> tuple[Member, bool]:
    """Create the member, or update the one with this phone and name. Returns (member, created).

    ``language`` and ``roles`` left out (``None``) keep what an existing member has, so a
    spreadsheet without those columns never demotes an officer nor resets a language; a new
    member gets ``DEFAULT_LANGUAGE`` and the ``member`` role.
    """
    e164 = parse_phone(phone)
    clean = clean_name(name)
    if id_document is not None and (not isinstance(id_document, str) or len(id_document) > 80):
        raise LedgerError("too_long", "id_document is at most 80 characters", "id_document")
    values: dict[str, object] = {"gender": parse_gender(gender)}
    if language is not None:
        values["language"] = parse_language(language)
    if roles is not None:
        values["roles"] = parse_roles(roles)
    coop = (
        cooperative_id
        or (group.cooperative_id if group else None)
        or (site.cooperative_id if site else None)
    )
    member = find_member(session, e164, clean)
    created = member is None
    if member is None:
        member = Member(
            phone=e164,
            name_key=name_key(clean),
            status=MemberStatus.ACTIVE,
            language=DEFAULT_LANGUAGE,
            roles=Role.MEMBER.value,
        )
        session.add(member)
    member.name = clean
    for key, value in values.items():
        setattr(member, key, value)
    if group is not None:
        if member.group_id not in (None, group.id) and not created:
            raise LedgerError("other_group", "this member belongs to another group", "group")
        member.group_id = group.id
    if site is not None:
        member.site_id = site.id
    if coop is not None:
        member.cooperative_id = coop
    if id_document:
        member.id_document = id_document.strip()
    session.flush()
    return member, created


def edit_member(
    session: Session, member: Member, *, name: object, gender: object, language: object
) -> Member:
    """Correct a member's name, gender and language (all checked before anything changes);
    another member with the same phone and name is refused."""
    clean = clean_name(name)
    values = {"gender": parse_gender(gender), "language": parse_language(language)}
    clash = session.scalar(
        select(Member.id).where(
            Member.phone == member.phone,
            Member.name_key == name_key(clean),
            Member.id != member.id,
        )
    )
    if clash:
        raise LedgerError("exists", "another member has this phone and name", "name")
    member.name, member.name_key = clean, name_key(clean)
    for key, value in values.items():
        setattr(member, key, value)
    session.flush()
    return member


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    #: The books' code of each error, in the same order (a channel words them itself).
    codes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "errors": [{"line": line, "error": msg} for line, msg in self.errors],
        }


IMPORT_COLUMNS = ("phone", "name", "gender", "language", "group", "roles", "id_document", "site")


def import_members(session: Session, text: str, check: RowCheck | None = None) -> ImportReport:
    """Import the coordinators' CSV (phone, name, gender, language, group, roles, and for
    miners id_document and site, so an imported miner is known at their site).

    Each row is its own savepoint: a bad row is reported with its line number and reason and
    leaves nothing behind; good rows are created, or updated when phone and name match (a
    missing or empty ``language`` or ``roles`` keeps the member's).
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    check_header(header)
    reader.fieldnames = header
    return import_rows(session, ((reader.line_num, row) for row in reader), check)


def check_header(header: list[str]) -> None:
    missing = [c for c in ("phone", "name", "gender") if c not in header]
    if missing:
        raise LedgerError(
            "bad_csv",
            f"the CSV needs the columns {', '.join(IMPORT_COLUMNS)}; missing: {', '.join(missing)}",
            "file",
        )


#: ``check(row, group)``: whether the importer may write this row (their scope); a row it
#: refuses is reported like a row naming an unknown group.
RowCheck = Callable[[dict[str, str], Group | None], bool]


def import_rows(
    session: Session, rows: Iterable[tuple[int, dict]], check: RowCheck | None = None
) -> ImportReport:
    """Import rows of (line number, {column: cell}); see ``import_members``."""
    report = ImportReport()
    groups: dict[str, Group | None] = {}
    sites: dict[str, Site | None] = {}
    for line, raw in rows:
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        code = row.get("group", "")
        try:
            group = None
            if code:
                if code not in groups:
                    groups[code] = session.scalar(
                        select(Group).where(func.lower(Group.code) == code.lower())
                    )
                group = groups[code]
                if group is None:
                    raise LedgerError("unknown_group", f"unknown group {code!r}", "group")
            if check is not None and not check(row, group):
                raise LedgerError("unknown_group", f"unknown group {code!r}", "group")
            site = None
            if row.get("site"):
                site_code = row["site"]
                if site_code not in sites:
                    sites[site_code] = session.scalar(
                        select(Site).where(func.lower(Site.code) == site_code.lower())
                    )
                site = sites[site_code]
                if site is None:
                    raise LedgerError("unknown_site", f"unknown site {site_code!r}", "site")
            with session.begin_nested():
                _, created = save_member(
                    session,
                    phone=row.get("phone"),
                    name=row.get("name"),
                    gender=row.get("gender"),
                    # An absent column or an empty cell changes nothing on a re-import.
                    language=row.get("language") or None,
                    group=group,
                    roles=row.get("roles") or None,
                    site=site,
                    id_document=row.get("id_document") or None,
                )
        except LedgerError as exc:
            report.errors.append((line, exc.message))
            report.codes.append(exc.code)
            continue
        if created:
            report.created += 1
        else:
            report.updated += 1
    return report
