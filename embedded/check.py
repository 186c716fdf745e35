#!/usr/bin/env python3
"""Check the example firmware's output against the host `lazyqt` and summarize its costs.

usage: check.py FIRMWARE.jsonl INFO.json SAMPLES.jsonl SYMBOLS.txt SECTIONS.txt DISASM.txt

FIRMWARE.jsonl is what the firmware printed under QEMU; INFO.json and SAMPLES.jsonl are
`lazyqt info --json` and `lazyqt samples --json` of the same movie; SYMBOLS.txt is
`llvm-nm -C --print-size --size-sort`, SECTIONS.txt `llvm-size -A` and DISASM.txt
`llvm-objdump -d -C --no-show-raw-insn` of the firmware.
Exits 1 on the first disagreement, after printing it; prints the measurements as JSON
on success.
"""

import datetime
import json
import re
import sys

# The goals for the core in the example firmware.
GOAL_CORE_FLASH = 64 * 1024
GOAL_STACK = 8 * 1024
# Today's stack use plus ~10% (opt-level "s" or "z"; both under GOAL_STACK, which is
# enforced too): a change that grows it fails here and must update BENCHMARKS.md. Opening
# builds the tracks inside the Movie the firmware holds, so the Movie is not counted.
STACK_BUDGET = {"open": 7 * 1024 + 512, "lookups": 5 * 1024}


def fail(msg):
    print(f"embedded check FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def expect(what, got, want):
    if got != want:
        fail(f"{what}: firmware says {got!r}, lazyqt on the host says {want!r}")


def close(what, got, want):
    if want is None or abs(got - want) > 1e-9 * max(1.0, abs(want)):
        fail(f"{what}: firmware says {got!r}, lazyqt on the host says {want!r}")


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def check_summary(movie, tracks, info):
    expect("file size", movie["size"], info["size"])
    close("movie duration (s)", movie["duration"] / movie["movie_timescale"], info["duration"])
    expect("brand", movie["brand"], info["brand"])
    created = info["creation_time"]
    if created is not None:
        created = int(datetime.datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp())
    expect("creation time (unix)", movie["creation_unix"], created)
    expect("track count", len(tracks), len(info["tracks"]))
    for t, h in zip(tracks, info["tracks"]):
        for key in ("id", "kind", "codec", "width", "height", "timescale", "samples", "frames"):
            expect(f"track {h['id']} {key}", t[key], h[key])
        num, den = t["fps"]
        close(f"track {h['id']} fps", num / den if den else None, h["fps"])
        close(f"track {h['id']} duration (s)", t["duration"] / t["timescale"], h["duration"])


def check_lookups(lines, samples, video):
    # Presentation order: the host lists samples in decode order with their pts.
    shown = sorted(samples, key=lambda s: (s["pts"], s["index"]))
    frames = [line for line in lines if "frame" in line and "sample" in line]
    if [f["frame"] for f in frames] != [0, (video["frames"] - 1) // 2, video["frames"] - 1]:
        fail(f"expected frames 0, middle and last, got {[f['frame'] for f in frames]}")
    for f in frames:
        expect(f"frame {f['frame']}", f["sample"], shown[f["frame"]])
    # The frame shown at a time: the last whose pts (from the first frame's) is at or before
    # it, the time rounded to the track's timescale as the core does; none past the end.
    timescale, duration = video["timescale"], video["duration_units"]
    first = shown[0]["pts"]
    times = [line for line in lines if "time_us" in line]
    if len(times) < 5 or not any(t["frame"] is None for t in times):
        fail(f"expected at least 5 time lookups, one past the end: {times}")
    for t in times:
        units = (t["time_us"] * timescale + 500_000) // 1_000_000
        want = None
        if units < duration:
            want = sum(1 for s in shown if s["pts"] - first <= units) - 1
        expect(f"frame at {t['time_us']} us", t["frame"], want)


def passes(out):
    """The firmware's lines grouped by pass, without the lines that differ by design."""
    groups = {}
    for line in out:
        if "pass" in line:
            groups.setdefault(line["pass"], []).append(line)
    return groups


def classify(name):
    """Which part of the firmware a symbol belongs to."""
    if name.startswith(("<lazyqt_embedded", "_$LT$lazyqt_embedded")):
        return "firmware"  # the firmware's own ReadAt impls
    if "lazyqt_core" in name or name.startswith(("lazyqt_embedded::lookups::", "nom::", "heapless::")):
        return "core"
    if "lazyqt_embedded" in name:
        return "firmware"
    return "runtime"


def sizes(symbols_path, sections_path, stored_bytes):
    sections = {}
    with open(sections_path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[0].startswith(".") and parts[1].isdigit():
                sections[parts[0]] = int(parts[1])
    functions = {}  # address -> (size, names): aliases share an address and are counted once
    allocator = []
    with open(symbols_path) as f:
        for line in f:
            parts = line.split(maxsplit=3)
            if len(parts) < 4:
                continue
            size, kind, name = int(parts[1], 16), parts[2], parts[3].strip()
            if "__rust_alloc" in name or "__rdl_alloc" in name or "GlobalAlloc" in name:
                allocator.append(name)
            if kind in "tT":
                old_size, names = functions.get(parts[0], (0, []))
                functions[parts[0]] = (max(old_size, size), names + [name])
    text = {"core": 0, "firmware": 0, "runtime": 0}
    core_groups = {}  # core function name without its hash -> sizes of its instantiations
    for size, names in functions.values():
        parts = {classify(n) for n in names}
        part = next(p for p in ("core", "firmware", "runtime") if p in parts)
        text[part] += size
        if part == "core":
            name = next(n for n in names if classify(n) == "core")
            core_groups.setdefault(re.sub(r"::h[0-9a-f]{16}$", "", name), []).append(size)
    flash = sections[".vector_table"] + sections[".text"] + sections[".rodata"]
    return {
        "flash_total": flash,
        "text": sections[".text"],
        "rodata": sections[".rodata"],
        "movie_in_rodata": stored_bytes,
        "text_core": text["core"],
        # Generic core code is instantiated once per ReadAt type (two here: flash, block).
        "text_core_one_reader": round(sum(sum(v) / len(v) for v in core_groups.values())),
        "rodata_other": sections[".rodata"] - stored_bytes,
        "text_firmware": text["firmware"],
        "text_runtime": text["runtime"],
        "ram_data_bss": sections.get(".data", 0) + sections.get(".bss", 0) + sections.get(".uninit", 0),
        "heap": 0 if not allocator else None,
        "allocator_symbols": allocator,
    }


def call_graph(disasm_path):
    """Each function of the firmware and the functions it calls (or tail-calls)."""
    calls, current = {}, None
    with open(disasm_path) as f:
        for line in f:
            m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
            if m:
                current = m.group(1)
                calls[current] = set()
                continue
            m = re.search(r"\b(bl|blx|b|b\.w)\s+0x[0-9a-f]+ <([^>+]*)(\+0x[0-9a-f]+)?>", line)
            if m and current is not None:
                op, target, offset = m.groups()
                # A call, or a branch to another function's first instruction (a tail call).
                if op in ("bl", "blx") or (offset is None and target != current):
                    calls[current].add(target)
    return calls


def cycles(calls):
    """The call graph's cycles (strongly connected components with a loop): recursion."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    for root in calls:
        if root in index:
            continue
        # Iterative Tarjan: (node, iterator over its callees).
        work = [(root, iter(sorted(calls[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, callees = work[-1]
            for callee in callees:
                if callee not in calls:
                    continue
                if callee not in index:
                    index[callee] = low[callee] = len(index)
                    stack.append(callee)
                    on_stack.add(callee)
                    work.append((callee, iter(sorted(calls[callee]))))
                    break
                if callee in on_stack:
                    low[node] = min(low[node], index[callee])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in calls[node]:
                        found.append(component)
    return found


def main():
    if len(sys.argv) != 7:
        fail(__doc__)
    out, info = load(sys.argv[1]), load(sys.argv[2])[0]
    samples = load(sys.argv[3])
    errors = [line for line in out if "error" in line]
    if errors:
        fail(f"the firmware reported {errors}")
    groups = passes(out)
    if sorted(groups) != ["block", "flash"]:
        fail(f"expected a flash and a block pass, got {sorted(groups)}")
    comparable = {}
    for name, lines in groups.items():
        movie = [line["movie"] for line in lines if "movie" in line]
        tracks = [line["track"] for line in lines if "track" in line]
        if len(movie) != 1:
            fail(f"{name}: expected one movie summary, got {len(movie)}")
        check_summary(movie[0], tracks, info)
        video = next((t for t in tracks if t["kind"] == "video"), None)
        if video is None:
            fail(f"{name}: no video track")
        check_lookups(lines, samples, dict(video, duration_units=video["duration"]))
        comparable[name] = [
            {k: v for k, v in line.items() if k != "pass"} for line in lines if not {"stack", "sectors"} & line.keys()
        ]
    expect("block pass vs flash pass", comparable["block"], comparable["flash"])
    block = groups["block"]
    sectors = next((line["sectors"] for line in block if "sectors" in line), None)
    # (A small moov may sit in the reader's one cached sector, so lookups can read none.)
    if not sectors or sectors["open"] < 1:
        fail(f"the block pass read no sectors while opening: {sectors}")
    stack = {}
    for name, lines in groups.items():
        for line in lines:
            if "stack" in line:
                step = line["stack"]["step"]
                stack[step] = max(stack.get(step, 0), line["stack"]["used"])
    if set(stack) != {"open", "lookups"} or min(stack.values()) <= 0:
        fail(f"expected stack measurements of open and lookups: {stack}")
    for step, used in stack.items():
        if used > GOAL_STACK:
            fail(f"{step} used {used} bytes of stack, over the goal of {GOAL_STACK}")
        if used > STACK_BUDGET[step]:
            fail(f"{step} used {used} bytes of stack, over its budget of {STACK_BUDGET[step]}")
    layout = next(line for line in out if "flash_image" in line)
    timing = next((line["timing"] for line in out if "timing" in line), None)
    if timing is None:
        fail("no timing line")
    per_tick = timing["calibration_instructions"] / timing["calibration_ticks"]
    n = timing["lookups"]
    size = sizes(sys.argv[4], sys.argv[5], layout["flash_image"]["stored_bytes"])
    if size["heap"] != 0:
        fail(f"an allocator is linked: {size['allocator_symbols']}")
    if size["text_core"] > GOAL_CORE_FLASH:
        fail(f"the core's code takes {size['text_core']} bytes of flash, over {GOAL_CORE_FLASH}")
    calls = call_graph(sys.argv[6])
    recursion = cycles(calls)
    if recursion:
        fail(f"the firmware's call graph has cycles (recursion): {recursion}")
    core_functions = [f for f in calls if classify(f) == "core"]
    panicking = [f for f in core_functions if any("panic" in c for c in calls[f])]
    report = {
        "flash": size,
        "call_graph": {
            "functions": len(calls),
            "cycles": 0,
            "core_functions": len(core_functions),
            "core_functions_with_panic_branches": len(panicking),
            "panic_branch_kinds": sorted({c for f in panicking for c in calls[f] if "panic" in c}),
        },
        "stack": stack,
        "values": layout["sizes"],
        "sectors": sectors,
        "instructions": {
            "per_tick": per_tick,
            "open": round(timing["open_ticks"] * per_tick),
            "frame_lookup": round(timing["frame_ticks"] * per_tick / n),
            "time_lookup": round(timing["time_ticks"] * per_tick / n),
        },
        "goals": {
            "core_flash_le_64k": size["text_core"] <= GOAL_CORE_FLASH,
            "stack_le_8k": max(stack.values()) <= GOAL_STACK,
            "heap_0": size["heap"] == 0,
        },
    }
    print(json.dumps(report, indent=1))


main()
