"""`lazyqt serve` over a loopback upstream, and headless Chromium driven by Selenium: what the
viewer's browser tests (test_viewer.py, test_viewer_day.py) and its benchmarks
(benches/viewer_scrub.py, benches/viewer_day.py) share.

Chromium and chromedriver are Debian's packages (scripts/install-deps.sh installs them); when
they are missing, starting the browser raises, so the tests fail rather than skip."""

import base64
import contextlib
import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request

from conftest import free_port, lazyqt_binary, stop

# Bounds of every wait: a page, a script, a frame to be painted.
TIMEOUT = 30


def http_get(url):
    """(status, body bytes) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@contextlib.contextmanager
def lazyqt_serve(upstream_base, prefix="/up", extra_args=()):
    """`lazyqt serve` on a free loopback port mounting `upstream_base` at `prefix`; yields its
    base URL (no trailing slash)."""
    port = free_port()
    args = [lazyqt_binary(), "serve", "--listen", f"127.0.0.1:{port}", "--mount", f"{prefix}={upstream_base}"]
    proc = subprocess.Popen([*args, *extra_args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                if http_get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, "lazyqt serve exited"
            assert time.monotonic() < deadline, "lazyqt serve did not start"
            time.sleep(0.05)
        yield base
    finally:
        stop(proc)


def chromium(width=1280, height=900, network_log=False):
    """Headless Chromium (Debian's /usr/bin/chromium and chromedriver) with its console log
    readable through `get_log("browser")` (and, with `network_log`, the DevTools network
    events through `get_log("performance")`, which `cancelled_requests` reads)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    assert binary and driver_path, "chromium and chromium-driver are not installed (scripts/install-deps.sh)"
    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--disable-extensions", "--no-first-run",
                "--disable-background-networking", "--force-device-scale-factor=1"]:
        opts.add_argument(arg)
    logs = {"browser": "ALL", **({"performance": "ALL"} if network_log else {})}
    opts.set_capability("goog:loggingPrefs", logs)
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    driver.set_page_load_timeout(TIMEOUT)
    driver.set_script_timeout(TIMEOUT)
    return driver


def wait_for(driver, predicate, what):
    """Polls `predicate(driver)` until truthy (returned) or TIMEOUT (fails naming `what`)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        value = predicate(driver)
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def follow(driver, text):
    """Clicks the directory link `text` once it shows and waits until the listing it was on
    is gone (the viewer re-renders a listing on navigation), so the next lookup sees the new
    one: a directory and its child can both hold a link "01/". A link re-rendered under the
    click is found again."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    def gone(element):
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True

    deadline = time.monotonic() + TIMEOUT
    while True:
        link = wait_for(driver, lambda d: d.find_elements(By.LINK_TEXT, text), text).pop()
        try:
            link.click()
            break
        except StaleElementReferenceException:
            assert time.monotonic() < deadline, f"the link {text} kept changing"
    wait_for(driver, lambda d: gone(link), f"the page after following {text}")


def painted_frame(driver):
    """The frame number the page last painted (its <img data-frame>), or 0."""
    return int(driver.execute_script("return Number(document.getElementById('frame').dataset.frame || 0)"))


def wait_painted(driver, n):
    wait_for(driver, lambda d: painted_frame(d) == n, f"frame {n} to be painted")


def shown_bytes(driver):
    """(the REST URL the page says it shows, the bytes of the image it actually shows): the
    blob whose blob: URL is the <img>'s src, read back inside the page."""
    script = """
    const done = arguments[arguments.length - 1];
    const img = document.getElementById('frame');
    const shown = window.lazyqtViewer.shown;
    if (!shown || shown.url !== img.src) { done([img.dataset.src, 'ERROR the img does not show the recorded blob']); return; }
    shown.blob.arrayBuffer().then(b => {
      let s = ''; const u = new Uint8Array(b);
      for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));
      done([img.dataset.src, btoa(s)]);
    }).catch(e => done([img.dataset.src, 'ERROR ' + e]));
    """
    src, data = driver.execute_async_script(script)
    assert not data.startswith("ERROR"), data
    return src, base64.b64decode(data)


def thumbnails(driver):
    """The day page's painted thumbnails in page order: (the REST URL it says it shows, its
    link's href, the bytes of the image it actually shows: the blob recorded for its blob:
    URL, read back inside the page)."""
    script = """
    const done = arguments[arguments.length - 1];
    const thumbs = window.lazyqtViewer.day.thumbs;
    const imgs = [...document.querySelectorAll('#day-rows .day-thumbs img')].filter(i => thumbs.has(i.src));
    Promise.all(imgs.map(async (img) => {
      const t = thumbs.get(img.src);
      const u = new Uint8Array(await t.blob.arrayBuffer());
      let s = '';
      for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));
      return [t.url, img.dataset.src, img.closest('a').getAttribute('href'), btoa(s)];
    })).then(done, e => done('ERROR ' + e));
    """
    rows = driver.execute_async_script(script)
    assert not isinstance(rows, str), rows
    for url, src, _, _ in rows:
        assert url == src, (url, src)
    return [(url, href, base64.b64decode(data)) for url, _, href, data in rows]


class NetworkLog:
    """The requests a driver started with `network_log` sent, finished and cancelled (URLs),
    read from its DevTools network events as they come (`read()` adds the new ones)."""

    def __init__(self, driver):
        self.driver, self.urls, self.sent, self.finished, self.cancelled = driver, {}, [], [], []

    def read(self):
        for entry in self.driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            params = msg.get("params", {})
            if msg.get("method") == "Network.requestWillBeSent":
                self.urls[params["requestId"]] = params["request"]["url"]
                self.sent.append(params["request"]["url"])
            elif msg.get("method") == "Network.loadingFinished":
                self.finished.append(self.urls.get(params["requestId"], "?"))
            elif msg.get("method") == "Network.loadingFailed" and params.get("canceled"):
                self.cancelled.append(self.urls.get(params["requestId"], "?"))
        return self


def scrub_to(driver, n):
    """Moves the slider to frame n the way a drag does: its value changes, an input event fires."""
    driver.execute_script(
        "const s = document.getElementById('slider'); s.value = String(arguments[0]);"
        "s.dispatchEvent(new Event('input', {bubbles: true}));",
        n,
    )


def horizontal_overflow(driver):
    """Pixels the page is wider than the window (> 0: it scrolls sideways)."""
    return driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")


def unlabelled(driver, scope):
    """The controls (inputs, selects, buttons, links) below the CSS selector `scope` that have
    no accessible name: no <label>, no aria-label, no text."""
    return driver.execute_script(
        "return [...document.querySelectorAll(['input', 'select', 'button', 'a'].map(t => arguments[0] + ' ' + t).join())]"
        ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())"
        ".map(e => e.outerHTML)",
        scope,
    )


def console_errors(driver):
    """The browser console's SEVERE entries since the last call."""
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
