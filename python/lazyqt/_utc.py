"""An archive of movies addressed by UTC time (the library's lazyqt-archive over the C ABI):
day directories YYYY/MM/DD/ of movies named by their UTC start (CamHD's names) or dated by
their mvhd, local or as HTTP autoindex pages.

    >>> a = lazyqt.archive("https://example.org/files/06-CAMHDA301/")
    >>> rows = a.catalog(datetime(2016, 11, 13), datetime(2016, 11, 14))
    >>> picture, info = a.frame_at(datetime(2016, 11, 13, 3, 0, 1, tzinfo=timezone.utc))
"""

import ctypes
import json
import os
from datetime import datetime, timedelta, timezone

from ._errors import InvalidArgumentError
from ._lib import c_u8_p, check, lib
from ._movie import _DEFAULT, Movie

#: Movies kept open by an Archive for the next frame_at / frames_between.
_OPEN_MOVIES = 8
#: Columns of a catalog row (the rows of `lazyqt ls --json`).
COLUMNS = ("url", "start", "end", "duration", "frames", "size", "codec", "status", "start_from", "error")


def _instant(t, what):
    """A datetime (naive = UTC) or an RFC 3339 string as the bytes the library takes."""
    if isinstance(t, str):
        return t.encode()
    if not isinstance(t, datetime):
        raise InvalidArgumentError(f"{what} must be a datetime or an RFC 3339 str, not {type(t).__name__}")
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc).isoformat().replace("+00:00", "Z").encode()


def _parse_time(text):
    """An RFC 3339 string of the library (or None) as an aware datetime in UTC."""
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def _json_call(fn, *args):
    """Call an allocating JSON entry point and return the parsed JSON (the buffer freed)."""
    out, n = c_u8_p(), ctypes.c_size_t()
    check(fn(*args, ctypes.byref(out), ctypes.byref(n)))
    try:
        return json.loads(ctypes.string_at(out, n.value))
    finally:
        lib.lazyqt_buffer_free(out, n.value)


class Archive:
    """A root directory of movies by date (a path or an http(s):// autoindex URL). Listings
    and movies are read as the call needs them; options as for lazyqt.open()."""

    def __init__(self, root, cache_dir=None, no_cache=False, ttl=_DEFAULT, parallel=0):
        self.root = os.fspath(root)
        self._open_kwargs = {"cache_dir": cache_dir, "no_cache": no_cache, "ttl": ttl}
        self._cache_dir = None if cache_dir is None else os.fsencode(os.fspath(cache_dir))
        self._opts = lib.lazyqt_default_open_options()
        self._opts.cache_dir = self._cache_dir
        self._opts.no_cache = bool(no_cache)
        if ttl is not _DEFAULT:
            self._opts.ttl_seconds = -1 if ttl is None else int(ttl)
        self._parallel = int(parallel)
        self._movies = {}

    def __repr__(self):
        return f"lazyqt.Archive({self.root!r})"

    def _movie(self, url):
        """The movie at `url`, kept open for the next calls (the last few)."""
        m = self._movies.pop(url, None) or Movie(url, **self._open_kwargs)
        self._movies[url] = m
        while len(self._movies) > _OPEN_MOVIES:
            self._movies.pop(next(iter(self._movies))).close()
        return m

    def close(self):
        """Close the movies kept open. Idempotent."""
        for m in self._movies.values():
            m.close()
        self._movies.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def catalog(self, start=None, end=None, as_frame=None):
        """The movies recording in [start, end] (datetimes, naive = UTC, or RFC 3339 strings;
        None = unbounded), one record each with the keys of COLUMNS (start/end as aware
        datetimes; status "ok", "malformed" or "unreachable": a movie that does not open is
        a record, not an error). A pandas DataFrame when `as_frame` is true, or when it is
        None (the default) and pandas is installed; else a list of dicts."""
        start_b = None if start is None else _instant(start, "start")
        end_b = None if end is None else _instant(end, "end")
        rows = _json_call(
            lib.lazyqt_archive_catalog_json,
            self.root.encode(),
            start_b,
            end_b,
            ctypes.byref(self._opts),
            self._parallel,
        )
        for r in rows:
            r["start"], r["end"] = _parse_time(r["start"]), _parse_time(r["end"])
        if as_frame is False:
            return rows
        try:
            import pandas
        except ImportError:
            if as_frame:
                raise
            return rows
        return pandas.DataFrame.from_records(rows, columns=list(COLUMNS))

    def locate(self, t, nearest=False):
        """{"url", "frame" (0-based), "offset" (s into the movie), "utc", "start", "end",
        "frames"} of the movie recording at `t` and the frame shown then. Outside any
        recording: with `nearest` the closest frame; without, OutOfRangeError naming the
        recordings before and after."""
        hit = _json_call(
            lib.lazyqt_archive_locate_json,
            self.root.encode(),
            _instant(t, "t"),
            bool(nearest),
            ctypes.byref(self._opts),
        )
        for k in ("utc", "start", "end"):
            hit[k] = _parse_time(hit[k])
        return hit

    def frame_at(self, t, nearest=False, pix_fmt="rgb24", width=None, height=None, matrix="stream"):
        """(picture, info): the frame shown at `t` as Movie.frame() gives it, and locate()'s
        dict naming the movie (url) and frame."""
        info = self.locate(t, nearest)
        picture = self._movie(info["url"]).frame(info["frame"], pix_fmt, width, height, matrix)
        return picture, info

    def frames_between(
        self, start, end, every, prefetch=4, pix_fmt="rgb24", width=None, height=None, matrix="stream"
    ):
        """Yield (picture, info) for the instants start, start + every, ... up to end
        (inclusive) that a recording covers, in time order (instants in gaps are left out):
        the library's plan, as `lazyqt frames ROOT --every` makes it. info: {"utc", "url",
        "frame"}. Each movie's frames come through the library's fetch-ahead pipeline
        (Movie.iter_frames, `prefetch` ahead)."""
        if not isinstance(every, timedelta) or every <= timedelta(0):
            raise InvalidArgumentError("every must be a positive timedelta")
        plan = _json_call(
            lib.lazyqt_archive_plan_json,
            self.root.encode(),
            _instant(start, "start"),
            _instant(end, "end"),
            every.total_seconds(),
            ctypes.byref(self._opts),
            self._parallel,
        )
        # Runs of the same movie, in plan (time) order.
        runs = []
        for p in plan:
            p["utc"] = _parse_time(p["utc"])
            if runs and runs[-1][0]["url"] == p["url"]:
                runs[-1].append(p)
            else:
                runs.append([p])
        for run in runs:
            movie = self._movie(run[0]["url"])
            numbers = [p["frame"] for p in run]
            pictures = movie.iter_frames(numbers, prefetch, pix_fmt, width, height, matrix)
            yield from zip(pictures, run)


def archive(root, cache_dir=None, no_cache=False, ttl=_DEFAULT, parallel=0):
    """The archive at `root` (see Archive); options as for lazyqt.open(), `parallel` movies
    opened at once by a catalog (0: the library's default)."""
    return Archive(root, cache_dir=cache_dir, no_cache=no_cache, ttl=ttl, parallel=parallel)
