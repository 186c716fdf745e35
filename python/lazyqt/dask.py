"""Frames of many movies on a Dask cluster (the `dask` extra: `pip install lazyqt[dask]`).

Dask schedules; lazyqt reads. Every task opens one movie once and reads its frames in
order through the library's pipeline (`Movie.iter_frames`); a worker's persistent cache
then serves that movie's `moov` to its later tasks. See docs/dask.md for real clusters.

    >>> import lazyqt.dask
    >>> bag = lazyqt.dask.frames([(url, 0), (url, 900), (other, 5)])
    >>> records = bag.compute()            # Record(uri, frame, utc, data, error) each
    >>> bag = lazyqt.dask.frames([(archive_root, datetime(2016, 11, 13, 3, 0, 1, tzinfo=UTC))])
    >>> mean = lazyqt.dask.stack(url, range(0, 25000, 25)).mean(axis=0).compute()
    >>> lazyqt.dask.extract(items, "out/")  # images + out/manifest.jsonl, resumable
"""

import hashlib
import json
import os
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple, Optional

import dask
import dask.array as da
import dask.bag as db
import numpy as np

from ._errors import Error
from ._movie import Movie
from ._utc import archive

__all__ = ["Record", "extract", "frames", "stack"]

#: Frames one task reads at most (a movie with more wanted frames gets several tasks).
FRAMES_PER_TASK = 64


class Record(NamedTuple):
    """One frame of `frames()`: `data` is the array (or the encoded image's bytes) and
    `error` None, or `data` None and `error` says why the frame could not be had. For an
    (archive root, instant) item, `uri` is the movie recording then and `utc` the instant
    asked; an instant no recording covers gives `uri` = the root and `frame` = -1."""

    uri: str
    frame: int
    utc: "Optional[object]"
    data: "Optional[object]"
    error: Optional[str]


def _describe(e):
    return f"{type(e).__name__}: {e}"


def _groups(items, per_task):
    """[(uri, sorted distinct frames)] of (uri, frame) pairs and [(root, sorted distinct
    instants)] of (archive root, datetime) pairs: in the order they first appear, at most
    `per_task` frames or instants a group."""
    frames_of, instants_of = {}, {}
    for where, what in items:
        table = instants_of if isinstance(what, datetime) else frames_of
        table.setdefault(os.fspath(where), set()).add(what if isinstance(what, datetime) else int(what))

    def chunks(table):
        out = []
        for key, wanted in table.items():
            wanted = sorted(wanted)
            out += [(key, wanted[i : i + per_task]) for i in range(0, len(wanted), per_task)]
        return out

    return chunks(frames_of), chunks(instants_of)


def _utc(movie, n):
    """The UTC instant frame n is shown, when the movie says when it was recorded."""
    start = movie.creation_time
    return None if start is None else start + timedelta(seconds=movie.frame_info(n).time)


def _frame_results(movie, numbers, image, convert, prefetch):
    """(frame, data, error) for each of `numbers` (in range, ascending), in order: arrays
    through the pipeline, or encoded images; a failing frame is an error, the rest go on."""
    if image is not None:
        for n in numbers:
            try:
                yield n, movie.encode(n, image, **convert), None
            except Error as e:
                yield n, None, _describe(e)
        return
    done = 0
    while done < len(numbers):
        try:
            for array in movie.iter_frames(numbers[done:], prefetch=prefetch, **convert):
                yield numbers[done], array, None
                done += 1
        except Error as e:
            yield numbers[done], None, _describe(e)
            done += 1


def _read_group(uri, numbers, image, convert, prefetch, open_kwargs):
    """The records of one task: open the movie once, read its frames in order."""
    try:
        movie = Movie(uri, **open_kwargs)
    except Error as e:
        return [Record(uri, n, None, None, _describe(e)) for n in numbers]
    with movie:
        out = [
            Record(uri, n, None, None, f"OutOfRangeError: frame {n} of {movie.frames}")
            for n in numbers
            if not 0 <= n < movie.frames
        ]
        valid = [n for n in numbers if 0 <= n < movie.frames]
        for n, data, error in _frame_results(movie, valid, image, convert, prefetch):
            out.append(Record(uri, n, _utc(movie, n), data, error))
    return sorted(out, key=lambda r: r.frame)


def _locate(root, instants, open_kwargs):
    """{url: {frame: [instants]}} of the instants a recording of the archive at `root`
    covers (Archive.locate, which lists only the day directory it needs), and the Records
    of those it does not (frame -1, the error naming the recordings around)."""
    located, missed = {}, []
    options = {k: v for k, v in open_kwargs.items() if k in ("cache_dir", "no_cache", "ttl")}
    try:
        with archive(root, **options) as a:
            for t in instants:
                try:
                    hit = a.locate(t)
                except Error as e:
                    missed.append(Record(root, -1, t, None, _describe(e)))
                    continue
                located.setdefault(hit["url"], {}).setdefault(hit["frame"], []).append(t)
    except Error as e:
        return {}, [Record(root, -1, t, None, _describe(e)) for t in instants]
    return located, missed


def _read_instants(root, instants, image, convert, prefetch, open_kwargs):
    """The records of one task over an archive: locate its instants, then read each
    movie's frames once, in order, as `_read_group` does."""
    located, out = _locate(root, instants, open_kwargs)
    for url, by_frame in located.items():
        for r in _read_group(url, sorted(by_frame), image, convert, prefetch, open_kwargs):
            out += [r._replace(utc=t) for t in by_frame[r.frame]]
    return sorted(out, key=lambda r: r.utc)


def _convert(image, pix_fmt, width, height, matrix, quality):
    """Keyword arguments of Movie.encode (image) or Movie.iter_frames (arrays)."""
    if image is not None:
        return {"quality": quality, "width": width, "height": height, "matrix": matrix}
    return {"pix_fmt": pix_fmt, "width": width, "height": height, "matrix": matrix}


def frames(
    items,
    image=None,
    pix_fmt="rgb24",
    width=None,
    height=None,
    matrix="stream",
    quality=None,
    frames_per_task=FRAMES_PER_TASK,
    prefetch=4,
    open_kwargs=None,
):
    """A dask.bag of one Record per distinct item of `items`: (uri, frame) pairs (a URL or
    path and a 0-based frame number), or (archive root, datetime) pairs (a directory of
    movies by date, as `lazyqt.archive` reads it, and a UTC instant; naive = UTC).

    Each task opens one movie once and reads up to `frames_per_task` of its frames in
    order; records come in the order the movies first appear, by frame within a movie
    (instants: by time within a task, after the frame items). `image` ('png', 'jpeg', ...)
    makes `data` the encoded image's bytes, else a numpy array of `pix_fmt` (as
    Movie.frame). A movie, frame or instant that fails gives records whose `error` says why,
    not a failed computation. `open_kwargs` go to lazyqt.open (and lazyqt.archive) on the
    workers (cache_dir, no_cache, ttl)."""
    convert = _convert(image, pix_fmt, width, height, matrix, quality)
    kwargs = dict(open_kwargs or {})
    by_frame, by_instant = _groups(items, frames_per_task)
    read = dask.delayed(_read_group, pure=True)
    locate = dask.delayed(_read_instants, pure=True)
    parts = [read(uri, numbers, image, convert, prefetch, kwargs) for uri, numbers in by_frame]
    parts += [locate(root, instants, image, convert, prefetch, kwargs) for root, instants in by_instant]
    if not parts:
        return db.from_sequence([], npartitions=1)
    return db.from_delayed(parts)


def _read_chunk(block, uri, convert, prefetch, open_kwargs):
    """The frames `block` (an array of frame numbers) of one movie, stacked."""
    with Movie(uri, **open_kwargs) as movie:
        out = None
        for i, array in enumerate(movie.iter_frames(block.tolist(), prefetch=prefetch, **convert)):
            if out is None:
                out = np.empty((len(block),) + array.shape, dtype=array.dtype)
            out[i] = array
    return out


def stack(
    movie,
    frames,
    frames_per_chunk=16,
    pix_fmt="rgb24",
    width=None,
    height=None,
    matrix="stream",
    prefetch=4,
    open_kwargs=None,
):
    """A lazy dask.array of `frames` of one movie (a URL, path or Movie): shape (N, H, W, C)
    (or (N, H, W) for one channel) in `pix_fmt`, one chunk per `frames_per_chunk` frames,
    each read by one task that opens the movie once. Reductions such as `.mean(axis=0)`
    stream: only a few chunks are in memory at once. The movie is opened here once to learn
    the shape; a frame out of range raises here, a frame that fails raises at compute."""
    kwargs = dict(open_kwargs or {})
    if isinstance(movie, Movie):
        uri, cache_dir, no_cache, *ttl = movie.__reduce__()[1]
        kwargs = {"cache_dir": cache_dir, "no_cache": no_cache, **({"ttl": ttl[0]} if ttl else {}), **kwargs}
        opened = movie
    else:
        uri = os.fspath(movie)
        opened = Movie(uri, **kwargs)
    try:
        proto = opened.empty_frame(pix_fmt, width, height)
        numbers = np.asarray([opened._index(n) for n in frames], dtype=np.int64)
        bad = numbers[numbers >= opened.frames]
        if bad.size:
            raise IndexError(f"frame {int(bad[0])} is out of range: there are {opened.frames}")
    finally:
        if opened is not movie:
            opened.close()
    convert = {"pix_fmt": pix_fmt, "width": width, "height": height, "matrix": matrix}
    token = dask.base.tokenize(uri, numbers, frames_per_chunk, convert, kwargs)
    index = da.from_array(numbers, chunks=frames_per_chunk, name=f"lazyqt-frames-{token}")
    chunks = (index.chunks[0],) + tuple((d,) for d in proto.shape)
    return index.map_blocks(
        _read_chunk,
        uri,
        convert,
        prefetch,
        kwargs,
        dtype=proto.dtype,
        chunks=chunks,
        new_axis=list(range(1, proto.ndim + 1)),
        meta=np.empty((0,) * (proto.ndim + 1), dtype=proto.dtype),
        name=f"lazyqt-stack-{token}",
    )


# -- extract ------------------------------------------------------------------------------

_STATE = ".lazyqt-extract"


def _folders(uris):
    """A folder name per movie: its file name without extension, plus a hash of the URI for
    names that several movies share (so the same items always give the same paths)."""
    stems = {}
    for uri in uris:
        stems.setdefault(Path(uri.rstrip("/").rsplit("/", 1)[-1]).stem or "movie", []).append(uri)
    out = {}
    for stem, same in stems.items():
        for uri in same:
            tag = hashlib.sha256(uri.encode()).hexdigest()[:10]
            out[uri] = stem if len(same) == 1 else f"{stem}-{tag}"
    return out


def _write_atomic(path, data):
    """Write `data` to `path` through a temporary file in the same folder and a rename, so
    `path` is either absent or complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part-{uuid.uuid4().hex}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _manifest_line(uri, n, utc, rel, size, error):
    return {
        "utc": None if utc is None else utc.isoformat().replace("+00:00", "Z"),
        "uri": uri,
        "frame": n,
        "path": rel,
        "size": size,
        "error": error,
    }


def _complete(lines, out_dir):
    return all(
        r["error"] is None
        and (out_dir / r["path"]).is_file()
        and (out_dir / r["path"]).stat().st_size == r["size"]
        for r in lines
    )


def _extract_group(uri, numbers, folder, out_dir, image, convert, open_kwargs):
    """Write one task's images (those not already there) and its part of the manifest."""
    out_dir = Path(out_dir)
    key = hashlib.sha256(json.dumps([uri, numbers, folder, image, convert]).encode()).hexdigest()[:32]
    state = out_dir / _STATE / f"{key}.json"
    if state.is_file():
        lines = json.loads(state.read_text())
        if _complete(lines, out_dir):
            return lines
    ext = "jpg" if image in ("jpeg", "jpg") else image
    try:
        movie = Movie(uri, **open_kwargs)
    except Error as e:
        return [_manifest_line(uri, n, None, None, None, _describe(e)) for n in numbers]
    lines = []
    with movie:
        for n in numbers:
            rel = f"{folder}/{n:06d}.{ext}"
            path = out_dir / rel
            try:
                utc = _utc(movie, n)
                if not path.is_file():
                    _write_atomic(path, movie.encode(n, image, **convert))
                lines.append(_manifest_line(uri, n, utc, rel, path.stat().st_size, None))
            except Error as e:
                lines.append(_manifest_line(uri, n, None, None, None, _describe(e)))
    _write_atomic(state, json.dumps(lines).encode())
    return lines


def extract(
    items,
    out_dir,
    image="png",
    quality=None,
    width=None,
    height=None,
    matrix="stream",
    frames_per_task=FRAMES_PER_TASK,
    open_kwargs=None,
):
    """Write the frames `items` ((uri, frame) pairs, or (archive root, datetime) pairs as
    in frames(): located first, then written as their movie's frames; an instant in a gap is
    a manifest line with frame -1 and the error) as image files under `out_dir` (a folder
    every worker sees) and `out_dir/manifest.jsonl`: one JSON object per distinct frame, {"utc" (ISO 8601, null if the movie does not say), "uri", "frame", "path"
    (relative to out_dir), "size" (bytes), "error" (null, or why the frame failed, with path
    and size null)}. Computes on the current Dask scheduler (a distributed Client if one is
    active). Resumable: files are written through a temporary name and a rename, so one
    that exists is complete and is not made again; a task whose frames all exist does not
    even open its movie. Returns the manifest's records."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    kwargs = dict(open_kwargs or {})
    groups, instant_groups = _groups(items, frames_per_task)
    missed = []
    if instant_groups:
        # Instants become (movie, frame) pairs first, on the cluster, a task per group.
        (found,) = dask.compute([dask.delayed(_locate, pure=True)(r, ts, kwargs) for r, ts in instant_groups])
        pairs = [(url, n) for located, _ in found for url, by_frame in located.items() for n in by_frame]
        missed = [_manifest_line(r.uri, r.frame, r.utc, None, None, r.error) for _, gone in found for r in gone]
        groups += _groups(pairs, frames_per_task)[0]
    folders = _folders([uri for uri, _ in groups])
    convert = _convert(image, None, width, height, matrix, quality)
    task = dask.delayed(_extract_group, pure=True)
    parts = [
        task(uri, numbers, folders[uri], str(out_dir), image, convert, kwargs) for uri, numbers in groups
    ]
    (done,) = dask.compute(parts)
    lines = [line for part in done for line in part] + missed
    _write_atomic(out_dir / "manifest.jsonl", "".join(json.dumps(r) + "\n" for r in lines).encode())
    for folder in set(folders.values()):
        for stale in (out_dir / folder).glob(".*.part-*"):
            stale.unlink(missing_ok=True)
    return lines
