"""One viewer's visit in a real headless Chromium, against a real `cuesheet serve`.

Debian's chromium and chromium-driver packages (`.ci/run` installs them); no
browser is downloaded. Skips only when they are not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.skipif(
    not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)),
    reason="Chromium not installed (apt-get install chromium chromium-driver)",
)


@pytest.fixture
def server(shipped_db: Path) -> Iterator[str]:
    """`cuesheet serve` in its own process on a free loopback port."""
    yield from _serve(shipped_db)


@pytest.fixture
def all_shows_server(all_shows_db_file: Path) -> Iterator[str]:
    """The same, serving all eleven shipped shows (#20)."""
    yield from _serve(all_shows_db_file)


def _serve(db: Path) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "cuesheet", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(200):  # up to ~20 s for the process to listen
            if proc.poll() is not None:
                pytest.fail(f"cuesheet serve exited: {proc.stdout.read() if proc.stdout else ''}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("cuesheet serve did not start listening")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _browser():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def test_a_viewer_who_has_seen_four_episodes_meets_no_spoiler(server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _browser()
    wait = WebDriverWait(driver, 20)
    try:
        driver.get(server + "/")
        assert "Nellie falls" not in driver.find_element(By.TAG_NAME, "main").text  # no plot in the examples
        box = driver.find_element(By.NAME, "q")
        box.send_keys("nellie falls")
        box.submit()
        wait.until(ec.url_contains("/search?q=nellie+falls"))
        assert "Roads" in driver.find_element(By.TAG_NAME, "main").text  # unguarded, episode 9 answers

        Select(driver.find_element(By.ID, "upto")).select_by_value("S01E04")
        driver.find_element(By.CSS_SELECTOR, "form.upto button").click()
        wait.until(ec.url_contains("upto=S01E04"))
        main = driver.find_element(By.TAG_NAME, "main").text
        assert "Roads" not in main and "Portishead" not in main and "through the sky" not in main
        assert "Later episodes have more" in main
        for card in driver.find_elements(By.CSS_SELECTOR, "article.cue a.episode"):
            assert card.text.split()[1] <= "S01E04"

        # The choice travels with the viewer: the next search and the pages it links keep it.
        box = driver.find_element(By.NAME, "q")
        box.clear()
        box.send_keys("portishead")
        box.submit()
        wait.until(ec.url_contains("q=portishead"))
        assert "upto=S01E04" in driver.current_url
        assert "Roads" not in driver.find_element(By.TAG_NAME, "main").text
        driver.get(server + "/soundtrack/1/9?upto=S01E04")
        main = driver.find_element(By.TAG_NAME, "main").text
        assert "later episodes have more" in main.lower() and "Roads" not in main

        # On a phone, from the start page: the choice sits under the search box.
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
        )
        driver.get(server + "/")
        Select(driver.find_element(By.ID, "upto")).select_by_value("S01E02")
        box = driver.find_element(By.NAME, "q")
        box.send_keys("sam")
        box.submit()
        wait.until(ec.url_contains("upto=S01E02"))
        codes = [a.text.split()[1] for a in driver.find_elements(By.CSS_SELECTOR, "article.cue a.episode")]
        assert codes and all(code <= "S01E02" for code in codes)
        sideways = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert sideways == 0
    finally:
        driver.quit()


def test_a_viewer_searches_elastic_heart_and_finds_the_cue(server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _browser()
    wait = WebDriverWait(driver, 20)
    try:
        driver.get(server + "/")
        assert "What song is this?" in driver.find_element(By.TAG_NAME, "h1").text

        box = driver.find_element(By.NAME, "q")
        box.send_keys("elastic heart")
        box.submit()  # the plain GET form: no JavaScript on the page
        wait.until(ec.url_contains("/search?q=elastic+heart"))
        first = driver.find_elements(By.CSS_SELECTOR, "article.cue")[0]
        assert "Elastic Heart" in first.text and "Sia" in first.text

        first.find_element(By.CSS_SELECTOR, "a.episode").click()
        wait.until(ec.url_contains("/soundtrack/1/1"))
        assert "Track 1: Nellie and Sam" in driver.find_element(By.TAG_NAME, "h1").text
        cue = driver.find_element(By.ID, "cue-1")
        assert "Elastic Heart" in cue.text
        assert "Performed by Nellie (Callie Hernandez)" in cue.text

        # The same page on a phone: readable without scrolling sideways.
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
        )
        driver.refresh()
        wait.until(ec.presence_of_element_located((By.ID, "cue-1")))
        sideways = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert sideways == 0
    finally:
        driver.quit()


def test_lip_sync_results_stay_hidden_until_asked_and_under_the_guard(all_shows_server: str) -> None:
    """#20: who won a lip sync is a spoiler: hidden by default, shown on the viewer's click,
    never for an episode past the one watched."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _browser()
    wait = WebDriverWait(driver, 20)
    try:
        driver.get(all_shows_server + "/")
        assert "Drag Race" in driver.find_element(By.CSS_SELECTOR, "li.franchise h3").text
        driver.get(all_shows_server + "/rupauls-drag-race/4/10")
        main = driver.find_element(By.TAG_NAME, "main").text
        assert "Natural Woman" in main, main
        assert "Won by Latrice" not in main and "went home: Kenya" not in main
        driver.find_element(By.CSS_SELECTOR, "a.show-results").click()
        wait.until(ec.url_contains("results=1"))
        main = driver.find_element(By.TAG_NAME, "main").text
        assert "Won by Latrice Royale" in main and "went home: Kenya Michaels" in main
        driver.get(all_shows_server + "/rupauls-drag-race/4/10?results=1&upto=rpdr+s04e09")
        main = driver.find_element(By.TAG_NAME, "main").text
        assert "later episodes have more" in main.lower() and "Latrice" not in main and "Won by" not in main
    finally:
        driver.quit()
