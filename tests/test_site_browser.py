"""The static site in a real headless Chromium: the filter works, pages open, no request leaves
the page and the console stays clean. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import Runbook

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')"
)
if not (CHROMIUM and DRIVER):
    pytest.skip(
        "chromium and chromedriver are not installed (.ci/run installs them)",
        allow_module_level=True,
    )


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager look for drivers online
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def requests_from_site(driver) -> list[str]:
    """Every request our pages made (Chrome's own chrome:// pages are not ours)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent" and message["params"].get(
            "documentURL", ""
        ).startswith("file://"):
            urls.append(message["params"]["request"]["url"])
    return urls


def test_filter_incident_page_no_network_no_console_errors(
    declared: Runbook, browser, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    declared("declare", "Payments down", "-s", "SEV-0", "--service", "doctor-hub")
    declared("timeline", "add", "<script>document.title='owned'</script>", "-i", "2")
    out = tmp_path / "site"
    declared("site", "--out", str(out))
    ARTIFACTS.mkdir(exist_ok=True)

    browser.get((out / "index.html").as_uri())
    rows = browser.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 2 and all(row.is_displayed() for row in rows)
    search = browser.find_element(By.NAME, "q")
    assert search.is_displayed()  # the script revealed the filter
    search.send_keys("payments")
    assert [row.is_displayed() for row in rows] == [True, False]
    assert browser.find_element(By.ID, "shown").text == "1"
    search.clear()
    search.send_keys(" ")
    Select(browser.find_element(By.NAME, "severity")).select_by_value("SEV-2")
    assert [row.is_displayed() for row in rows] == [False, True]
    browser.save_screenshot(str(ARTIFACTS / "site-index.png"))

    Select(browser.find_element(By.NAME, "severity")).select_by_value("")
    browser.find_element(By.LINK_TEXT, "Payments down").click()
    assert browser.title == "Incident 2 – Payments down"  # the entry's script was text, not code
    assert (
        "<script>document.title='owned'</script>"
        in browser.find_element(By.CSS_SELECTOR, "ol.timeline").text
    )
    browser.save_screenshot(str(ARTIFACTS / "site-incident.png"))

    browser.find_element(By.LINK_TEXT, "Metrics").click()
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg")) == 3
    browser.save_screenshot(str(ARTIFACTS / "site-metrics.png"))

    made = requests_from_site(browser)
    assert any(url.endswith("metrics.html") for url in made)  # the log does see our navigations
    assert [url for url in made if not url.startswith(("file://", "data:"))] == []
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    assert all(
        (ARTIFACTS / name).stat().st_size > 1000
        for name in ("site-index.png", "site-incident.png", "site-metrics.png")
    )
