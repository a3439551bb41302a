"""requirements.lock against pyproject.toml and the environment: every dependency (with the
packages its extras bring) is pinned at a version its range admits, every pin has hashes,
and the tests run on exactly the locked versions. After changing a dependency: `make lock`."""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"
#: The extras the lock is made with (the Makefile's `make lock`).
LOCKED_EXTRAS = ("test",)


def lock_entries(text: str) -> list[tuple[Requirement, list[str]]]:
    """Each pin of a pip requirements file with hashes: (requirement, its hashes)."""
    entries = []
    logical = ""
    for line in text.splitlines():
        line = line.split("#", 1)[0].rstrip() if not line.lstrip().startswith("--hash") else line
        if not line.strip():
            continue
        logical += " " + line.strip().removesuffix("\\")
        if not line.endswith("\\"):
            words = logical.split()
            hashes = [w.removeprefix("--hash=") for w in words if w.startswith("--hash=")]
            spec = " ".join(w for w in words if not w.startswith("--hash="))
            entries.append((Requirement(spec), hashes))
            logical = ""
    return entries


def pins() -> dict[str, list[tuple[Version, Requirement]]]:
    found: dict[str, list[tuple[Version, Requirement]]] = {}
    for req, _ in lock_entries(LOCK.read_text(encoding="utf-8")):
        (spec,) = req.specifier
        assert spec.operator == "==", f"{req} is not pinned with =="
        found.setdefault(canonicalize_name(req.name), []).append((Version(spec.version), req))
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    raw = [*project["dependencies"], *(r for name in LOCKED_EXTRAS for r in extras[name])]
    return [Requirement(r) for r in raw]


def extra_requirements(req: Requirement) -> list[Requirement]:
    """What ``req``'s extras add (``psycopg[binary]`` -> ``psycopg-binary``), read from the
    installed distribution's metadata."""
    if not req.extras:
        return []
    out = []
    for raw in metadata.requires(req.name) or []:
        dep = Requirement(raw)
        if dep.marker is None:
            continue
        for extra in req.extras:
            if dep.marker.evaluate({**default_environment(), "extra": extra}) and (
                not dep.marker.evaluate({**default_environment(), "extra": ""})
            ):
                out.append(dep)
    return out


def check_pinned(req: Requirement, locked: dict) -> list[str]:
    name = canonicalize_name(req.name)
    if name not in locked:
        return [f"{req} is not in requirements.lock"]
    return [
        f"{req}: the lock pins {version}, outside the range"
        for version, _ in locked[name]
        if not req.specifier.contains(version, prereleases=True)
    ]


def test_every_dependency_is_pinned_within_its_range():
    locked = pins()
    problems = []
    for req in declared():
        problems += check_pinned(req, locked)
        for dep in extra_requirements(req):
            problems += check_pinned(dep, locked)
    assert problems == [], "run `make lock`:\n" + "\n".join(problems)


def test_every_pin_has_hashes():
    entries = lock_entries(LOCK.read_text(encoding="utf-8"))
    assert len(entries) > 20
    assert [str(req) for req, hashes in entries if not hashes] == []
    for _, hashes in entries:
        assert all(h.startswith("sha256:") and len(h) == 7 + 64 for h in hashes), hashes


def test_the_environment_runs_the_locked_versions():
    """What `make install` put in .venv is what the lock says (a lock edited without a
    reinstall, or a package upgraded by hand, shows here)."""
    env = default_environment()
    wrong = []
    for name, versions in pins().items():
        for version, req in versions:
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            try:
                installed = Version(metadata.version(name))
            except metadata.PackageNotFoundError:
                wrong.append(f"{name}=={version} is not installed")
                continue
            if installed != version:
                wrong.append(f"{name}: {installed} installed, {version} locked")
    assert wrong == [], f"run `make install` ({sys.prefix}):\n" + "\n".join(wrong)


def test_the_lock_reader_sees_what_pip_sees():
    text = (
        "# a comment\n"
        "flask==3.1.3 \\\n"
        "    --hash=sha256:" + "a" * 64 + " \\\n"
        "    --hash=sha256:" + "b" * 64 + "\n"
        "    # via sanduku\n"
        "colorama==0.4.6 ; sys_platform == 'win32' \\\n"
        "    --hash=sha256:" + "c" * 64 + "\n"
    )
    (flask, flask_hashes), (colorama, _) = lock_entries(text)
    assert (flask.name, str(flask.specifier), len(flask_hashes)) == ("flask", "==3.1.3", 2)
    assert colorama.marker is not None
    assert not check_pinned(Requirement("flask>=3.1.3,<4"), {"flask": [(Version("3.1.3"), flask)]})
    assert check_pinned(Requirement("flask>=3.2"), {"flask": [(Version("3.1.3"), flask)]})
    assert check_pinned(Requirement("gunicorn>=27"), {})
