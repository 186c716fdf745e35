"""The viewer's day page: time from opening a day of 8 movies to every thumbnail in view painted,
and the requests and bytes that took, in headless Chromium (1366x768, a laptop screen) against
`lazyqt serve` over a loopback upstream (lazyqt-testserver) of a generated CamHD-like day:
eight 1080p ProRes 422 movies named like CamHD's, 3 h apart, in a YYYY/MM/DD/ directory.

Three kinds of load, each in a fresh browser (empty HTTP cache), --repeat times (median):
cold (a server just started), warm (the server has read the day's catalog, so the movies'
metadata is cached, but no thumbnail was asked for) and warm again (the same thumbnails again:
the server's image cache answers). The time
is the Performance clock from the navigation to the last thumbnail in view painted (the page
records each paint in window.lazyqtViewer.day.thumbs); requests and bytes are the page's
Resource Timing entries (all of them, and the thumbnails alone), when the last thumbnail in
view is painted and once the page is quiet. With --screenshot, writes a screenshot of the day
page after asking for an instant in a gap (01:30).

Usage (from the repository root; needs chromium, chromedriver, ffmpeg, and a venv with selenium,
numpy and pytest for python/tests' helpers):
  cargo build --release -p lazyqt-cli -p lazyqt-testserver
  LAZYQT_CLI=target/release/lazyqt LAZYQT_TESTSERVER=target/release/lazyqt-testserver \\
    VENV/bin/python benches/viewer_day.py [--frames 90] [--repeat 5] [--screenshot docs/viewer-day.png]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python" / "tests"))

from conftest import serve
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from viewer_harness import TIMEOUT, chromium, lazyqt_serve, wait_for

DAY = "2017/01/01"
MOVIES = [f"CAMHDA301-20170101T{h:02d}0000.mov" for h in range(0, 24, 3)]

# Figures of the page: whether every thumbnail in view is painted, the last paint, resources.
PAGE_FIGURES = """
const thumbs = window.lazyqtViewer.day.thumbs;
const imgs = [...document.querySelectorAll('#day-rows .day-thumbs img')];
const inView = imgs.filter(i => { const r = i.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; });
const res = performance.getEntriesByType('resource');
const frames = res.filter(e => e.name.includes('/frame/'));
const sum = (es, k) => es.reduce((a, e) => a + e[k], 0);
return {
  rows: document.querySelectorAll('#day-rows .day-row').length,
  thumbnails: imgs.length,
  in_view: inView.length,
  painted: inView.every(i => thumbs.has(i.src)),
  ms: Math.max(0, ...inView.map(i => (thumbs.get(i.src) || {}).painted || 0)),
  catalog_ms: Math.max(0, ...res.filter(e => e.name.includes('/catalog?')).map(e => e.responseEnd)),
  requests: res.length + 1,
  bytes: sum(res, 'transferSize') + performance.getEntriesByType('navigation')[0].transferSize,
  thumbnail_requests: frames.length,
  thumbnail_bytes: sum(frames, 'encodedBodySize'),
};
"""


def make_day(root, frames):
    """Eight movies of `frames` 1080p ProRes 422 (apcn) frames at 29.97 fps, each turned by
    another hue so that no two thumbnails are alike."""
    day = root / DAY
    day.mkdir(parents=True)
    for k, name in enumerate(MOVIES):
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30000/1001"]
            + ["-frames:v", str(frames), "-vf", f"hue=h={45 * k}", "-c:v", "prores_ks", "-profile:v", "2"]
            + [str(day / name)],
            check=True,
        )


def settled(driver):
    """The page's figures once no request has ended for 1 s (the thumbnails just below the
    screen, within the page's look-ahead margin, have come too)."""
    last, since = None, time.monotonic()
    while time.monotonic() - since < 1:
        f = driver.execute_script(PAGE_FIGURES)
        if last is None or f["requests"] != last["requests"]:
            last, since = f, time.monotonic()
        time.sleep(0.1)
    return last


def load(base, screenshot=None):
    """Opens the day in a fresh browser: the page's figures once every thumbnail in view is
    painted, and the requests and bytes once it is quiet."""
    driver = chromium(1366, 768)
    try:
        driver.get(f"{base}/view/#path=/up/{DAY}/")
        figures = wait_for(
            driver,
            lambda d: (f := d.execute_script(PAGE_FIGURES)) and f["rows"] == len(MOVIES) and f["painted"] and f,
            "every thumbnail in view painted",
        )
        quiet = settled(driver)
        figures.update({f"settled_{k}": quiet[k] for k in ["requests", "bytes", "thumbnail_requests", "thumbnail_bytes"]})
        if screenshot:
            # With a gap asked for: the page names the recordings around it.
            field = driver.find_element(By.ID, "in-instant")
            field.clear()
            field.send_keys("01:30", Keys.ENTER)
            wait_for(driver, lambda d: d.find_element(By.ID, "instant-message").text.startswith("No recording"), "the gap")
            driver.save_screenshot(str(screenshot))
        return figures
    finally:
        driver.quit()


def summary(name, loads):
    """The median time of `loads`, each time, and the first load's counts."""
    return {"run": name, "loads": len(loads), "ms_each": [round(f["ms"]) for f in loads],
            "median_ms": round(statistics.median(f["ms"] for f in loads)),
            **{k: v for k, v in loads[0].items() if k != "ms"}}


def read_catalog(base):
    url = f"{base}/up/{DAY}/catalog?from=2017-01-01&to=2017-01-01T23:59:59.999Z"
    with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
        assert len(json.load(r)) == len(MOVIES)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=90, help="frames of each movie")
    ap.add_argument("--repeat", type=int, default=5, help="loads of each kind")
    ap.add_argument("--screenshot", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_day(root, args.frames)
        cold, warm, again = [], [], []
        for k in range(args.repeat):
            # A server per load: cold, then warm (catalog read), then (last time) loads again.
            with serve(root) as up, lazyqt_serve(up.base) as base:
                cold.append(load(base))
            with serve(root) as up, lazyqt_serve(up.base) as base:
                read_catalog(base)
                warm.append(load(base))
                if k == args.repeat - 1:
                    again = [load(base, args.screenshot if j == args.repeat - 1 else None) for j in range(args.repeat)]
        results = [summary("cold server", cold),
                   summary("warm server (catalog read), thumbnails never asked for", warm),
                   summary("warm server, the same thumbnails again", again)]
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
