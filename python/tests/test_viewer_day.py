"""The viewer's day page in headless Chromium, against `lazyqt serve` mounting the generated
CamHD-layout archive (conftest's archive_dir) through the loopback test server: the rows are
the archive catalog's movies in UTC order with their times and status, each thumbnail's bytes
are the REST frame's, a thumbnail opens the movie at its frame, the days before and after are
found, a typed UTC instant lands on the frame `<root>/utc/<instant>` names, a gap names the
recordings around it, thumbnails load only in view and leaving the page cancels them. Its own
file (test_viewer.py holds the movie page's) to keep each under ~400 lines."""

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
    horizontal_overflow,
    http_get,
    lazyqt_serve,
    shown_bytes,
    thumbnails,
    unlabelled,
    wait_for,
    wait_painted,
)

DAY = "/up/2016/11/13/"
# 60-frame movies: the 8 thumbnails of a row.
SPACED = [1, 8, 16, 23, 31, 38, 46, 53]


@pytest.fixture(scope="module")
def site(archive_dir):
    """(viewer base URL, driver) over the archive mounted at /up."""
    with serve(archive_dir) as up, lazyqt_serve(up.base) as base:
        driver = chromium(1366, 768)
        try:
            yield base, driver
        finally:
            driver.quit()


def rest(base, path):
    status, body = http_get(base + path)
    assert status == 200, (path, status, body[:300])
    return body


def catalog(base, day):
    d = day.strip("/").split("/")[-3:]
    iso = "-".join(d)
    return json.loads(rest(base, f"{day}catalog?from={iso}&to={iso}T23:59:59.999Z"))


def open_day(driver, base, day):
    driver.get("about:blank")
    driver.get(f"{base}/view/#path={quote(day, safe='/')}")
    return wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#day-rows .day-row"), "the day's rows")


def rows(driver):
    """(movie path, status, [start datetime, end datetime], status text) of each row."""
    return driver.execute_script(
        "return [...document.querySelectorAll('#day-rows .day-row')].map(r => [r.dataset.url, r.dataset.status,"
        " [...r.querySelectorAll('.times time')].map(t => t.dateTime),"
        " (r.querySelector('.row-status') || {}).textContent || ''])"
    )


def wait_thumbs(driver, count):
    return wait_for(driver, lambda d: (t := thumbnails(d)) and len(t) == count and t, f"{count} thumbnails painted")


def test_rows_are_the_catalogs_movies_in_utc_order_with_times_and_status(site):
    base, driver = site
    open_day(driver, base, DAY)
    console_errors(driver)
    want = catalog(base, DAY)
    assert [r["status"] for r in want] == ["ok", "malformed", "ok"], want
    got = rows(driver)
    assert [r[0] for r in got] == [r["url"] for r in want]
    starts = [r["start"] for r in want]
    assert starts == sorted(starts), "the catalog is in UTC order"
    for (url, status, times, text), rec in zip(got, want):
        assert status == rec["status"], url
        assert times == [t for t in [rec["start"], rec["end"]] if t], url
        if rec["status"] != "ok":
            assert text == f"{rec['status']}: {rec['error']}", text
    page = driver.find_element(By.ID, "day").text
    assert "03:00:00 – 03:00:02 UTC" in page and "malformed: " in page, page
    # The malformed movie has no thumbnails; the others 8 each, painted (all rows in view).
    wait_thumbs(driver, 16)
    assert console_errors(driver) == []


def test_each_thumbnail_is_the_rest_frame(site):
    base, driver = site
    open_day(driver, base, DAY)
    thumbs = wait_thumbs(driver, 16)
    for movie in ["CAMHDA301-20161113T030000Z.mov", "CAMHDA301-20161113T090000Z.mov"]:
        mine = [t for t in thumbs if f"/{movie}/" in t[0]]
        assert [t[0] for t in mine] == [f"{DAY}{movie}/frame/{n}.jpg?width=160" for n in SPACED]
        for (url, href, shown), n in zip(mine, SPACED):
            assert shown == rest(base, url), url
            assert href == "#" + "&".join([f"path={quote(DAY + movie, safe='')}", f"frame={n}"]), href
        assert len({t[2] for t in mine}) == len(SPACED), "thumbnails alike: the check proves nothing"


def test_a_thumbnail_opens_the_movie_at_its_frame(site):
    base, driver = site
    open_day(driver, base, DAY)
    wait_thumbs(driver, 16)
    link = driver.find_elements(By.CSS_SELECTOR, "#day-rows .day-row")[2].find_elements(By.CSS_SELECTOR, ".day-thumbs a")[4]
    assert link.get_attribute("aria-label") == "CAMHDA301-20161113T090000Z.mov, frame 31 (09:00:01 UTC)"
    link.click()
    wait_painted(driver, 31)
    src, shown = shown_bytes(driver)
    assert src.startswith(f"{DAY}CAMHDA301-20161113T090000Z.mov/frame/31."), src
    assert shown == rest(base, src)
    # Back to the day by the breadcrumb; then by keyboard only: Tab to a thumbnail, Enter.
    driver.find_element(By.LINK_TEXT, "13").click()
    wait_thumbs(driver, 16)
    driver.find_element(By.ID, "in-instant").click()
    for _ in range(20):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        if driver.switch_to.active_element.get_attribute("data-frame"):
            break
    focused = driver.switch_to.active_element
    assert focused.get_attribute("data-frame") == "1", "Tab reached no thumbnail"
    focused.send_keys(Keys.ENTER)
    wait_painted(driver, 1)
    assert shown_bytes(driver)[0].startswith(f"{DAY}CAMHDA301-20161113T030000Z.mov/frame/1.")
    assert console_errors(driver) == []


def test_previous_and_next_days_are_the_archives(site):
    """13 → 15 (the 14th is missing) → 2017/01/01 (over a year) and back to the 12th, the
    first day: no earlier one."""
    base, driver = site
    open_day(driver, base, DAY)
    def follow_day(link, day):
        a = wait_for(driver, lambda d: (a := d.find_element(By.ID, link)).get_attribute("href") and a, link)
        a.click()
        title = f"Recordings of {day.replace('/', '-')} (UTC)"
        wait_for(driver, lambda d: d.find_element(By.ID, "day-title").text == title, day)
        want = [r["url"] for r in catalog(base, f"/up/{day}/")]
        wait_for(driver, lambda d: [r[0] for r in rows(d)] == want, f"the rows of {day}")

    for link, day in [("day-next", "2016/11/15"), ("day-next", "2017/01/01"), ("day-prev", "2016/11/15"),
                      ("day-prev", "2016/11/13"), ("day-prev", "2016/11/12")]:
        follow_day(link, day)
    prev = wait_for(driver, lambda d: (a := d.find_element(By.ID, "day-prev")).get_attribute("aria-disabled") and a, "prev")
    assert prev.text == "no earlier day" and prev.get_attribute("href") is None
    assert console_errors(driver) == []


def test_a_missing_day_says_so_and_still_links_the_days_around(site):
    base, driver = site
    driver.get("about:blank")
    driver.get(f"{base}/view/#path=/up/2016/11/14/")
    panel = wait_for(driver, lambda d: d.find_element(By.ID, "error").is_displayed() and d.find_element(By.ID, "error"), "the error")
    assert "/up/2016/11/14/" in panel.text and "404" in panel.text, panel.text
    info = wait_for(driver, lambda d: "cannot be read" in (t := d.find_element(By.ID, "day-info").text) and t, "the catalog's failure")
    assert "HTTP status 404" in info, info
    nxt = wait_for(driver, lambda d: (a := d.find_element(By.ID, "day-next")).get_attribute("href") and a, "next")
    assert nxt.text == "2016-11-15 →"
    assert driver.find_element(By.ID, "day-prev").text == "← 2016-11-13"
    nxt.click()
    wait_thumbs(driver, 8)
    errors = console_errors(driver)
    assert errors and all("404" in e["message"] for e in errors), errors


def test_a_movie_that_cannot_be_read_shows_its_status(site, archive_dir, tmp_path):
    """A day whose listing names a movie the upstream does not have (404): its row says
    unreachable and why; the movie beside it still has its thumbnails."""
    _, driver = site
    day = tmp_path / "2016" / "11" / "20"
    day.mkdir(parents=True)
    good, gone = "CAMHDA301-20161120T030000Z.mov", "CAMHDA301-20161120T000000Z.mov"
    shutil.copy(archive_dir / "2016/11/13/CAMHDA301-20161113T030000Z.mov", day / good)
    links = "".join(f'<a href="{n}">{n}</a>\n' for n in [gone, good])
    (day / "index.html").write_text(f"<html><body><pre>\n{links}</pre></body></html>\n")
    with serve(tmp_path) as up, lazyqt_serve(up.base) as base:
        want = catalog(base, "/up/2016/11/20/")
        assert [r["status"] for r in want] == ["unreachable", "ok"], want
        open_day(driver, base, "/up/2016/11/20/")
        got = rows(driver)
        assert [(r[0], r[1]) for r in got] == [(r["url"], r["status"]) for r in want]
        assert got[0][3] == f"unreachable: {want[0]['error']}" and want[0]["error"], got[0]
        assert all(shown == rest(base, url) for url, _, shown in wait_thumbs(driver, 8))


def go_to(driver, text):
    field = driver.find_element(By.ID, "in-instant")
    field.clear()
    field.send_keys(text, Keys.ENTER)


def test_go_to_an_instant_lands_on_the_frame_utc_names(site):
    base, driver = site
    # A full instant, and a time of the day shown that a movie of the day before records
    # (it starts at 23:59:59 on the 12th).
    for typed, instant in [("2016-11-13T03:00:01.5Z", "2016-11-13T03:00:01.500Z"),
                           ("00:00:00.5", "2016-11-13T00:00:00.500Z")]:
        open_day(driver, base, DAY)
        with urllib.request.urlopen(f"{base}/up/utc/{instant}.jpg", timeout=TIMEOUT) as r:
            file, frame0 = r.headers["X-Lazyqt-File"], int(r.headers["X-Lazyqt-Frame"])
        go_to(driver, typed)
        wait_painted(driver, frame0 + 1)
        src, shown = shown_bytes(driver)
        assert src.startswith(f"{quote(file, safe='/')}/frame/{frame0 + 1}."), (src, file)
        assert shown == rest(base, src)
    assert frame0 == 44 and file.endswith("/2016/11/12/CAMHDA301-20161112T235959Z.mov"), (file, frame0)
    assert console_errors(driver) == []


def test_a_gap_names_the_recordings_around_it(site):
    base, driver = site
    open_day(driver, base, DAY)
    status, body = http_get(f"{base}/up/utc/2016-11-13T05:00:00.000Z")
    assert status == 404
    gap = json.loads(body)
    go_to(driver, "05:00")
    message = wait_for(driver, lambda d: (m := d.find_element(By.ID, "instant-message")).text.startswith("No") and m, "the gap")
    text = message.text
    assert text.startswith("No recording at 2016-11-13T05:00:00.000Z."), text
    for side, key in [("before", "end"), ("after", "start")]:
        name = gap[side]["file"].rsplit("/", 1)[1]
        assert f"{name} ({key}s {gap[side][key]})" in text, text
    links = message.find_elements(By.TAG_NAME, "a")
    assert [a.text for a in links] == [gap["before"]["file"].rsplit("/", 1)[1], gap["after"]["file"].rsplit("/", 1)[1]]
    assert "frame=60" in links[0].get_attribute("href"), "the one before opens at its last frame"
    # Not an instant: said so, nothing requested.
    go_to(driver, "tea time")
    wait_for(driver, lambda d: "is not a UTC instant" in d.find_element(By.ID, "instant-message").text, "the refusal")
    errors = console_errors(driver)
    assert len(errors) == 1 and "404" in errors[0]["message"], errors  # the gap's own answer


def test_a_directory_that_is_no_day_shows_its_movies_rows(site):
    base, driver = site
    open_day(driver, base, "/up/misc/")
    assert driver.find_element(By.ID, "day-title").text == "Movies"
    assert not driver.find_element(By.ID, "day-nav").is_displayed()
    wait_for(driver, lambda d: rows(d)[0][2] == ["2016-11-13T12:00:00.000Z", "2016-11-13T12:00:02.002Z"], "times")
    thumbs = wait_thumbs(driver, 8)
    assert all(shown == rest(base, url) for url, _, shown in thumbs)
    # No day to take a bare time of; a full instant asks this directory's utc/.
    go_to(driver, "12:00:01")
    wait_for(driver, lambda d: "is not a UTC instant" in d.find_element(By.ID, "instant-message").text, "refused")
    with urllib.request.urlopen(f"{base}/up/misc/utc/2016-11-13T12:00:01.000Z.jpg", timeout=TIMEOUT) as r:
        frame = int(r.headers["X-Lazyqt-Frame"]) + 1
    go_to(driver, "2016-11-13T12:00:01Z")
    wait_painted(driver, frame)
    assert shown_bytes(driver)[0].startswith(f"/up/misc/CAMHDA301-20161113T120000Z.mov/frame/{frame}.")
    assert console_errors(driver) == []


def test_fits_a_laptop_screen_and_every_control_is_labelled(site):
    base, driver = site
    for w, h in [(1366, 768), (1024, 640)]:
        driver.set_window_size(w, h)
        open_day(driver, base, DAY)
        wait_thumbs(driver, 16)
        assert horizontal_overflow(driver) <= 0, f"{w}x{h}: horizontal scrolling"
        assert unlabelled(driver, "#day") == []
    driver.set_window_size(1366, 768)


@pytest.fixture(scope="module")
def slow_site(archive_dir):
    """The archive behind an upstream answering after 1 s; Chromium in a window too low
    for a day's third row, logging its network."""
    with serve(archive_dir, options=["--latency-ms", "1000"]) as up, lazyqt_serve(up.base) as base:
        driver = chromium(1366, 460, network_log=True)
        try:
            yield base, driver
        finally:
            driver.quit()


def test_thumbnails_load_only_in_view_and_leaving_cancels_them(slow_site):
    base, driver = slow_site
    rest(base, f"{DAY}catalog?from=2016-11-13&to=2016-11-13T23:59:59.999Z")  # movies opened: rows come at once
    open_day(driver, base, DAY)
    wait_thumbs(driver, 8)
    below = driver.execute_script(
        "return document.querySelectorAll('.day-thumbs')[1].getBoundingClientRect().top - window.innerHeight"
    )
    assert below > 100, f"the third row is {below} px from the bottom: within the observer's margin"
    log = NetworkLog(driver).read()
    frames = [u for u in log.sent if "/frame/" in u]
    assert len(frames) == 8 and all("T030000Z" in u for u in frames), f"rows out of view fetched: {frames}"
    driver.execute_script("document.querySelectorAll('.day-row')[2].scrollIntoView()")
    wait_thumbs(driver, 16)
    # Open the 15th and leave it while its thumbnails (1 s each upstream) load: what had not
    # come yet is cancelled, nothing comes once the page is left.
    driver.execute_script(f"location.hash = '#path={quote('/up/2016/11/15/', safe='/')}'")
    movie = "20161115T000000Z.mov/frame/"
    mine = lambda urls: [u for u in urls if movie in u]
    wait_for(driver, lambda d: mine(log.read().sent), "the 15th's thumbnails requested")
    driver.execute_script(f"location.hash = '#path={quote('/up/2016/11/', safe='/')}'")
    wait_for(driver, lambda d: d.find_element(By.ID, "day").get_attribute("hidden") is not None, "the day page left")
    finished_before = mine(log.read().finished)
    wait_for(driver, lambda d: len(mine(log.read().cancelled) + mine(log.finished)) == len(mine(log.sent)), "the end of each")
    assert mine(log.cancelled), f"no request cancelled: {mine(log.sent)}"
    assert mine(log.finished) == finished_before, "a request finished after the page was left"
    assert driver.execute_script("return window.lazyqtViewer.day.thumbs.size") == 0
