//! An index over one track's run-length tables (`stts`, `ctts`, `stsc`): for each run,
//! the first sample it describes (and, for `stts`, the decode time it starts at). Built
//! once per open by reading each table front to back; a lookup then starts the core's
//! walk at the right run (a binary search here) instead of the first, so H.264's
//! `frame(n)`, whose `ctts` has about one run per sample, costs no walk over 25,000
//! entries. Memory is 8-16 bytes per run, never per sample: a table of one run (every
//! ProRes file's `stts`, an hour of PCM audio) is one entry.
//!
//! The counts come from the file: entries are read in bounded chunks from the table's
//! own bytes (which the core checked to lie in the file), sums are checked, and an
//! entry that does not add up ends the index there, so a lookup past it walks from
//! the last good run and meets the same error the unindexed walk would.

use lazyqt_core::boxes::table::Table;
use lazyqt_core::{ReadAt, RunStart, SeekIndex, SeekStart, Track};

/// Entries read at once while building (8 or 12 bytes each: at most 96 KiB).
const CHUNK_ENTRIES: u32 = 8192;

/// Run starts of one track's `stts`, `ctts` and `stsc`, in table order, and the sync
/// samples as arithmetic runs.
#[derive(Debug, Clone, Default)]
pub struct RunIndex {
    stts: Vec<RunStart>,
    ctts: Vec<RunStart>,
    stsc: Vec<RunStart>,
    stss: Vec<SyncRun>,
    /// How far a sample's presentation rank can lie from its decode index, when the
    /// tables bound it (see [`reorder_bound`]).
    depth: Option<u32>,
}

/// `len` consecutive `stss` entries from `entry` on, naming samples `first`, `first +
/// stride`, … (1-based, as in the table): a fixed GOP is one run, whatever its length.
#[derive(Debug, Clone, Copy)]
struct SyncRun {
    entry: u32,
    first: u64,
    stride: u64,
    len: u32,
}

/// How far apart two samples must be in decode order for their presentation order to
/// be the same: `floor(spread / min_delta)`. Samples `i > j + D` have
/// `dts_i - dts_j >= (D + 1) * min_delta > spread >= cto_j - cto_i`, so `pts_i > pts_j`;
/// hence no sample's presentation rank is more than D from its decode index. `None`
/// when the decode times do not always advance (a delta of 0) or there are none.
fn reorder_bound(min_delta: u32, spread: i64) -> Option<u32> {
    if min_delta == 0 || min_delta == u32::MAX {
        return None;
    }
    u32::try_from(spread / i64::from(min_delta)).ok()
}

/// Read `t` (an `stss`) as runs of equally spaced sample numbers; empty unless the
/// table strictly increases (only then is the first entry at or after a sample unique,
/// as the core's binary search assumes).
fn sync_runs<R: ReadAt + ?Sized>(r: &R, t: &Table) -> Result<Vec<SyncRun>, R::Error> {
    let mut runs: Vec<SyncRun> = Vec::new();
    let mut buf = Vec::new();
    let mut k = 0u32;
    let mut prev = 0u64;
    while k < t.count {
        let n = (t.count - k).min(CHUNK_ENTRIES);
        buf.resize(n as usize * 4, 0);
        r.read_exact_at(t.offset + u64::from(k) * 4, &mut buf)?;
        for (j, e) in buf.chunks_exact(4).enumerate() {
            let v = u64::from(u32::from_be_bytes([e[0], e[1], e[2], e[3]]));
            if v <= prev {
                return Ok(Vec::new());
            }
            let entry = k + j as u32;
            match runs.last_mut() {
                Some(run) if run.len == 1 => (run.stride, run.len) = (v - prev, 2),
                Some(run) if v - prev == run.stride => run.len += 1,
                _ => runs.push(SyncRun { entry, first: v, stride: 0, len: 1 }),
            }
            prev = v;
        }
        k += n;
    }
    Ok(runs)
}

/// Call `each(k, first, second)` with the first two big-endian u32 of every entry `k`
/// of `t` (8-byte `stts`/`ctts` entries, 12-byte `stsc` ones), reading at most
/// [`CHUNK_ENTRIES`] at a time; stops when `each` returns false.
fn for_each_pair<R: ReadAt + ?Sized>(
    r: &R,
    t: &Table,
    mut each: impl FnMut(u32, u32, u32) -> bool,
) -> Result<(), R::Error> {
    let width = usize::from(t.entry_bits / 8);
    if !matches!(t.entry_bits, 64 | 96) {
        return Ok(());
    }
    let mut buf = Vec::new();
    let mut k = 0u32;
    while k < t.count {
        let n = (t.count - k).min(CHUNK_ENTRIES);
        buf.resize(n as usize * width, 0);
        r.read_exact_at(t.offset + u64::from(k) * width as u64, &mut buf)?;
        for (j, e) in buf.chunks_exact(width).enumerate() {
            let a = u32::from_be_bytes([e[0], e[1], e[2], e[3]]);
            let b = u32::from_be_bytes([e[4], e[5], e[6], e[7]]);
            if !each(k + j as u32, a, b) {
                return Ok(());
            }
        }
        k += n;
    }
    Ok(())
}

impl RunIndex {
    /// Read `track`'s run-length tables through `r` and index their runs.
    pub fn build<R: ReadAt + ?Sized>(track: &Track, r: &R) -> Result<Self, R::Error> {
        let t = &track.tables;
        let mut index = RunIndex::default();
        let (mut acc, mut time) = (0u64, 0u64);
        let mut min_delta = u32::MAX;
        for_each_pair(r, &t.stts, |k, n, d| {
            index.stts.push(RunStart { entry: k, first_sample: acc, time });
            if n > 0 {
                min_delta = min_delta.min(d);
            }
            match u64::from(n).checked_mul(u64::from(d)).and_then(|x| x.checked_add(time)) {
                Some(t) => (acc, time) = (acc.saturating_add(u64::from(n)), t),
                None => return false,
            }
            true
        })?;
        if let Some(ctts) = &t.ctts {
            let mut acc = 0u64;
            // Samples past the table's end have offset 0, so 0 is always in the range.
            let (mut lo, mut hi) = (0i64, 0i64);
            for_each_pair(r, ctts, |k, n, off| {
                index.ctts.push(RunStart { entry: k, first_sample: acc, time: 0 });
                acc = acc.saturating_add(u64::from(n));
                if n > 0 {
                    (lo, hi) = (lo.min(i64::from(off as i32)), hi.max(i64::from(off as i32)));
                }
                true
            })?;
            let complete = index.stts.len() == t.stts.count as usize;
            index.depth = complete.then(|| reorder_bound(min_delta, hi - lo)).flatten();
        }
        let (mut acc, mut prev): (u64, Option<(u64, u32)>) = (0, None);
        for_each_pair(r, &t.stsc, |k, first, spc| {
            let first = u64::from(first);
            match prev {
                // A first chunk of 0 or not after the previous one: the core's walk
                // reports it; lookups past it walk from the last good run.
                _ if first == 0 => return false,
                Some((pf, _)) if first <= pf => return false,
                Some((pf, pspc)) => acc = acc.saturating_add((first - pf).saturating_mul(u64::from(pspc))),
                None => {}
            }
            index.stsc.push(RunStart { entry: k, first_sample: acc, time: 0 });
            prev = Some((first, spc));
            true
        })?;
        if let Some(stss) = t.stss.as_ref().filter(|s| s.entry_bits == 32) {
            index.stss = sync_runs(r, stss)?;
        }
        Ok(index)
    }

    /// Runs indexed, over the four tables.
    pub fn runs(&self) -> usize {
        self.stts.len() + self.ctts.len() + self.stsc.len() + self.stss.len()
    }

    /// The first `stss` entry naming sample `index` (0-based) or a later one, if the
    /// table was indexed.
    fn sync_entry(&self, index: u32) -> Option<u32> {
        if self.stss.is_empty() {
            return None;
        }
        let target = u64::from(index) + 1;
        let k = self.stss.partition_point(|run| run.first <= target);
        let Some(run) = k.checked_sub(1).and_then(|k| self.stss.get(k)) else { return Some(0) };
        // Entries of `run` naming samples before the target (all of them: the next
        // run's first entry is the answer).
        let below = match run.stride {
            0 => u64::from(target > run.first),
            stride => (target - run.first).div_ceil(stride),
        };
        Some(run.entry + below.min(u64::from(run.len)) as u32)
    }
}

/// The last run start at or before sample `index` (the first entry if none).
fn start_of(runs: &[RunStart], index: u32) -> RunStart {
    let k = runs.partition_point(|s| s.first_sample <= u64::from(index));
    k.checked_sub(1).and_then(|k| runs.get(k)).copied().unwrap_or_default()
}

impl SeekIndex for RunIndex {
    fn start(&self, index: u32) -> SeekStart {
        SeekStart {
            stts: start_of(&self.stts, index),
            ctts: start_of(&self.ctts, index),
            stsc: start_of(&self.stsc, index),
            stss: self.sync_entry(index),
        }
    }

    fn reorder_depth(&self) -> Option<u32> {
        self.depth
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lazyqt_core::FourCC;

    /// The index of an `stss` holding `values`, read from memory.
    fn sync_index(values: &[u32]) -> RunIndex {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
        let t = Table {
            atom: FourCC(*b"stss"),
            atom_offset: 0,
            offset: 0,
            count: values.len() as u32,
            entry_bits: 32,
        };
        RunIndex { stss: sync_runs(&bytes[..], &t).unwrap(), ..RunIndex::default() }
    }

    #[test]
    fn sync_runs_find_the_first_entry_at_or_after_every_sample() {
        let tables: [&[u32]; 6] = [
            &[1],
            &[1, 31, 61, 91],
            &[1, 2, 3, 4, 5, 6],
            &[1, 13, 25, 26, 50, 74, 75, 200],
            &[7, 8, 40],
            &[3, 5, 9, 17, 33, 65],
        ];
        for values in tables {
            let index = sync_index(values);
            assert!(index.stss.len() <= values.len());
            for sample in 0..values.last().unwrap() + 5 {
                let want = values.iter().position(|&v| v > sample).unwrap_or(values.len()) as u32;
                assert_eq!(index.sync_entry(sample), Some(want), "{values:?} sample {sample}");
            }
        }
        // A fixed GOP is one run however long.
        let gop: Vec<u32> = (0..1000).map(|k| 1 + 30 * k).collect();
        assert_eq!(sync_index(&gop).stss.len(), 1);
    }

    #[test]
    fn the_reorder_bound_is_the_offset_spread_over_the_shortest_delta() {
        // 29.97 fps, offsets 0..=2 frames (one or two B-frames): 2 either side.
        assert_eq!(reorder_bound(1001, 2002), Some(2));
        assert_eq!(reorder_bound(1001, 3002), Some(2));
        assert_eq!(reorder_bound(512, 0), Some(0));
        // No bound when decode times may stand still, or nothing was read.
        assert_eq!(reorder_bound(0, 2002), None);
        assert_eq!(reorder_bound(u32::MAX, 2002), None);
    }

    #[test]
    fn an_stss_that_does_not_increase_gives_no_hint() {
        for values in [&[1u32, 5, 3, 10][..], &[1, 1, 2], &[0, 4]] {
            let index = sync_index(values);
            assert_eq!(index.sync_entry(2), None, "{values:?}");
        }
    }
}
