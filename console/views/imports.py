"""Members' import (``/console/members/import``): a CSV (commas, or French Excel's semicolons
with a BOM) or an XLSX of phone, name, gender, language, group, roles. A dry run first reports
every bad row by its line and writes nothing; then the import, each good row saved. Rows
outside the importer's scope are refused like rows naming an unknown group."""

from __future__ import annotations

from console import auth
from console.errors import GENERIC, say
from console.forms import ImportForm
from console.i18n import gettext
from console.pages import bp, render
from console.sheets import read_rows
from ledger import access, db
from ledger.errors import LedgerError
from ledger.members import check_header, clean_name, find_member, import_rows, parse_phone
from locales import _

#: Why a row was refused, in the importer's words (the books' codes).
ROW_ERRORS = {
    "required": _("a needed cell is empty"),
    "bad_phone": _("phone: not a phone number"),
    "bad_name": _("name: missing or too long"),
    "too_long": _("name: missing or too long"),
    "bad_gender": _("gender: F or M"),
    "bad_language": _("language: sw, ln, fr or en"),
    "bad_roles": _("roles: not a role"),
    "unknown_group": _("group: not a group you keep"),
    "other_group": _("group: the member is in another group"),
}


def in_scope(row: dict[str, str], group) -> bool:
    """The importer may place the member in ``group`` (an officer: only hers), give the roles,
    and update the member if they exist."""
    actor = auth.actor()
    if not access.may_place_member(actor, group, None, None):
        return False
    roles = [r.strip() for r in (row.get("roles") or "").split(",") if r.strip()]
    if not access.may_give_roles(actor, roles):
        return False
    try:
        existing = find_member(
            db.session(), parse_phone(row.get("phone")), clean_name(row.get("name"))
        )
    except LedgerError:
        return True  # the books refuse the row with its own reason
    return existing is None or access.may_update_member(actor, existing)


@bp.route("/members/import", methods=["GET", "POST"])
def import_members():
    form = ImportForm()
    report = None
    status = 200
    if form.is_submitted():
        if not form.validate() or not form.file.data:
            form.file.errors = [gettext(GENERIC)]
            return render("import.html", form=form, report=None), 400
        upload = form.file.data
        session = db.session()
        try:
            rows = read_rows(upload.filename or "", upload.read())
            if not rows:
                raise LedgerError("bad_csv", "empty file", "file")
            header = [h.strip().lower() for h in rows[0][1]]
            check_header(header)
            dicts = ((line, dict(zip(header, cells, strict=False))) for line, cells in rows[1:])
            report = import_rows(session, dicts, in_scope)
        except LedgerError as exc:
            session.rollback()
            form.file.errors = [say(exc)]
            return render("import.html", form=form, report=None), 422
        report.words = [gettext(ROW_ERRORS.get(code, GENERIC)) for code in report.codes]
        if form.dry_run.data:
            session.rollback()
        else:
            session.commit()
        status = 200
    return render("import.html", form=form, report=report, dry=form.dry_run.data), status
