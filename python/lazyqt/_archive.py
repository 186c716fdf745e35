"""pycamhd's listing of the CamHD raw-data archive: every movie of every day directory
(HTML autoindex pages) from the first recording day to the day after tomorrow.

Same requests and the same text handling as pycamhd 0.7 (one index page a day, one HEAD a
movie for its size), over urllib with TLS verified (pycamhd turns verification off).
`get_stats` is what pycamhd's meant to be: under Python 3 pycamhd's raises TypeError.
"""

import urllib.error
import urllib.request
from datetime import date, timedelta

#: Day directories live under ARCHIVE/YYYY/MM/DD/.
ARCHIVE = "https://rawdata.oceanobservatories.org/files/RS03ASHS/PN03B/06-CAMHDA301"
#: The first day of the archive.
FIRST_DAY = date(2015, 7, 9)
_TIMEOUT = 60


def _today():
    return date.today()


def _days():
    """FIRST_DAY through the day after tomorrow, as pycamhd walks them."""
    end = _today() + timedelta(days=2)
    for i in range((end - FIRST_DAY).days):
        yield FIRST_DAY + timedelta(i)


def _request(url, method="GET"):
    """(status, headers, text) of a request; error statuses are answers too, as in requests."""
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=_TIMEOUT) as r:
            return r.status, r.headers, r.read().decode(r.headers.get_content_charset() or "utf-8", "replace")
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read().decode("utf-8", "replace")


def _index_lines(day):
    url = ARCHIVE + day.strftime("/%Y/%m/%d/")
    return url, _request(url)[2].strip().splitlines()


def get_file_list():
    """(URLs of every movie in the archive, their sizes in bytes from HEAD, 0 if unknown)."""
    file_list, file_sizes = [], []
    for day in _days():
        url, lines = _index_lines(day)
        for line in lines:
            if "mov" in line and "md5" not in line:
                filename = url + line.split('"')[5]
                file_list.append(filename)
                try:
                    file_sizes.append(int(_request(filename, "HEAD")[1].get("Content-Length")))
                except (TypeError, ValueError, OSError):
                    file_sizes.append(0)
    return file_list, file_sizes


def get_stats():
    """(number of movies, their total size in TiB) from the sizes the index pages show."""
    total_size = 0
    file_count = 0
    for day in _days():
        for line in _index_lines(day)[1]:
            if "mov" in line and "md5" not in line:
                filesize = line.strip().rsplit(" ", 1)[-1]
                if "M" in filesize:
                    total_size = total_size + float(filesize.split("M")[0]) / 1024 / 1024
                    file_count = file_count + 1
                elif "G" in filesize:
                    total_size = total_size + float(filesize.split("G")[0]) / 1024
                    file_count = file_count + 1
    return file_count, total_size
