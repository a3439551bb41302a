"""The console in a real browser: Debian's chromium, driven by selenium through
chromium-driver, against the app served on a local port with the demo's data. One browser
for the whole module: log in, post a price, record a meeting through the grid, review a flag,
record a site's inspection, combine and seal lots, import a CSV with a bad row, check the
books; at 360x640 (a phone) and 1280x800 (a laptop); once with JavaScript off. Screenshots of
every page go to ``tests/console/screenshots/``.

Never skipped: without the browser the test fails and says how to install it (``make test``
and ``.ci/run`` install it when they run as root)."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from console import auth
from ledger import db, demo, logins
from ledger.models import (
    Flag,
    FlagStatus,
    Lot,
    LotStatus,
    Meeting,
    Member,
    PricePost,
    Site,
    SiteStatus,
)
from tests import services
from tests.console.conftest import flag_the_demo
from tests.waiting import wait_until
from wsgi import create_app

SHOTS = Path(__file__).parent / "screenshots"
SIZES = {"phone": (360, 640), "laptop": (1280, 800)}
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
INSTALL = (
    "the console's browser tests need Debian's chromium and chromium-driver: "
    "as root, `apt-get install -y chromium chromium-driver` (make test does it when run as root)"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory, redis_url):
    """The app on a free local port, over a fresh SQLite database with the demo's data."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'console.db'}"
    services.migrate(url)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "SMS_BACKEND": "console",
            "SECRET_KEY": services.SECRET_KEY,
        }
    )
    with app.app_context():
        session = db.session()
        demo.seed(session)
        flag_the_demo(session)
        for member, password in demo.console_logins(session):
            logins.set_password(session, member, auth.hash_password(password))
        session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not (shutil.which("chromium") or Path(CHROMIUM).exists()) or not Path(DRIVER).exists():
        pytest.fail(INSTALL)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    SHOTS.mkdir(exist_ok=True)
    print(f"\nconsole screenshots: {SHOTS}")
    yield driver
    driver.quit()


def count(app, model, *where) -> int:
    with app.app_context():
        n = db.session().scalar(select(func.count()).select_from(model).where(*where))
        db.session.remove()
        return n


def visit(driver, base: str, path: str) -> None:
    driver.get(base + path)  # returns once the page has loaded


def submit(driver, form_css: str = "main form") -> None:
    from selenium.webdriver.common.by import By

    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, f"{form_css} button[type=submit]").click()
    wait_until(lambda: _stale(old), 20, "the answer to the form")


def _stale(element) -> bool:
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.tag_name  # noqa: B018 - raises once the page has changed
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:  # chromium's other way of saying the page has changed
        if "does not belong to the document" in str(exc):
            return True
        raise


def log_in(driver, base: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    visit(driver, base, "/console/login")
    phone = next(p for p, n, *_ in demo.PEOPLE if n == name)
    driver.find_element(By.NAME, "phone").send_keys(phone)
    driver.find_element(By.NAME, "password").send_keys(demo.CONSOLE_PASSWORDS[name])
    submit(driver)
    assert driver.current_url.endswith("/console/"), driver.page_source[:2000]


def shoot(driver, name: str) -> None:
    width, height = driver.get_window_size().values()
    driver.save_screenshot(str(SHOTS / f"{name}-{width}x{height}.png"))


PAGES = {
    "today": "/console/",
    "prices": "/console/prices",
    "groups": "/console/groups",
    "group": "/console/groups/UMOJA",
    "meeting": "/console/groups/UMOJA/meeting",
    "members": "/console/members",
    "import": "/console/members/import",
    "purchases": "/console/purchases",
    "flags": "/console/flags",
    "sites": "/console/sites",
    "site": "/console/sites/MGB-01",
    "lots": "/console/lots",
    "reports": "/console/reports",
    "messages": "/console/messages",
    "inbound": "/console/messages/inbound",
}


def test_a_coordinator_and_an_officer_at_work(served, browser, tmp_path):
    from selenium.webdriver.common.by import By

    app, base = served
    driver = browser
    for size, (width, height) in SIZES.items():
        driver.set_window_size(width, height)
        log_in(driver, base, "Dieudonne Ukumu")
        for name, path in PAGES.items():
            visit(driver, base, path)
            assert "500" not in driver.title
            shoot(driver, f"{name}-{size}")
        # Post a price: its reach first, then sent, recorded by the coordinator.
        before = count(app, PricePost)
        visit(driver, base, "/console/prices")
        driver.find_element(By.NAME, "usd_per_gram").send_keys("96,50")
        submit(driver)
        assert "Kiswahili" in driver.page_source  # the reach, by language
        shoot(driver, f"price-preview-{size}")
        submit(driver)
        assert count(app, PricePost) == before + 1
        coordinator = lookup(app, "Dieudonne Ukumu")
        assert count(app, PricePost, PricePost.recorded_by == f"console:{coordinator}") >= 1

    # The coordinator reviews a flag on a phone: dismissed, with why; the books say who.
    driver.set_window_size(*SIZES["phone"])
    coordinator = f"console:{lookup(app, 'Dieudonne Ukumu')}"
    flag = first(app, Flag, Flag.status == FlagStatus.OPEN)
    visit(driver, base, "/console/flags?status=open")
    assert driver.find_elements(By.CSS_SELECTOR, f"a[href$='/console/flags/{flag}']")
    visit(driver, base, f"/console/flags/{flag}")
    choose(driver, "status", "dismissed")
    driver.find_element(By.NAME, "note").send_keys("inspection booked, seller known")
    shoot(driver, "flag-review-phone")
    submit(driver)
    assert count(app, Flag, Flag.id == flag, Flag.status == FlagStatus.DISMISSED,
                 Flag.reviewed_by == coordinator) == 1  # fmt: skip
    assert "inspection booked, seller known" in driver.page_source

    # A site's new inspection: yellow, kept in its history with who recorded it.
    visit(driver, base, "/console/sites/IGA-02")
    choose(driver, "status", "yellow")
    date_input(driver, "inspected_on", dt.date.today())
    driver.find_element(By.NAME, "note").send_keys("pit walls shored")
    submit(driver, "main form[action$='/status']")
    assert count(app, Site, Site.code == "IGA-02", Site.status == SiteStatus.YELLOW) == 1
    shoot(driver, "site-phone")

    # The open lots combined, the new lot sealed under a tag; its record prints.
    visit(driver, base, "/console/lots")
    for box in driver.find_elements(By.CSS_SELECTOR, "input[name=inputs]"):
        box.click()
    submit(driver)
    made = first(app, Lot, Lot.status == LotStatus.OPEN)
    driver.find_element(By.NAME, "tag").send_keys("SAESSCAM-0001")
    submit(driver)
    assert count(app, Lot, Lot.id == made, Lot.status == LotStatus.SEALED) == 1
    record = driver.find_element(By.CSS_SELECTOR, "a[href$='/record']").get_attribute("href")
    driver.get(record)
    assert "SAESSCAM-0001" in driver.page_source
    shoot(driver, "lot-record-phone")

    # The officer records today's meeting through the grid, on a phone.
    driver.set_window_size(*SIZES["phone"])
    log_in(driver, base, "Mapendo Ngabo")
    visit(driver, base, "/console/groups/UMOJA/meeting")
    esther = lookup(app, "Esther Bahati")
    driver.find_element(By.NAME, f"present-{esther}").click()
    driver.find_element(By.NAME, f"shares-{esther}").send_keys("3")
    driver.find_element(By.NAME, f"social_fund-{esther}").send_keys("200")
    shoot(driver, "meeting-filled-phone")
    submit(driver)
    officer = lookup(app, "Mapendo Ngabo")
    today = dt.date.today()
    assert (
        count(app, Meeting, Meeting.held_on == today, Meeting.recorded_by == f"console:{officer}")
        == 1
    )
    shoot(driver, "meeting-saved-phone")

    # A CSV with a bad row: the dry run names its line and writes nothing; then the import.
    sheet = tmp_path / "membres.csv"
    sheet.write_text(
        "\ufeffphone;name;gender;language;group;roles\n"
        "0991234001;Asifiwe Kavira;F;sw;UMOJA;member\n"
        "0991234002;Bad Gender;Z;sw;UMOJA;member\n",
        encoding="utf-8",
    )
    members_before = count(app, Member)
    visit(driver, base, "/console/members/import")
    driver.find_element(By.NAME, "file").send_keys(str(sheet))
    assert driver.find_element(By.NAME, "dry_run").is_selected()  # a dry run unless unticked
    submit(driver)
    assert "<td>3</td>" in driver.page_source and count(app, Member) == members_before
    shoot(driver, "import-dry-run-phone")
    driver.find_element(By.NAME, "file").send_keys(str(sheet))
    driver.find_element(By.NAME, "dry_run").click()
    submit(driver)
    assert count(app, Member) == members_before + 1

    # The books: Esther's passbook shows the shares she bought today.
    visit(driver, base, f"/console/members/{esther}")
    assert "Passbook" in driver.page_source or "Livret" in driver.page_source
    shoot(driver, "passbook-phone")


def test_the_console_works_with_javascript_off(served, browser):
    from selenium.webdriver.common.by import By

    app, base = served
    driver = browser
    driver.set_window_size(*SIZES["laptop"])
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        log_in(driver, base, "Dieudonne Ukumu")
        scripts = driver.execute_cdp_cmd(
            "Runtime.evaluate", {"expression": "typeof window.htmx", "returnByValue": True}
        )
        assert scripts["result"]["value"] == "undefined"  # htmx never ran: scripts are off
        before = count(app, PricePost)
        visit(driver, base, "/console/prices")
        driver.find_element(By.NAME, "usd_per_gram").send_keys("97")
        submit(driver)
        submit(driver)
        assert count(app, PricePost) == before + 1
        driver.find_element(By.LINK_TEXT, "Membres").click()
        assert driver.current_url.endswith("/console/members")
        shoot(driver, "members-no-javascript")
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def first(app, model, *where) -> int:
    """The newest row's id."""
    with app.app_context():
        found = db.session().scalar(
            select(model.id).where(*where).order_by(model.id.desc()).limit(1)
        )
        db.session.remove()
        return found


def choose(driver, name: str, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.NAME, name)).select_by_value(value)


def date_input(driver, name: str, day: dt.date) -> None:
    """A date field set as it would be picked (typing into one depends on the browser's locale)."""
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.NAME, name)
    driver.execute_script("arguments[0].value = arguments[1]", field, day.isoformat())


def lookup(app, name: str) -> int:
    with app.app_context():
        found = db.session().scalar(select(Member.id).where(Member.name == name))
        db.session.remove()
        return found
