"""The ctypes declarations of lazyqt._lib against the C header: every Structure has the C
struct's fields in its order with the C compiler's offsets and sizes, and every enum value
Python relies on is the header's. The C side is measured by compiling a small program against
include/lazyqt.h with `cc` ($CC), not by reading numbers off the header."""

import ctypes
import importlib
import os
import re
import subprocess
from pathlib import Path

import pytest

from lazyqt import IMAGE_FORMATS

# The modules themselves (the package rebinds `_lib` to the loaded library).
_lib = importlib.import_module("lazyqt._lib")
_errors = importlib.import_module("lazyqt._errors")

ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "adapters" / "capi" / "include" / "lazyqt.h"


def _structures():
    """{C struct name: ctypes class} of every Structure in _lib (its docstring names the struct)."""
    out = {}
    for value in vars(_lib).values():
        if isinstance(value, type) and issubclass(value, ctypes.Structure) and value is not ctypes.Structure:
            out[value.__doc__.strip().rstrip(".")] = value
    return out


def _header_text():
    """The header without comments."""
    text = HEADER.read_text()
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


def _header_fields(struct):
    """Field names of `typedef struct NAME { ... }` in declaration order."""
    m = re.search(r"typedef struct %s \{(.*?)\} %s;" % (struct, struct), _header_text(), re.S)
    assert m, f"{struct} is not in {HEADER.name}"
    names = []
    for decl in m.group(1).split(";"):
        decl = decl.strip()
        if decl:
            names.append(re.match(r".*?(\w+)\s*(\[\s*\d+\s*\])?$", decl, re.S).group(1))
    return names


def _header_enum(name):
    """Constant names of `enum NAME` in the header."""
    m = re.search(r"enum %s\b[^{;]*\{(.*?)\}" % name, _header_text(), re.S)
    assert m, f"enum {name} is not in {HEADER.name}"
    return re.findall(r"\b(LAZYQT_\w+)\s*=", m.group(1))


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """{'struct': size, 'struct.field': (offset, size), 'CONSTANT': value} as the C compiler
    sees them."""
    lines = []
    for struct in _structures():
        lines.append(f'printf("{struct} %zu\\n", sizeof(struct {struct}));')
        for field in _header_fields(struct):
            member = f"((struct {struct} *)0)->{field}"
            where = f"offsetof(struct {struct}, {field}), sizeof({member})"
            lines.append(f'printf("{struct}.{field} %zu %zu\\n", {where});')
    for enum in ("lazyqt_status", "lazyqt_image_format"):
        for const in _header_enum(enum):
            lines.append(f'printf("{const} %lld\\n", (long long){const});')
    body = "\n    ".join(lines)
    source = f"""#include <stddef.h>
#include <stdio.h>
#include "lazyqt.h"
int main(void) {{
    {body}
    return 0;
}}
"""
    work = tmp_path_factory.mktemp("abi")
    (work / "layout.c").write_text(source)
    cc = os.environ.get("CC", "cc")
    flags = ["-std=c11", "-Wall", "-Werror", "-I", str(HEADER.parent)]
    subprocess.run([cc, *flags, "-o", str(work / "layout"), str(work / "layout.c")], check=True)
    out = subprocess.run([str(work / "layout")], check=True, capture_output=True, text=True).stdout
    table = {}
    for line in out.splitlines():
        key, *numbers = line.split()
        values = tuple(int(n) for n in numbers)
        table[key] = values[0] if len(values) == 1 else values
    return table


def test_every_header_struct_python_uses_is_found():
    structs = _structures()
    assert {"lazyqt_info", "lazyqt_pixels", "lazyqt_frame_desc", "lazyqt_image_format_desc"} <= set(structs)


@pytest.mark.parametrize("struct", sorted(_structures()))
def test_structure_matches_the_header(measured, struct):
    cls = _structures()[struct]
    names = [name for name, _ in cls._fields_]
    assert names == _header_fields(struct), f"{cls.__name__}: fields or their order differ from the header"
    for name in names:
        field = getattr(cls, name)
        assert (field.offset, field.size) == measured[f"{struct}.{name}"], f"{struct}.{name}"
    assert ctypes.sizeof(cls) == measured[struct], f"sizeof({struct})"


def test_status_codes_match_the_header(measured):
    codes = {measured[c] for c in _header_enum("lazyqt_status")}
    assert measured["LAZYQT_OK"] == 0
    assert set(_errors._BY_STATUS) == codes - {0}, "one exception class per failure status"


def test_image_format_codes_match_the_header(measured):
    header = {c[len("LAZYQT_IMAGE_"):].lower(): measured[c] for c in _header_enum("lazyqt_image_format")}
    assert {name: IMAGE_FORMATS[name] for name in header} == header
    assert set(IMAGE_FORMATS.values()) == set(header.values())
    assert IMAGE_FORMATS["jpg"] == header["jpeg"]
