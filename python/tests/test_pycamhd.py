"""lazyqt.pycamhd against the PyPI package pycamhd 0.7 on the same movies: every function,
every pixel format pycamhd converts, locally and over loopback HTTP(S).

The movies are ProRes 422 like CamHD's, rewritten into CamHD's file layout (camhd_layout.py),
which pycamhd's parsing assumes. pycamhd reads remote files only through `https://` (curl -k),
so it gets an HTTPS loopback server with a throwaway certificate while the drop-in reads the
same files over plain HTTP. pycamhd's own get_frame fails on local paths with current PyAV
(`seek()` lost its `whence` argument), so local frames are compared with its
get_frame_data + decode_frame_data, remote ones with its get_frame itself.
"""

import shutil
import struct
import subprocess
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pycamhd
import pytest
from camhd_layout import camhd_layout, sample_table
from conftest import serve

import lazyqt
import lazyqt.pycamhd as camhd

# name -> (ffmpeg arguments, frames)
MOVIES = {
    "small.mov": (
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x180:rate=30000/1001",
            "-frames:v",
            "30",
            "-c:v",
            "prores_ks",
            "-profile:v",
            "2",
            "-metadata",
            "creation_time=2017-07-01T03:00:00Z",
        ],
        30,
    ),
    # ProRes 422 HQ, 20 frames: the last chunk holds 2; no creation time.
    "hq.mov": (
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=256x144:rate=30000/1001",
            "-frames:v",
            "20",
            "-c:v",
            "prores_ks",
            "-profile:v",
            "3",
        ],
        20,
    ),
    # CamHD's picture: 1920x1080 ProRes 422 without colour tags.
    "hd.mov": (
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1920x1080:rate=30000/1001",
            "-frames:v",
            "7",
            "-c:v",
            "prores_ks",
            "-profile:v",
            "2",
        ],
        7,
    ),
}

# Every name pycamhd (through PyAV) converts: its nine formats and FFmpeg's aliases of them.
PIX_FMTS = [
    "rgb24",
    "bgr24",
    "gray",
    "gray8",
    "y8",
    "rgb48le",
    "rgb48be",
    "bgr48le",
    "bgr48be",
    "gray16le",
    "gray16be",
    "rgb48",
    "bgr48",
    "gray16",
    "y16",
]

METADATA = [
    "get_moov_atom",
    "get_timestamp",
    "get_frame_count",
    "get_frame_sizes",
    "get_frame_offsets",
    "get_chunk_count",
    "get_chunk_offsets",
    "get_atom_sizes",
]


@pytest.fixture(scope="session")
def camhd_dir(tmp_path_factory):
    """The test movies in CamHD's layout, plus ffmpeg's own layout of small.mov as
    ffmpeg_layout.mov."""
    out = tmp_path_factory.mktemp("camhd")
    for name, (args, _) in MOVIES.items():
        raw = out / f"raw-{name}"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args, "-f", "mov", str(raw)], check=True)
        camhd_layout(raw, out / name)
    shutil.copy(out / "raw-small.mov", out / "ffmpeg_layout.mov")
    return out


@pytest.fixture(scope="session")
def servers(camhd_dir):
    """(HTTPS server for pycamhd, HTTP server for the drop-in), both of camhd_dir."""
    with serve(camhd_dir, https=True) as https, serve(camhd_dir) as http:
        yield https, http


@pytest.fixture(autouse=True)
def drop_in_cache(tmp_path):
    """Keep the drop-in's persistent cache inside the test's temp dir, movies closed after."""
    camhd.configure(cache_dir=tmp_path / "cache")
    yield
    camhd.configure()


def same(a, b):
    """Equal values of the same types, element types of lists included."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, (list, tuple)):
        assert [type(x) for x in a] == [type(x) for x in b]
    assert a == b


def same_array(a, b):
    assert a.dtype.str == b.dtype.str and a.shape == b.shape, (a.dtype.str, a.shape, b.dtype.str, b.shape)
    assert a.flags.c_contiguous and a.flags.writeable
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", MOVIES)
def test_metadata_equals_pycamhd_locally(camhd_dir, name):
    path = str(camhd_dir / name)
    moov = pycamhd.get_moov_atom(path)
    assert pycamhd.get_frame_count(path) == MOVIES[name][1]
    for fn in METADATA:
        expected = getattr(pycamhd, fn)(path)
        same(getattr(camhd, fn)(path), expected)
        if fn not in ("get_moov_atom", "get_atom_sizes"):
            # The moov pycamhd returned, and the drop-in's own, are accepted alike.
            same(getattr(camhd, fn)(path, moov), expected)
            same(getattr(camhd, fn)(path, moov_atom=camhd.get_moov_atom(path)), expected)
    assert camhd.get_timestamp(path) == (1498878000 if name == "small.mov" else -2082844800)


@pytest.mark.parametrize("name", MOVIES)
def test_metadata_equals_pycamhd_over_http(camhd_dir, servers, name):
    https, http = servers
    before = http.ranged
    for fn in METADATA:
        same(getattr(camhd, fn)(http.base + name), getattr(pycamhd, fn)(https.base + name))
    assert http.ranged > before, "the drop-in did not read with range requests"


@pytest.mark.parametrize("where", ["local", "http"])
def test_bytes_and_integers_equal_pycamhd(camhd_dir, servers, where):
    https, http = servers
    size = (camhd_dir / "small.mov").stat().st_size
    ours = str(camhd_dir / "small.mov") if where == "local" else http.base + "small.mov"
    theirs = str(camhd_dir / "small.mov") if where == "local" else https.base + "small.mov"
    for r in (
        [0, 3],
        [0, 23],
        [24, 27],
        [28, 35],
        [1000, 5000],
        [size - 10, size - 1],
        [size - 4, size + 100],
    ):
        same(camhd.get_bytes(ours, r), pycamhd.get_bytes(theirs, r))
    for r in ([0, 3], [28, 35], [24, 26], [size - 2, size + 6]):
        same(camhd.get_integer(ours, r), pycamhd.get_integer(theirs, r))
    with pytest.raises(ValueError):
        camhd.get_bytes(ours, [10, 5])
    with pytest.raises(ValueError):
        camhd.get_bytes(ours, [-1, 5])


@pytest.mark.parametrize("name", MOVIES)
def test_every_frame_data_equals_pycamhd(camhd_dir, servers, name):
    path = str(camhd_dir / name)
    https, http = servers
    moov = pycamhd.get_moov_atom(path)
    for n in range(MOVIES[name][1]):
        expected = pycamhd.get_frame_data(path, n, moov)
        same(camhd.get_frame_data(path, n), expected)
        same(camhd.get_frame_data(path, n, moov), expected)
    last = MOVIES[name][1] - 1
    same(camhd.get_frame_data(http.base + name, last), pycamhd.get_frame_data(https.base + name, last))


@pytest.mark.parametrize("name", MOVIES)
@pytest.mark.parametrize("pix_fmt", PIX_FMTS)
def test_frames_equal_pycamhd_locally(camhd_dir, name, pix_fmt):
    path = str(camhd_dir / name)
    for n in sorted({0, MOVIES[name][1] // 2, MOVIES[name][1] - 1}):
        data = pycamhd.get_frame_data(path, n)
        expected = pycamhd.decode_frame_data(data, pix_fmt)
        same_array(camhd.get_frame(path, n, pix_fmt), expected)
        same_array(camhd.decode_frame_data(data, pix_fmt), expected)


@pytest.mark.parametrize("name", MOVIES)
def test_every_rgb24_frame_equals_pycamhd(camhd_dir, name):
    path = str(camhd_dir / name)
    moov = camhd.get_moov_atom(path)
    for n in range(MOVIES[name][1]):
        expected = pycamhd.decode_frame_data(pycamhd.get_frame_data(path, n))
        same_array(camhd.get_frame(path, n), expected)
        same_array(camhd.get_frame(path, n, "rgb24", moov), expected)


@pytest.mark.parametrize("pix_fmt", ["rgb24", "bgr24", "gray", "rgb48be", "bgr48le", "gray16be"])
def test_get_frame_over_http_equals_pycamhd_get_frame(servers, pix_fmt):
    https, http = servers
    for name in MOVIES:
        n = MOVIES[name][1] - 2
        same_array(
            camhd.get_frame(http.base + name, n, pix_fmt), pycamhd.get_frame(https.base + name, n, pix_fmt)
        )
        assert (
            pycamhd.get_frame(https.base + name, n, pix_fmt, pycamhd.get_moov_atom(https.base + name))
            is not None
        )


def test_errors_like_pycamhd(camhd_dir, tmp_path):
    path = str(camhd_dir / "small.mov")
    for fn in (camhd.get_frame_data, camhd.get_frame, pycamhd.get_frame_data):
        with pytest.raises(ValueError, match="^frame_number must be a positive integer$"):
            fn(path, -1)
        with pytest.raises(ValueError, match="^frame_number exceeds number of frames in file$"):
            fn(path, 30)
        with pytest.raises(TypeError):
            fn(path, 1.5)
    data = pycamhd.get_frame_data(path, 0)
    for bad in ("rgba", "bgra", "yuv420p", "foo", None):
        with pytest.raises(ValueError):
            pycamhd.decode_frame_data(data, bad)
        with pytest.raises(ValueError):
            camhd.decode_frame_data(data, bad)
        with pytest.raises(ValueError, match="format not supported"):
            camhd.get_frame(path, 0, bad)
    with pytest.raises(ValueError):
        camhd.decode_frame_data(b"not a prores frame at all", "rgb24")
    with pytest.raises(FileNotFoundError):
        camhd.get_frame_count(str(camhd_dir / "missing.mov"))
    for bad_moov in (b"\0\0\0\x20moov" + bytes(8), b"\0\0\0\x08moov", b"\0\0\0\x01moov\0\0"):
        with pytest.raises(ValueError):
            camhd.get_chunk_offsets(path, bad_moov)
    junk = tmp_path / "junk.mov"
    junk.write_bytes(b"\0\0\0\x10junkjunkjunkjunk" * 10)
    with pytest.raises(lazyqt.LazyqtError):
        camhd.get_frame_count(str(junk))


def test_numpy_ints_and_paths_are_accepted(camhd_dir):
    path = camhd_dir / "small.mov"
    expected = pycamhd.get_frame_data(str(path), 4)
    same(camhd.get_frame_data(path, np.int64(4)), expected)
    same_array(camhd.get_frame(path, np.uint16(4)), pycamhd.decode_frame_data(expected))


def test_write_frame_and_avi_decode_like_the_movie(camhd_dir, tmp_path, monkeypatch, ffmpeg_frame):
    monkeypatch.chdir(tmp_path)
    path = str(camhd_dir / "hd.mov")
    assert camhd.write_frame(path, 3) is None
    avi = (tmp_path / "hd_000003.avi").read_bytes()
    data = pycamhd.get_frame_data(path, 3)
    assert avi == camhd.get_avi_file(data)
    assert avi[:4] == b"RIFF" and struct.unpack("<I", avi[4:8])[0] == len(data) + 5754
    assert avi.endswith(b"00dc" + struct.pack("<I", len(data)) + data)
    # The ffmpeg CLI reads the AVI as the same picture as frame 3 of the movie.
    np.testing.assert_array_equal(
        ffmpeg_frame(tmp_path / "hd_000003.avi", 0, (1080, 1920, 3)), ffmpeg_frame(path, 3, (1080, 1920, 3))
    )
    camhd.write_frame(path, 3, file_type="MOV")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".avi") == ["hd_000003.avi"]


def test_ffmpeg_layout_read_correctly(camhd_dir):
    """ffmpeg's own layout (20-byte ftyp, wide, chunks of many frames, stco), which pycamhd
    misreads: the drop-in gives the sample table's true values."""
    path = camhd_dir / "ffmpeg_layout.mov"
    with pytest.raises(ValueError, match="unexpected size of first atom"):
        pycamhd.get_moov_atom(str(path))
    data = path.read_bytes()
    moov = camhd.get_moov_atom(path)
    assert moov[4:8] == b"moov" and data.endswith(moov)
    stbl = moov.index(b"stbl") - 4
    samples = sample_table(moov, stbl + 8, stbl + struct.unpack(">I", moov[stbl : stbl + 4])[0])
    assert camhd.get_frame_offsets(path) == [o for o, _ in samples]
    assert camhd.get_frame_sizes(path) == [s for _, s in samples]
    assert camhd.get_frame_count(path) == 30
    assert camhd.get_atom_sizes(path) == (20, struct.unpack(">I", data[28:32])[0], len(moov))
    assert camhd.get_chunk_count(path) == len(camhd.get_chunk_offsets(path)) >= 1
    for n in (0, 29):
        offset, size = samples[n]
        assert camhd.get_frame_data(path, n) == data[offset : offset + size]
    same_array(camhd.get_frame(path, 7), camhd.get_frame(camhd_dir / "small.mov", 7))


def test_rewritten_local_file_is_opened_again(camhd_dir, tmp_path):
    path = tmp_path / "movie.mov"
    shutil.copy(camhd_dir / "small.mov", path)
    assert camhd.get_frame_count(str(path)) == 30
    shutil.copy(camhd_dir / "hq.mov", path)
    assert camhd.get_frame_count(str(path)) == 20
    same_array(camhd.get_frame(str(path), 5), camhd.get_frame(str(camhd_dir / "hq.mov"), 5))


def test_many_threads_many_movies(camhd_dir, servers, monkeypatch):
    """More movies in use than stay open: threads push each other's movies out of the open
    set while they are in use, and every answer is still right."""
    monkeypatch.setattr(camhd, "_MAX_OPEN", 2)
    _, http = servers
    jobs = [(http.base if i % 2 else str(camhd_dir) + "/") + name for i in range(4) for name in MOVIES]
    expected = {
        name: pycamhd.decode_frame_data(pycamhd.get_frame_data(str(camhd_dir / name), 1)) for name in MOVIES
    }
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda uri: camhd.get_frame(uri, 1), jobs * 3))
    for uri, a in zip(jobs * 3, got):
        same_array(a, expected[uri.rsplit("/", 1)[1]])


def test_public_names_cover_pycamhd():
    public = {n for n in dir(pycamhd) if not n.startswith("_") and callable(getattr(pycamhd, n))}
    modules_and_imports = {"subprocess", "struct", "sys", "requests", "av", "date", "timedelta", "np"}
    functions = public - modules_and_imports
    assert functions >= {"get_frame", "get_frame_count", "get_moov_atom", "decode_frame_data"}
    assert functions <= set(camhd.__all__)
    assert camhd.VERSION == pycamhd.VERSION
    assert camhd.main() is None
