//! Walking a track's samples in decode order: positioning at any sample in O(runs),
//! then each step in O(1) amortized, with a few small read-ahead windows.
//!
//! Longer than most modules on purpose: the cursor and its run walkers (chunks, times,
//! composition offsets) share one set of invariants about the read-ahead windows and the
//! untrusted counts they bound, which are easier to check in one file than across several.

use crate::boxes::table::{be32, SampleSizes, Table, Window};
use crate::error::{Error, ErrorKind, Result};
use crate::read_at::ReadAt;

/// Everything the sample tables say about one sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sample {
    /// 0-based index in decode order.
    pub index: u32,
    /// File offset of the sample's first byte.
    pub offset: u64,
    /// Size in bytes.
    pub size: u32,
    /// Decode timestamp in the track's timescale.
    pub dts: i64,
    /// Presentation timestamp (dts + composition offset), before the edit list.
    pub pts: i64,
    /// Duration in the track's timescale.
    pub duration: u32,
    /// Is this a sync sample (decodable on its own)?
    pub keyframe: bool,
}

/// The tables one track's sample lookups read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SampleTables {
    /// Decode time deltas.
    pub stts: Table,
    /// Composition offsets, if any.
    pub ctts: Option<Table>,
    /// Sync samples; `None` = every sample is sync.
    pub stss: Option<Table>,
    /// Sample-to-chunk runs.
    pub stsc: Table,
    /// Sample sizes; its count is the track's sample count.
    pub sizes: SampleSizes,
    /// Chunk offsets (`stco` or `co64`).
    pub chunks: Table,
}

/// Where a seek starts walking one run-length table: at `entry`, the run whose first
/// sample is `first_sample`, which starts at decode time `time` (`stts` only). The
/// default is the table's first entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunStart {
    /// Entry of the table the walk starts at.
    pub entry: u32,
    /// Samples described by the entries before it.
    pub first_sample: u64,
    /// Sum of those samples' durations (`stts`; 0 for the other tables).
    pub time: u64,
}

/// Where [`Cursor::seek_from`] starts walking each run-length table (`stts`, `ctts`,
/// `stsc`): an index kept outside the core (prefix sums over runs) makes a seek O(1)
/// in the number of runs; the default walks from the first entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeekStart {
    /// Decode time deltas.
    pub stts: RunStart,
    /// Composition offsets.
    pub ctts: RunStart,
    /// Sample-to-chunk runs.
    pub stsc: RunStart,
    /// The first `stss` entry naming the sample or a later one, if known (checked
    /// against its neighbour before use; the seek binary-searches otherwise).
    pub stss: Option<u32>,
}

/// Gives, for a sample index, where a seek to it may start each table's walk. The
/// start must not lie past the sample (one that does is ignored: the walk starts at
/// the first entry).
pub trait SeekIndex {
    /// Where to start walking the tables towards sample `index`.
    fn start(&self, index: u32) -> SeekStart;

    /// A bound on how far any sample's presentation rank lies from its decode index,
    /// if known (a lookup by presentation order then ranks that many samples either
    /// side, at most [`crate::track::REORDER_WINDOW`]). It must hold: a smaller one
    /// than the file's gives wrong frames.
    fn reorder_depth(&self) -> Option<u32> {
        None
    }
}

/// No index: every walk starts at the first entry (the fixed-memory path).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoIndex;

impl SeekIndex for NoIndex {
    fn start(&self, _index: u32) -> SeekStart {
        SeekStart::default()
    }
}

/// `start` if it lies within table `t` and at or before sample `index`, else the first entry.
fn checked_start(start: RunStart, t: &Table, index: u32) -> RunStart {
    if start.entry < t.count && start.first_sample <= u64::from(index) {
        start
    } else {
        RunStart::default()
    }
}

/// A position in the sample tables, yielding samples in decode order.
#[derive(Clone)]
pub struct Cursor<'t> {
    t: &'t SampleTables,
    next: u32,
    // stts run state
    stts_k: u32,
    stts_left: u32,
    delta: u32,
    dts: u64,
    // ctts run state
    ctts_k: u32,
    ctts_left: u32,
    ctts_off: i32,
    // stsc state
    stsc_k: u32,
    spc: u32,
    chunk: u32,
    run_end_chunk: u64,
    left_in_chunk: u32,
    pos: u64,
    // stss state
    stss_k: u32,
    next_sync: u64,
    w_stts: Window,
    w_ctts: Window,
    w_stsc: Window,
    w_stsz: Window,
    w_chunks: Window,
    w_stss: Window,
}

fn overflow<E>(t: &Table) -> Error<E> {
    t.error(ErrorKind::Overflow)
}

/// One `stsc` entry: first chunk (1-based) and samples per chunk.
fn stsc_entry<R: ReadAt + ?Sized>(w: &mut Window, r: &R, t: &Table, k: u32) -> Result<(u64, u32), R::Error> {
    let e = w.entry(r, t, k)?;
    let first = u64::from(be32(e, 0));
    if first == 0 {
        return Err(t.error(ErrorKind::BadTable));
    }
    Ok((first, be32(e, 4)))
}

impl<'t> Cursor<'t> {
    /// An exhausted cursor over `t`, nothing read yet: [`Cursor::seek`] positions it.
    ///
    /// With `new` + `seek` a cursor is built where it lives: [`Cursor::at`] returns it
    /// by value, which on a small stack can cost a copy of its windows per frame.
    pub const fn new(t: &'t SampleTables) -> Self {
        Cursor {
            t,
            next: t.sizes.count,
            stts_k: 0,
            stts_left: 0,
            delta: 0,
            dts: 0,
            ctts_k: 0,
            ctts_left: 0,
            ctts_off: 0,
            stsc_k: 0,
            spc: 0,
            chunk: 0,
            run_end_chunk: 0,
            left_in_chunk: 0,
            pos: 0,
            stss_k: 0,
            next_sync: u64::MAX,
            w_stts: Window::new(),
            w_ctts: Window::new(),
            w_stsc: Window::new(),
            w_stsz: Window::new(),
            w_chunks: Window::new(),
            w_stss: Window::new(),
        }
    }

    /// A cursor whose next sample is `index` (`index == count` gives an exhausted cursor).
    pub fn at<R: ReadAt + ?Sized>(t: &'t SampleTables, r: &R, index: u32) -> Result<Self, R::Error> {
        let mut c = Cursor::new(t);
        c.seek(r, index)?;
        Ok(c)
    }

    /// Move the cursor so its next sample is `index` (`index == count` exhausts it), in
    /// O(runs), keeping what its windows hold. After an error the cursor is exhausted.
    pub fn seek<R: ReadAt + ?Sized>(&mut self, r: &R, index: u32) -> Result<(), R::Error> {
        self.seek_from(r, index, &SeekStart::default())
    }

    /// [`Cursor::seek`], walking each run-length table from where `start` says rather
    /// than from its first entry (a start past `index` is ignored).
    pub fn seek_from<R: ReadAt + ?Sized>(
        &mut self,
        r: &R,
        index: u32,
        start: &SeekStart,
    ) -> Result<(), R::Error> {
        let count = self.t.sizes.count;
        self.next = count;
        if index > count {
            return Err(Error::OutOfRange { asked: u64::from(index), available: u64::from(count) });
        }
        if index == count {
            return Ok(());
        }
        self.seek_stts(r, index, start.stts)?;
        self.seek_ctts(r, index, start.ctts)?;
        self.seek_stsc(r, index, start.stsc)?;
        self.seek_stss(r, index, start.stss)?;
        self.next = index;
        Ok(())
    }

    /// Say that the caller will take many samples in a row from here (a reorder window,
    /// a walk): each table's next refill reads a full window (256 bytes) rather than
    /// doubling up from one entry. Fewer reads; the answers are the same.
    pub fn expect_sequential(&mut self) {
        for w in [
            &mut self.w_stts,
            &mut self.w_ctts,
            &mut self.w_stsc,
            &mut self.w_stsz,
            &mut self.w_chunks,
            &mut self.w_stss,
        ] {
            w.expect_sequential();
        }
    }

    /// Index of the sample `next` will return.
    pub fn position(&self) -> u32 {
        self.next
    }

    fn seek_stts<R: ReadAt + ?Sized>(&mut self, r: &R, index: u32, start: RunStart) -> Result<(), R::Error> {
        let t = &self.t.stts;
        let start = checked_start(start, t, index);
        let (mut acc, mut time) = (start.first_sample, start.time);
        for k in start.entry..t.count {
            let e = self.w_stts.entry(r, t, k)?;
            let (n, d) = (be32(e, 0), be32(e, 4));
            if u64::from(index) < acc.saturating_add(u64::from(n)) {
                let within = u64::from(index) - acc;
                self.stts_k = k;
                self.stts_left = n - within as u32;
                self.delta = d;
                self.dts =
                    within.checked_mul(u64::from(d)).and_then(|x| x.checked_add(time)).ok_or(overflow(t))?;
                return Ok(());
            }
            acc = acc.saturating_add(u64::from(n));
            time = u64::from(n)
                .checked_mul(u64::from(d))
                .and_then(|x| x.checked_add(time))
                .ok_or(overflow(t))?;
        }
        Err(t.error(ErrorKind::Inconsistent))
    }

    fn seek_ctts<R: ReadAt + ?Sized>(&mut self, r: &R, index: u32, start: RunStart) -> Result<(), R::Error> {
        let Some(t) = &self.t.ctts else { return Ok(()) };
        let start = checked_start(start, t, index);
        let mut acc = start.first_sample;
        for k in start.entry..t.count {
            let e = self.w_ctts.entry(r, t, k)?;
            let n = be32(e, 0);
            if u64::from(index) < acc.saturating_add(u64::from(n)) {
                self.ctts_k = k;
                self.ctts_left = n - (u64::from(index) - acc) as u32;
                self.ctts_off = be32(e, 4) as i32;
                return Ok(());
            }
            acc = acc.saturating_add(u64::from(n));
        }
        // Past the end of ctts: offsets are 0 (as FFmpeg reads such files).
        self.ctts_k = t.count;
        self.ctts_left = 0;
        Ok(())
    }

    fn seek_stsc<R: ReadAt + ?Sized>(&mut self, r: &R, index: u32, start: RunStart) -> Result<(), R::Error> {
        let t = &self.t.stsc;
        let chunk_count = u64::from(self.t.chunks.count);
        let start = checked_start(start, t, index);
        let mut acc = start.first_sample;
        let mut k = start.entry;
        let mut entry = if k < t.count { Some(stsc_entry(&mut self.w_stsc, r, t, k)?) } else { None };
        while let Some((first, spc)) = entry {
            let next = if k + 1 < t.count { Some(stsc_entry(&mut self.w_stsc, r, t, k + 1)?) } else { None };
            let next_first = match next {
                Some((f, _)) if f <= first => return Err(t.error(ErrorKind::BadTable)),
                Some((f, _)) => f,
                None => chunk_count + 1,
            };
            let chunks = next_first.saturating_sub(first);
            let samples = chunks.checked_mul(u64::from(spc)).ok_or(overflow(t))?;
            if u64::from(index) < acc.saturating_add(samples) {
                let within = u64::from(index) - acc;
                let chunk0 = first - 1 + within / u64::from(spc);
                let in_chunk = (within % u64::from(spc)) as u32;
                self.stsc_k = k;
                self.spc = spc;
                self.chunk = u32::try_from(chunk0).map_err(|_| overflow(t))?;
                self.run_end_chunk = next_first - 1;
                self.left_in_chunk = spc - in_chunk;
                let base = self.t.chunks.get_uint(r, self.chunk)?;
                let first_sample = index - in_chunk;
                let skip = self.sizes_sum(r, first_sample, index)?;
                self.pos = base.checked_add(skip).ok_or(overflow(t))?;
                return Ok(());
            }
            acc = acc.saturating_add(samples);
            entry = next;
            k += 1;
        }
        Err(t.error(ErrorKind::Inconsistent))
    }

    /// Total size of samples `from..to`.
    fn sizes_sum<R: ReadAt + ?Sized>(&mut self, r: &R, from: u32, to: u32) -> Result<u64, R::Error> {
        let s = &self.t.sizes;
        if s.constant != 0 {
            return u64::from(to - from).checked_mul(u64::from(s.constant)).ok_or(overflow(&s.table));
        }
        let mut sum = 0u64;
        for i in from..to {
            let e = self.w_stsz.entry(r, &s.table, i)?;
            sum = sum.checked_add(s.table.decode_uint(i, e)).ok_or(overflow(&s.table))?;
        }
        Ok(sum)
    }

    fn seek_stss<R: ReadAt + ?Sized>(
        &mut self,
        r: &R,
        index: u32,
        hint: Option<u32>,
    ) -> Result<(), R::Error> {
        let Some(t) = &self.t.stss else { return Ok(()) };
        // First entry whose 1-based sample number is >= index + 1.
        let target = u64::from(index) + 1;
        let value =
            |k: u32| -> Result<u64, R::Error> { Ok(u64::from(u32::from_be_bytes(t.get::<R, 4>(r, k)?))) };
        if let Some(k) = hint.filter(|&k| k <= t.count) {
            if (k == t.count || value(k)? >= target) && (k == 0 || value(k - 1)? < target) {
                self.stss_k = k;
                return self.load_sync(r);
            }
        }
        let (mut lo, mut hi) = (0u32, t.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if value(mid)? < target {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        self.stss_k = lo;
        self.load_sync(r)
    }

    fn load_sync<R: ReadAt + ?Sized>(&mut self, r: &R) -> Result<(), R::Error> {
        let Some(t) = &self.t.stss else { return Ok(()) };
        self.next_sync = if self.stss_k < t.count {
            let e = self.w_stss.entry(r, t, self.stss_k)?;
            u64::from(be32(e, 0)).saturating_sub(1)
        } else {
            u64::MAX
        };
        Ok(())
    }

    /// The next sample, or `None` after the last.
    pub fn next<R: ReadAt + ?Sized>(&mut self, r: &R) -> Option<Result<Sample, R::Error>> {
        if self.next >= self.t.sizes.count {
            return None;
        }
        let out = self.step(r);
        if out.is_err() {
            self.next = self.t.sizes.count;
        }
        Some(out)
    }

    fn step<R: ReadAt + ?Sized>(&mut self, r: &R) -> Result<Sample, R::Error> {
        let i = self.next;
        let t = self.t;
        let size = if t.sizes.constant != 0 {
            t.sizes.constant
        } else {
            let e = self.w_stsz.entry(r, &t.sizes.table, i)?;
            u32::try_from(t.sizes.table.decode_uint(i, e)).map_err(|_| overflow(&t.sizes.table))?
        };
        // chunk
        if self.left_in_chunk == 0 {
            self.advance_chunk(r)?;
        }
        let offset = self.pos;
        self.pos = self.pos.checked_add(u64::from(size)).ok_or(overflow(&t.chunks))?;
        self.left_in_chunk -= 1;
        // decode time
        while self.stts_left == 0 {
            self.stts_k += 1;
            let e = self.w_stts.entry(r, &t.stts, self.stts_k)?;
            self.stts_left = be32(e, 0);
            self.delta = be32(e, 4);
        }
        let dts = i64::try_from(self.dts).map_err(|_| overflow(&t.stts))?;
        let duration = self.delta;
        self.dts = self.dts.checked_add(u64::from(duration)).ok_or(overflow(&t.stts))?;
        self.stts_left -= 1;
        // composition offset
        let mut cto = 0i32;
        if let Some(ct) = &t.ctts {
            while self.ctts_left == 0 && self.ctts_k.saturating_add(1) < ct.count {
                self.ctts_k += 1;
                let e = self.w_ctts.entry(r, ct, self.ctts_k)?;
                self.ctts_left = be32(e, 0);
                self.ctts_off = be32(e, 4) as i32;
            }
            if self.ctts_left > 0 {
                cto = self.ctts_off;
                self.ctts_left -= 1;
            }
        }
        // sync
        let keyframe = match &t.stss {
            None => true,
            Some(st) => {
                let hit = u64::from(i) == self.next_sync;
                while u64::from(i) >= self.next_sync && self.stss_k < st.count {
                    self.stss_k += 1;
                    self.load_sync(r)?;
                }
                hit
            }
        };
        self.next = i + 1;
        let pts = dts.checked_add(i64::from(cto)).ok_or(overflow(&t.stts))?;
        Ok(Sample { index: i, offset, size, dts, pts, duration, keyframe })
    }

    fn advance_chunk<R: ReadAt + ?Sized>(&mut self, r: &R) -> Result<(), R::Error> {
        let t = self.t;
        self.chunk = self.chunk.checked_add(1).ok_or(overflow(&t.stsc))?;
        // Move to the run holding `chunk`, skipping runs of zero samples per chunk.
        while u64::from(self.chunk) >= self.run_end_chunk || self.spc == 0 {
            self.stsc_k += 1;
            if self.stsc_k >= t.stsc.count {
                return Err(t.stsc.error(ErrorKind::Inconsistent));
            }
            let (first, spc) = stsc_entry(&mut self.w_stsc, r, &t.stsc, self.stsc_k)?;
            let next_first = if self.stsc_k + 1 < t.stsc.count {
                stsc_entry(&mut self.w_stsc, r, &t.stsc, self.stsc_k + 1)?.0
            } else {
                u64::from(t.chunks.count) + 1
            };
            if first - 1 < self.run_end_chunk || next_first <= first && self.stsc_k + 1 < t.stsc.count {
                return Err(t.stsc.error(ErrorKind::BadTable));
            }
            self.chunk = u32::try_from(first - 1).map_err(|_| overflow(&t.stsc))?;
            self.run_end_chunk = next_first - 1;
            self.spc = spc;
            if u64::from(self.chunk) >= self.run_end_chunk {
                self.spc = 0;
            }
        }
        let e = self.w_chunks.entry(r, &t.chunks, self.chunk)?;
        self.pos = t.chunks.decode_uint(self.chunk, e);
        self.left_in_chunk = self.spc;
        Ok(())
    }
}
