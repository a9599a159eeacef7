"""Screenshots of the web page at a phone and a desktop width, in Debian's headless Chromium.

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8001] [--out docs/screenshots]

Start `cuesheet serve` first. Each page is captured as its first screen (the
whole page with --full), and the script fails if any page scrolls sideways.
"""

from __future__ import annotations

import argparse
import base64
import shutil
import subprocess
import sys
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# CSS pixels: an iPhone 14's screen, and a common laptop's.
SCREENS = {"phone": (390, 844), "desktop": (1280, 800)}
PAGES = {
    "home": "/",
    "search": "/search?q=elastic+heart",
    "episode": "/soundtrack/1/3",
    "song": "/song/joni-mitchell/both-sides-now",
}


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--force-device-scale-factor=1"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def capture(driver: webdriver.Chrome, url: str, screen: tuple[int, int], out: Path, *, full: bool = False) -> int:
    """Saves a PNG of the page on this screen; returns how far the page scrolls sideways."""
    width, screen_height = screen
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": screen_height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.get(url)
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    height = driver.execute_script("return document.documentElement.scrollHeight")
    if not full:
        height = min(height, screen_height)
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True,
         "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
    )
    out.write_bytes(base64.b64decode(shot["data"]))
    if shutil.which("pngquant"):  # Debian's pngquant: a third of the size, same to the eye
        subprocess.run(["pngquant", "--force", "--skip-if-larger", "--output", str(out), str(out)], check=False)
    return int(overflow)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8001")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--full", action="store_true", help="capture whole pages, not the first screen")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    driver = browser()
    bad = 0
    try:
        for name, path in PAGES.items():
            for label, screen in SCREENS.items():
                target = args.out / f"{name}-{label}.png"
                overflow = capture(driver, args.base + path, screen, target, full=args.full)
                print(f"{target}  {screen[0]}px wide  sideways scroll: {overflow}px")
                bad += overflow > 0
    finally:
        driver.quit()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
