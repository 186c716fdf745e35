"""Build hook: bundle the lazyqt C library (liblazyqt.so) into the package.

The library is $LAZYQT_LIBRARY if that is set, else it is built with
`cargo build --release -p lazyqt-capi` in the cargo workspace this directory belongs to
(so `pip install ./python` works in a checkout on a machine with cargo and FFmpeg's
development files).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
LIBRARY_NAMES = {"darwin": "liblazyqt.dylib", "win32": "lazyqt.dll"}


def library_name():
    return LIBRARY_NAMES.get(sys.platform, "liblazyqt.so")


def build_library():
    """Build the C library with cargo and return its path."""
    workspace = HERE.parent
    if not (workspace / "adapters" / "capi" / "Cargo.toml").exists():
        sys.exit("lazyqt: not inside the lazyqt cargo workspace; set LAZYQT_LIBRARY to a built liblazyqt.so")
    cargo = os.environ.get("CARGO", "cargo")
    subprocess.run([cargo, "build", "--release", "-p", "lazyqt-capi"], cwd=workspace, check=True)
    meta = subprocess.run(
        [cargo, "metadata", "--format-version", "1", "--no-deps"],
        cwd=workspace,
        check=True,
        capture_output=True,
        text=True,
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR") or json.loads(meta.stdout)["target_directory"])
    if not target.is_absolute():
        target = workspace / target
    return target / "release" / library_name()


class BuildWithLibrary(build_py):
    """build_py that also copies the C library into the package."""

    def run(self):
        super().run()
        given = os.environ.get("LAZYQT_LIBRARY")
        lib = Path(given) if given else build_library()
        if not lib.is_file():
            sys.exit(f"lazyqt: the C library {lib} does not exist")
        dest = Path(self.build_lib) / "lazyqt" / library_name()
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(lib, dest)


class BinaryDistribution(Distribution):
    """The wheel holds a native library: make it platform-specific."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithLibrary}, distclass=BinaryDistribution)
