"""The viewer's scrub latency: time from a slider move to the new frame painted, in headless
Chromium, against `lazyqt serve` over a loopback upstream (lazyqt-testserver) of a generated
1080p ProRes 422 movie, pictures scaled to 960 wide (the viewer's default).

The page stamps each move (the input or keydown event's timeStamp) and each paint (the <img>'s
decode() resolved) with the Performance clock; this script reads those figures back. Two runs:
jumps to random frames never shown before (the server decodes each one), and single steps with
the right-arrow key (the page has prefetched the next frames). Each move waits for its paint.
Also writes a screenshot of the movie page with --screenshot.

Usage (from the repository root; needs chromium, chromedriver, ffmpeg, and a venv with selenium,
numpy and pytest for python/tests' helpers):
  cargo build --release -p lazyqt-cli -p lazyqt-testserver
  LAZYQT_CLI=target/release/lazyqt LAZYQT_TESTSERVER=target/release/lazyqt-testserver \\
    VENV/bin/python benches/viewer_scrub.py [--moves 50] [--screenshot docs/viewer.png]
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python" / "tests"))

from conftest import serve  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from viewer_harness import chromium, lazyqt_serve, scrub_to, wait_for, wait_painted  # noqa: E402

NAME = "CAMHDA301-20170101T030000.mov"
FRAMES = 600


def make_movie(path):
    """20 s of 1080p ProRes 422 (apcn) at 29.97 fps, as CamHD records, of a noisy picture that
    compresses like a real one (~600 KB a frame; CamHD ~560 KB), not a flat pattern."""
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30000/1001"]
        + ["-vf", "noise=alls=20:allf=t+u", "-frames:v", str(FRAMES), "-c:v", "prores_ks", "-profile:v", "2"]
        + [str(path)],
        check=True,
    )


def last_timing(driver):
    return driver.execute_script("const t = window.lazyqtViewer.timings; return t[t.length - 1];")


def summary(name, samples):
    ms = sorted(s["ms"] for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return {
        "run": name,
        "moves": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ms[-1], 1),
        "image_bytes_mean": round(statistics.mean(s["bytes"] for s in samples)),
    }


def frame_bytes_transferred(driver):
    """Bytes of every frame request the page made so far (Resource Timing; prefetches included)."""
    return driver.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/frame/') && "
        "e.name.includes('width=960')).reduce((a, e) => a + e.encodedBodySize, 0)"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=50)
    ap.add_argument("--screenshot", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_movie(root / NAME)
        with serve(root) as up, lazyqt_serve(up.base) as base:
            driver = chromium(1280, 900)
            try:
                path = f"/up/{NAME}"
                driver.get(f"{base}/view/#path={path}&frame=1&width=960")
                wait_painted(driver, 1)  # the server has the movie open: warm from here on
                rng = random.Random(15)
                jumps = rng.sample(range(2, FRAMES - args.moves - 10), args.moves)
                random_samples = []
                for n in jumps:
                    scrub_to(driver, n)
                    wait_painted(driver, n)
                    random_samples.append(last_timing(driver))
                driver.execute_script("performance.clearResourceTimings()")
                start = FRAMES - args.moves - 5
                scrub_to(driver, start)
                wait_painted(driver, start)
                before = frame_bytes_transferred(driver)
                slider = driver.find_element(By.ID, "slider")
                step_samples = []
                for k in range(1, args.moves + 1):
                    slider.send_keys(Keys.ARROW_RIGHT)
                    wait_painted(driver, start + k)
                    step_samples.append(last_timing(driver))
                step_bytes = (frame_bytes_transferred(driver) - before) / args.moves
                results = [summary("random jumps (uncached frames)", random_samples),
                           summary("right-arrow steps (prefetched)", step_samples)]
                results[1]["transferred_bytes_per_step"] = round(step_bytes)
                print(json.dumps(results, indent=1))
                if args.screenshot:
                    driver.set_window_size(1280, 1000)
                    driver.get(f"{base}/view/#path={path}&frame={FRAMES // 3}&width=960")
                    wait_painted(driver, FRAMES // 3)
                    wait_for(
                        driver,
                        lambda d: d.execute_script(
                            "return [...document.querySelectorAll('#thumbs img')]"
                            ".every(i => i.complete && i.naturalWidth > 0)"
                        ),
                        "thumbnails",
                    )
                    driver.save_screenshot(str(args.screenshot))
            finally:
                driver.quit()


if __name__ == "__main__":
    main()
