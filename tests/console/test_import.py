"""Members' import in the console: a dry run reports every bad row by line and writes
nothing; French Excel's CSV (semicolons, BOM) and XLSX are read; scope is kept."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from ledger.models import Member
from tests.console.conftest import csrf

FRENCH_EXCEL = (
    "\ufeffphone;name;gender;language;group;roles\r\n"
    "0991000001;Zawadi Neema;F;sw;VSLA1;member\r\n"
    "not a phone;Bad Phone;F;sw;VSLA1;member\r\n"
    "0991000003;Kahindo Furaha;X;sw;VSLA1;member\r\n"
    "0991000004;Other Group;F;sw;VSLA2;member\r\n"
    "0991000005;Amani Paluku;M;fr;VSLA1;member\r\n"
).encode()


def members(session) -> int:
    return session.scalar(select(func.count()).select_from(Member))


def send(client, data: bytes, filename: str, dry: bool):
    page = client.get("/console/members/import").text
    form = {"csrf_token": csrf(page), "file": (io.BytesIO(data), filename)}
    if dry:
        form["dry_run"] = "y"
    return client.post("/console/members/import", data=form, content_type="multipart/form-data")


def test_a_dry_run_reports_bad_rows_by_line_and_writes_nothing(as_, session, world):
    client = as_("officer")
    before = members(session)
    answer = send(client, FRENCH_EXCEL, "membres.csv", dry=True)
    assert answer.status_code == 200
    lines = [int(n) for n in __import__("re").findall(r"<tr><td>(\d+)</td>", answer.text)]
    assert lines == [3, 4, 5]  # bad phone, bad gender, another group (out of scope)
    assert members(session) == before
    answer = send(client, FRENCH_EXCEL, "membres.csv", dry=False)
    assert answer.status_code == 200
    assert members(session) == before + 2
    names = set(session.scalars(select(Member.name).where(Member.group_id == world.group.id)))
    assert {"Zawadi Neema", "Amani Paluku"} <= names


def test_an_xlsx_is_read_like_a_csv(as_, session, world):
    book = Workbook()
    sheet = book.active
    sheet.append(["phone", "name", "gender", "language", "group", "roles"])
    sheet.append([991000011, "Sifa Mateso", "F", "ln", "VSLA1", "member"])  # a number cell
    sheet.append(["0991000012", "Roles Wrong", "F", "ln", "VSLA1", "coordinator"])
    out = io.BytesIO()
    book.save(out)
    before = members(session)
    answer = send(as_("officer"), out.getvalue(), "membres.xlsx", dry=False)
    assert answer.status_code == 200
    assert members(session) == before + 1  # an officer gives no coordinator role


def test_a_file_that_is_not_a_sheet_is_refused(as_, session, world):
    before = members(session)
    answer = send(as_("coordinator"), b"\x00\x01garbage", "x.xlsx", dry=False)
    assert answer.status_code == 422 and 'aria-invalid="true"' in answer.text
    answer = send(as_("coordinator"), b"a,b\n1,2\n", "x.csv", dry=False)
    assert answer.status_code == 422
    assert members(session) == before
