"""Compiled catalogs (``.mo``) are not committed: the door compiles what is missing or stale
when a process starts or first translates, and processes starting together do not trip over
each other."""

from __future__ import annotations

import multiprocessing
import os
import shutil

import pytest
from babel.support import Translations

import locales


@pytest.fixture
def copy(tmp_path, monkeypatch):
    """The catalogs copied to a directory of their own, without any ``.mo``."""
    for po in locales.DIR.glob(f"*/LC_MESSAGES/{locales.DOMAIN}.po"):
        target = tmp_path / po.relative_to(locales.DIR)
        target.parent.mkdir(parents=True)
        shutil.copy(po, target)
    monkeypatch.setattr(locales, "DIR", tmp_path)
    return tmp_path


def mo_files(root):
    return sorted(p.relative_to(root) for p in root.glob(f"*/LC_MESSAGES/{locales.DOMAIN}.mo"))


def test_missing_and_stale_catalogs_are_compiled(copy):
    written = locales.compile_catalogs()
    assert len(written) == len(locales.LANGUAGES) == len(mo_files(copy))
    assert locales.compile_catalogs() == []  # up to date: nothing to do
    po = copy / "fr" / "LC_MESSAGES" / f"{locales.DOMAIN}.po"
    mo = po.with_suffix(".mo")
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    assert locales.compile_catalogs() == [mo]
    french = Translations.load(str(copy), ["fr"], domain=locales.DOMAIN)
    assert french.gettext("My savings") == "Mon épargne"
    assert not list(copy.glob("*/LC_MESSAGES/*.tmp"))


def _compile(root: str) -> None:
    locales.DIR = locales.Path(root)
    locales.compile_catalogs()


def test_processes_starting_together_compile_safely(copy):
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_compile, args=(str(copy),)) for _ in range(6)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [proc.exitcode for proc in procs] == [0] * len(procs)
    assert len(mo_files(copy)) == len(locales.LANGUAGES)
    assert not list(copy.glob("*/LC_MESSAGES/*.tmp"))
    for lang in ("sw", "ln", "fr"):
        catalog = Translations.load(str(copy), [lang], domain=locales.DOMAIN)
        assert catalog.gettext("Buy gold") != "Buy gold"


def test_a_process_that_translates_before_create_app_gets_the_catalogs(copy):
    locales._translations.cache_clear()
    try:
        assert mo_files(copy) == []
        assert locales.Translator("sw").gettext("My savings") == "Akiba yangu"
        assert len(mo_files(copy)) == len(locales.LANGUAGES)
    finally:
        locales._translations.cache_clear()  # the next test loads the real catalogs again
