"""The shape of the production code: no module over ``MAX_LINES`` lines (migrations aside),
and no block of ``WINDOW`` lines written twice (a helper serves both places instead).

Lines are compared stripped; blank lines, comments and import statements are left out (two
modules needing the same names is not code written twice)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ledger", "api", "ussd", "sms", "payouts", "console", "ops", "locales")
SCRIPTS = ("wsgi.py", "worker.py")
MAX_LINES = 400
WINDOW = 6


def production_files() -> list[Path]:
    files = [ROOT / name for name in SCRIPTS]
    for package in PACKAGES:
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def code_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text stripped) of the lines that are code: not blank, not a comment, not
    part of an import statement."""
    out, importing = [], False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.strip()
        if importing:
            importing = text != ")"
        elif text.startswith("import ") or (text.startswith("from ") and " import " in text):
            importing = text.endswith("(")
        elif text and not text.startswith("#"):
            out.append((number, text))
    return out


def repeated_blocks(files: list[Path], root: Path = ROOT) -> list[str]:
    """Each window of ``WINDOW`` code lines found in more than one place, once."""
    places: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in files:
        lines = code_lines(path)
        for i in range(len(lines) - WINDOW + 1):
            window = tuple(text for _, text in lines[i : i + WINDOW])
            places[window].append(f"{path.relative_to(root)}:{lines[i][0]}")
    return [" ~ ".join(where) for where in places.values() if len(where) > 1]


def test_the_files_are_found():
    names = {str(p.relative_to(ROOT)) for p in production_files()}
    assert {"wsgi.py", "worker.py", "api/schemas.py", "ledger/vsla.py"} <= names
    assert not any("migrations" in name or name.startswith("tests") for name in names)


def test_no_module_is_too_long():
    long = {
        str(p.relative_to(ROOT)): n
        for p in production_files()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules (over {MAX_LINES} lines): {long}"


def test_no_block_is_written_twice():
    repeats = repeated_blocks(production_files())
    assert not repeats, "blocks written twice:\n" + "\n".join(repeats)


def test_the_scan_sees_a_repeat(tmp_path):
    block = "\n".join(f"x{i} = {i}" for i in range(WINDOW))
    imports = "from a import (\n    b,\n    c,\n)\nimport d\n"
    first, second = tmp_path / "a.py", tmp_path / "b.py"
    first.write_text(f"{imports * 2}{block}\n", encoding="utf-8")
    second.write_text(f"{imports}# a comment\n\n{block.replace(chr(10), chr(10) + chr(10))}\n")
    assert repeated_blocks([first, second], tmp_path) == ["a.py:11 ~ b.py:8"]
