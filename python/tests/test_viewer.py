"""The browser viewer at /view/ in headless Chromium, against `lazyqt serve` over a loopback
upstream (the lazyqt-testserver) of generated movies: browsing, scrubbing, keys, deep links,
a malformed movie, the UTC field, labels and laptop screens, stale requests cancelled. The
image the page shows is compared byte for byte with the REST frame. (The day page's tests are
in test_viewer_day.py.)"""

import json
import shutil
import urllib.request
from urllib.parse import quote

import pytest
from conftest import serve
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from viewer_harness import (
    TIMEOUT,
    NetworkLog,
    chromium,
    console_errors,
    follow,
    horizontal_overflow,
    http_get,
    lazyqt_serve,
    painted_frame,
    scrub_to,
    shown_bytes,
    unlabelled,
    wait_for,
    wait_painted,
)

# A CamHD-style name: the viewer takes the UTC start from it.
MOVIE = "CAMHDA301-20170101T030000.mov"
BROKEN = "broken.mov"
OTHER = "CAMHDA301-20170101T060000.mov"


@pytest.fixture(scope="module")
def site(movies, tmp_path_factory):
    """(viewer base URL, REST path of the good movie, REST path of the broken one, driver)."""
    root = tmp_path_factory.mktemp("viewer")
    day = root / "2017" / "01" / "01"
    day.mkdir(parents=True)
    shutil.copy(movies / "prores2.mov", day / MOVIE)
    # A movie cut before its moov: the server answers 415 with a JSON message.
    (day / BROKEN).write_bytes((movies / "prores2.mov").read_bytes()[:4096])
    (day / "notes.txt").write_text("not a movie\n")
    with serve(root) as up, lazyqt_serve(up.base) as base:
        driver = chromium()
        try:
            yield base, "/up/2017/01/01/" + MOVIE, "/up/2017/01/01/" + BROKEN, driver
        finally:
            driver.quit()


def open_movie(driver, base, path, frame=None):
    url = f"{base}/view/#path={quote(path, safe='/')}"
    if frame is not None:
        url += f"&frame={frame}"
    driver.get("about:blank")
    driver.get(url)


def rest_frame(base, src):
    status, body = http_get(base + src)
    assert status == 200, (src, status, body[:200])
    return body


def assert_shows(driver, base, path, n):
    """The page has painted frame n, and the bytes it shows are the REST frame n's, which
    differ from frame n+1's (or n-1's)."""
    wait_painted(driver, n)
    src, shown = shown_bytes(driver)
    assert src.startswith(quote(path, safe="/") + f"/frame/{n}."), src
    assert shown == rest_frame(base, src)
    other = src.replace(f"/frame/{n}.", f"/frame/{n + 1 if n == 1 else n - 1}.")
    assert shown != rest_frame(base, other), "neighbouring frames are identical: the check proves nothing"


def test_browse_mounts_to_movie_without_console_errors(site):
    base, path, _, driver = site
    driver.get(base + "/view/")
    console_errors(driver)  # start clean
    for name in ["/up", "2017/", "01/", "01/"]:
        follow(driver, name)
    wait_for(driver, lambda d: d.find_elements(By.LINK_TEXT, "notes.txt"), "a plain file")
    # The movie page opens beside the listing (which stays in the page): a plain click.
    wait_for(driver, lambda d: d.find_elements(By.LINK_TEXT, MOVIE), "the movie").pop().click()
    assert_shows(driver, base, path, 1)
    info = driver.find_element(By.ID, "movie-info").text
    assert "30 frames" in info and "320×180" in info, info
    assert driver.find_element(By.ID, "in-utc").get_attribute("value") == "2017-01-01T03:00:00.000Z"
    # The thumbnails have loaded (scaled frames).
    wait_for(
        driver,
        lambda d: d.execute_script(
            "return [...document.querySelectorAll('#thumbs img')].every(i => i.complete && i.naturalWidth > 0)"
        ),
        "thumbnails",
    )
    assert len(driver.find_elements(By.CSS_SELECTOR, "#thumbs button")) == 12
    assert console_errors(driver) == []


def test_scrub_to_frame_n_shows_frame_n(site):
    base, path, _, driver = site
    open_movie(driver, base, path)
    wait_painted(driver, 1)
    console_errors(driver)
    # Quick successive moves: only the last one may end up painted.
    for n in [5, 9, 21, 17]:
        scrub_to(driver, n)
    assert_shows(driver, base, path, 17)
    assert "frame=17" in driver.current_url
    assert driver.find_element(By.ID, "in-frame").get_attribute("value") == "17"
    # 16 frames at 30000/1001 fps: 0.534 s.
    assert driver.find_element(By.ID, "in-time").get_attribute("value") == "0:00.534"
    scrub_to(driver, 30)
    assert_shows(driver, base, path, 30)
    assert console_errors(driver) == []


def test_keys_step_exactly_one_frame(site):
    base, path, _, driver = site
    open_movie(driver, base, path, frame=10)
    assert_shows(driver, base, path, 10)
    slider = driver.find_element(By.ID, "slider")
    slider.send_keys(Keys.ARROW_RIGHT)
    assert_shows(driver, base, path, 11)
    slider.send_keys(Keys.ARROW_LEFT)
    slider.send_keys(Keys.ARROW_LEFT)
    assert_shows(driver, base, path, 9)
    # Keys work without the slider focused too; Shift+arrow is one second (30 frames, clamped).
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.HOME)
    assert_shows(driver, base, path, 1)
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.SHIFT, Keys.ARROW_RIGHT)
    assert_shows(driver, base, path, 30)
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    wait_painted(driver, 30)
    slider.send_keys(Keys.ARROW_RIGHT)  # at the end: stays
    assert painted_frame(driver) == 30 and slider.get_attribute("value") == "30"
    assert console_errors(driver) == []


def test_deep_link_opens_at_its_frame(site):
    base, path, _, driver = site
    open_movie(driver, base, path, frame=23)
    assert_shows(driver, base, path, 23)
    assert driver.find_element(By.ID, "slider").get_attribute("value") == "23"
    assert driver.find_element(By.ID, "dl-png").get_attribute("href").endswith(f"{quote(MOVIE)}/frame/23.png")
    # Typing a time moves there: 0.5 s is frame 15 at 29.97 fps.
    field = driver.find_element(By.ID, "in-time")
    field.clear()
    field.send_keys("0.5", Keys.ENTER)
    assert_shows(driver, base, path, 15)
    assert console_errors(driver) == []


def test_malformed_movie_shows_a_readable_error(site):
    base, _, broken, driver = site
    status, body = http_get(base + broken)
    assert status == 415, (status, body)
    message = json.loads(body)["error"]
    open_movie(driver, base, broken)
    panel = wait_for(driver, lambda d: d.find_element(By.ID, "error").is_displayed() and d.find_element(By.ID, "error"), "the error panel")
    assert panel.get_attribute("role") == "alert"
    assert BROKEN in panel.text and message in panel.text and "415" in panel.text, panel.text
    # The only console error is the failed request itself (which also shows the log is read).
    errors = console_errors(driver)
    assert errors and all("415" in e["message"] for e in errors), errors


def test_fits_a_laptop_screen_and_every_control_is_labelled(site):
    """At 1366x768 and 1024x640 the movie page scrolls only vertically and the frame fits the
    width; at 1366x768 the frame, the slider and the position fields are on the first screen.
    Every control has a label (its <label>, an aria-label or its text)."""
    base, path, _, driver = site
    try:
        for w, h in [(1366, 768), (1024, 640)]:
            driver.set_window_size(w, h)
            open_movie(driver, base, path, frame=3)
            wait_painted(driver, 3)
            assert horizontal_overflow(driver) <= 0, f"{w}x{h}: horizontal scrolling"
            img = driver.execute_script("return document.getElementById('frame').getBoundingClientRect().right")
            assert img <= driver.execute_script("return window.innerWidth")
            assert unlabelled(driver, "#movie") == []
        driver.set_window_size(1366, 768)
        open_movie(driver, base, path, frame=4)
        wait_painted(driver, 4)
        below = driver.execute_script(
            "return Math.max(...['frame', 'slider', 'in-frame'].map(id => "
            "document.getElementById(id).getBoundingClientRect().bottom)) - window.innerHeight"
        )
        assert below <= 0, f"{below} px below the first screen"
    finally:
        driver.set_window_size(1280, 900)


def test_utc_field_moves_to_the_frame_the_archive_names(site):
    """The UTC field is editable: a typed instant lands on the frame `<root>/utc/<instant>`
    names (the archive route over the same mount); one not understood says so."""
    base, path, _, driver = site
    open_movie(driver, base, path, frame=2)
    assert_shows(driver, base, path, 2)
    instant = "2017-01-01T03:00:00.634Z"
    with urllib.request.urlopen(f"{base}/up/utc/{instant}.jpg", timeout=TIMEOUT) as r:
        assert r.headers["X-Lazyqt-File"] == path
        n = int(r.headers["X-Lazyqt-Frame"]) + 1
    field = driver.find_element(By.ID, "in-utc")
    field.clear()
    field.send_keys(instant, Keys.ENTER)
    assert_shows(driver, base, path, n)
    assert n == 20 and field.get_attribute("value") == "2017-01-01T03:00:00.634Z"
    field.clear()
    field.send_keys("yesterday", Keys.ENTER)
    panel = wait_for(driver, lambda d: d.find_element(By.ID, "error").is_displayed() and d.find_element(By.ID, "error"), "the refusal")
    assert '"yesterday" is not a frame' in panel.text, panel.text
    assert console_errors(driver) == []


@pytest.fixture(scope="module")
def slow_site(movies, tmp_path_factory):
    """(viewer base URL, REST path of a movie, driver logging its network) behind an upstream
    answering after 1 s; OTHER is a copy of the movie for a test that needs its thumbnails
    never loaded before (none in the browser's cache)."""
    root = tmp_path_factory.mktemp("viewer-slow")
    shutil.copy(movies / "prores2.mov", root / MOVIE)
    shutil.copy(movies / "prores2.mov", root / OTHER)
    with serve(root, options=["--latency-ms", "1000"]) as up, lazyqt_serve(up.base) as base:
        driver = chromium(network_log=True)
        try:
            yield base, "/up/" + MOVIE, driver
        finally:
            driver.quit()


def test_stale_frame_requests_are_cancelled(slow_site):
    """Moves past frames still loading cancel them in the browser; leaving the movie cancels
    what it still waits for, and nothing of it is painted later."""
    base, path, driver = slow_site
    open_movie(driver, base, path, frame=1)
    wait_painted(driver, 1)
    log = NetworkLog(driver).read()
    for n in [5, 9, 21, 17]:
        scrub_to(driver, n)
    assert_shows(driver, base, path, 17)
    cancelled = {int(u.split("/frame/")[1].split(".")[0]) for u in log.read().cancelled if "/frame/" in u}
    assert {5, 9, 21} <= cancelled, cancelled
    assert 17 not in cancelled
    scrub_to(driver, 26)
    wait_for(driver, lambda d: any("/frame/26." in u for u in log.read().sent), "frame 26 requested")
    driver.execute_script("location.hash = '#'")  # the mounts: no thumbnails there
    wait_for(driver, lambda d: any("/frame/26." in u for u in log.read().cancelled), "frame 26 cancelled")
    wait_for(driver, lambda d: d.find_elements(By.LINK_TEXT, "/up"), "the mounts")
    assert painted_frame(driver) == 17


def test_leaving_a_movie_cancels_its_thumbnails(slow_site):
    """The movie page's thumbnails (plain <img>s) still loading when the movie is left are
    dropped: their requests cancelled, none finishing afterwards."""
    base, _, driver = slow_site
    driver.get("about:blank")
    log = NetworkLog(driver).read()
    driver.get(f"{base}/view/#path=/up/{OTHER}&frame=2")
    mine = lambda urls: [u for u in urls if "width=160" in u]
    wait_for(driver, lambda d: mine(log.read().sent), "the thumbnails requested")
    driver.execute_script("location.hash = '#'")  # the mounts: no thumbnails there
    wait_for(driver, lambda d: d.find_elements(By.LINK_TEXT, "/up"), "the mounts")
    finished_before = mine(log.read().finished)
    wait_for(driver, lambda d: len(mine(log.read().cancelled) + mine(log.finished)) == len(mine(log.sent)), "the end of each")
    assert mine(log.cancelled), f"no thumbnail request cancelled: {mine(log.sent)}"
    assert all(OTHER in u for u in mine(log.sent))
    assert mine(log.finished) == finished_before, "a thumbnail came after the movie was left"

