"""lazyqt.pycamhd's archive listing (get_file_list, get_stats) against pycamhd 0.7's, over a
loopback copy of the CamHD archive's day directories (Apache autoindex pages) instead of the
real archive: both are pointed at it, and "today" is fixed."""

import types
from datetime import date

import pycamhd
import pycamhd.pycamhd as pycamhd_module
import pytest
import requests
from conftest import serve

import lazyqt.pycamhd as camhd
from lazyqt import _archive

ROOT = "files/RS03ASHS/PN03B/06-CAMHDA301"
UPSTREAM = "https://rawdata.oceanobservatories.org/" + ROOT
TODAY = date(2015, 7, 10)  # pycamhd and the drop-in walk 2015-07-09 through 2015-07-11

# day -> [(file name, size the index shows, bytes served)]
DAYS = {
    "2015/07/09": [
        ("CAMHDA301-20150709T000000Z.mov", "12G", 1234),
        ("CAMHDA301-20150709T030000Z.mov", "800M", 77),
    ],
    "2015/07/11": [("CAMHDA301-20150711T210000Z.mov", "1.5G", 4096)],
    # 2015/07/10 is missing: its index is a 404 page.
}


def index_page(files):
    """An Apache autoindex (FancyIndexing, <pre>) of the movies and their .md5 files."""
    rows = []
    when = "09-Jul-2015 03:14"
    for name, shown, _ in files:
        rows.append(f'<img src="/icons/movie.gif" alt="[VID]"> <a href="{name}">{name}</a> {when}  {shown}')
        rows.append(
            f'<img src="/icons/text.gif" alt="[TXT]"> <a href="{name}.md5">{name}.md5</a> {when}   65'
        )
    return "<html><body><h1>Index</h1><pre>\n" + "\n".join(rows) + "\n</pre></body></html>\n"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """A loopback server of the archive's days; yields its URL of ROOT."""
    top = tmp_path_factory.mktemp("archive")
    for day, files in DAYS.items():
        d = top / ROOT / day
        d.mkdir(parents=True)
        (d / "index.html").write_text(index_page(files))
        for name, _, size in files:
            (d / name).write_bytes(b"\0" * size)
            (d / f"{name}.md5").write_text("0" * 32 + "\n")
    with serve(top) as server:
        yield server.base + ROOT


class FixedDate(date):
    @classmethod
    def today(cls):
        return TODAY


@pytest.fixture()
def both_on_loopback(archive, monkeypatch):
    """pycamhd's requests and date, and the drop-in's archive URL and today, redirected."""

    def local(url):
        assert url.startswith(UPSTREAM), url
        return archive + url[len(UPSTREAM) :]

    shim = types.SimpleNamespace(
        get=lambda url, **kw: requests.get(local(url), **kw),
        head=lambda url, **kw: requests.head(local(url), **kw),
        packages=requests.packages,
    )
    monkeypatch.setattr(pycamhd_module, "requests", shim)
    monkeypatch.setattr(pycamhd_module, "date", FixedDate)
    monkeypatch.setattr(_archive, "ARCHIVE", archive)
    monkeypatch.setattr(_archive, "_today", lambda: TODAY)
    return archive


def test_file_list_equals_pycamhd(both_on_loopback):
    archive = both_on_loopback
    files, sizes = camhd.get_file_list()
    their_files, their_sizes = pycamhd.get_file_list()
    # pycamhd names the files under its hard-coded archive URL.
    assert files == [archive + f[len(UPSTREAM) :] for f in their_files]
    assert sizes == their_sizes
    assert files == [f"{archive}/{day}/{name}" for day, entries in DAYS.items() for name, _, _ in entries]
    assert sizes == [size for entries in DAYS.values() for _, _, size in entries]
    assert all(type(s) is int for s in sizes)


def test_stats_from_the_index_sizes(both_on_loopback):
    # pycamhd's get_stats compares str with bytes under Python 3; the drop-in does what it meant.
    with pytest.raises(TypeError):
        pycamhd.get_stats()
    count, terabytes = camhd.get_stats()
    assert count == 3
    assert terabytes == pytest.approx(12 / 1024 + 800 / 1024 / 1024 + 1.5 / 1024)
