"""Spreadsheets in and out: CSV as any spreadsheet writes it (commas, or French Excel's
semicolons with a byte-order mark) and XLSX (openpyxl), read into rows with their line
numbers; lists downloaded as CSV (UTF-8 with a BOM, so Excel shows accents) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response

from ledger.errors import LedgerError

#: Largest sheet read (the request itself is capped by MAX_CONTENT_LENGTH).
MAX_ROWS = 5000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(filename: str, data: bytes) -> list[tuple[int, list[str]]]:
    """Every row of an uploaded sheet as (line number, cells), the header first."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # not a workbook at all: a refusal, never a 500
            raise LedgerError("bad_file", "not an XLSX file", "file") from None
        sheet = book.worksheets[0]
        rows = [
            (n, [_cell(v) for v in row])
            for n, row in enumerate(sheet.iter_rows(values_only=True), 1)
            if n <= MAX_ROWS + 1
        ]
        book.close()
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # an older Excel's "CSV (separator: semicolon)"
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise LedgerError("bad_file", "not a text file", "file") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            if reader.line_num > MAX_ROWS + 1:
                break
            rows.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error:
        raise LedgerError("bad_file", "not a CSV file", "file") from None
    return rows


def download(name: str, fmt: str, header: Iterable[str], rows: Iterable[Iterable]) -> Response:
    """A list as ``name.csv`` or ``name.xlsx``."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append(["" if v is None else v for v in row])
        out = io.BytesIO()
        book.save(out)
        body, mimetype = out.getvalue(), XLSX
    else:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(list(header))
        writer.writerows(rows)
        body, mimetype = ("\ufeff" + text.getvalue()).encode(), "text/csv"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
