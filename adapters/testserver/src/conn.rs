//! One HTTP/1.1 connection: parse requests, decide the answer (ranges, validators,
//! injected faults) and write it byte by byte under our control, so a fault can cut
//! a body at an exact point and every body byte written is counted.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::faults::{MultiRange, ValidatorMode};
use crate::files::{autoindex, Lookup};
use crate::gzip::gzip;
use crate::payload::Payload;
use crate::record::RequestRecord;
use crate::request::{read_request, Request};
use crate::semantics::{if_match_ok, if_none_match_hit, multipart, parse_range, reason, RangeSpec, BOUNDARY};
use crate::{State, STATS_PATH};

/// Body bytes written per socket write (and per pause of a slow body).
const CHUNK: usize = 16 * 1024;
/// Longest a stalled answer holds its connection (the client normally closes it first).
const HOLD_MAX: Duration = Duration::from_secs(300);

/// How the body of an answer ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// All of it.
    Full,
    /// Only this many bytes, then the connection is closed.
    DropAfter(usize),
    /// Only this many bytes, then nothing more while the connection stays open.
    HoldAfter(usize),
}

/// An answer ready to write.
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Payload,
    /// Value of `Content-Length` (may differ from `body.len()` for the drop fault).
    content_length: usize,
    cut: Cut,
    /// Bytes per write and the pause before each (a slow or dripping body).
    pace: Option<(usize, Duration)>,
}

impl Answer {
    fn simple(status: u16, text: &str) -> Self {
        Answer::bytes(status, "text/plain", text.as_bytes().to_vec())
    }

    /// A `status` answer of `body` in memory, of type `content_type`.
    fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Answer {
            status,
            headers: vec![("Content-Type", content_type.into())],
            content_length: body.len(),
            body: Payload::Bytes(body),
            cut: Cut::Full,
            pace: None,
        }
    }

    /// A `302 Found` to `location`.
    fn redirect(location: String) -> Self {
        let mut a = Answer::simple(302, "found\n");
        a.headers.push(("Location", location));
        a
    }
}

impl State {
    /// Decide the answer to one request, consuming fault counters.
    fn answer(&self, req: &Request, number: u64) -> Answer {
        let generation = {
            let mut f = self.faults.lock();
            if f.change_after.is_some_and(|k| number > k) {
                f.change_after = None;
                drop(f);
                self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
            } else {
                drop(f);
                self.generation.load(std::sync::atomic::Ordering::SeqCst)
            }
        };
        let faults = self.faults.lock().clone();
        {
            let mut f = self.faults.lock();
            if f.fail_500 > 0 {
                f.fail_500 -= 1;
                return Answer::simple(500, "injected failure\n");
            }
            if f.fail_503 > 0 {
                f.fail_503 -= 1;
                let mut a = Answer::simple(503, "injected overload\n");
                a.headers.push(("Retry-After", f.retry_after_secs.to_string()));
                return a;
            }
        }
        if req.method != "GET" && req.method != "HEAD" {
            return Answer::simple(405, "method not allowed\n");
        }
        if let Some(origin) = &faults.redirect_to {
            return Answer::redirect(format!("{}{}", origin.trim_end_matches('/'), req.path));
        }
        if faults.redirect_loop {
            let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
            let hop = query.strip_prefix("hop=").and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
            return Answer::redirect(format!("{path}?hop={}", hop + 1));
        }
        let lookup = self.content.read().lookup(&req.path);
        let file = match lookup {
            Lookup::NotFound => return Answer::simple(404, "not found\n"),
            Lookup::Dir(items) => {
                let path = req.path.split('?').next().unwrap_or("/").to_string();
                if !path.ends_with('/') {
                    let mut a = Answer::simple(301, "moved\n");
                    a.headers.push(("Location", format!("{path}/")));
                    return a;
                }
                return Answer::bytes(200, "text/html", autoindex(&path, &items).into_bytes());
            }
            Lookup::File(f) => f,
        };
        let len = file.data.len();
        let modified = file.modified + Duration::from_secs(generation);
        let mtime = modified.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let tag = format!("\"{mtime:x}-{len:x}\"");
        let (etag, last_modified) = match faults.validator {
            ValidatorMode::Strong => (Some(tag), Some(httpdate::fmt_http_date(modified))),
            ValidatorMode::WeakOnly => (Some(format!("W/{tag}")), None),
            ValidatorMode::LastModifiedOnly => (None, Some(httpdate::fmt_http_date(modified))),
            ValidatorMode::None => (None, None),
            ValidatorMode::Unquoted => (Some(tag.trim_matches('"').to_string()), None),
        };
        let mut headers: Vec<(&'static str, String)> =
            vec![("Content-Type", "application/octet-stream".into()), ("Accept-Ranges", "bytes".into())];
        if let Some(e) = &etag {
            headers.push(("ETag", e.clone()));
        }
        if let Some(lm) = &last_modified {
            headers.push(("Last-Modified", lm.clone()));
        }
        let precondition_failed = || {
            let mut a = Answer::simple(412, "precondition failed\n");
            a.headers.extend(headers.iter().filter(|(k, _)| *k != "Content-Type").cloned());
            a
        };
        if let Some(im) = req.header("if-match") {
            if !if_match_ok(&im, etag.as_deref()) {
                return precondition_failed();
            }
        } else if let Some(ius) = req.header("if-unmodified-since") {
            let since = httpdate::parse_http_date(&ius).ok();
            let lm = last_modified.as_deref().and_then(|l| httpdate::parse_http_date(l).ok());
            if let (Some(since), Some(lm)) = (since, lm) {
                if lm > since {
                    return precondition_failed();
                }
            }
        }
        if let Some(inm) = req.header("if-none-match") {
            if if_none_match_hit(&inm, etag.as_deref()) {
                let mut a = Answer::simple(304, "");
                a.headers = headers.into_iter().filter(|(k, _)| *k != "Content-Type").collect();
                return a;
            }
        }
        let mut range_header = req.header("range");
        if let Some(ir) = req.header("if-range") {
            if etag.as_deref() != Some(ir.trim()) || ir.trim().starts_with("W/") {
                range_header = None;
            }
        }
        if faults.ignore_range {
            range_header = None;
        }
        let mut ranges = match parse_range(range_header.as_deref(), len) {
            RangeSpec::Whole => Vec::new(),
            RangeSpec::Ranges(r) => r,
            RangeSpec::Unsatisfiable => {
                let mut a = Answer::simple(416, "range not satisfiable\n");
                a.headers.push(("Content-Range", format!("bytes */{len}")));
                return a;
            }
        };
        if ranges.len() > 1 {
            match faults.multi_range {
                MultiRange::Multipart | MultiRange::Misplaced => {}
                MultiRange::FirstOnly => ranges.truncate(1),
                MultiRange::Whole => ranges.clear(),
            }
        }
        let pace = match faults.drip {
            Some(d) => Some((d.bytes.max(1), d.every)),
            None => faults.slow_body.map(|d| (CHUNK, d)),
        };
        let invert = generation % 2 == 1;
        if ranges.len() > 1 {
            let mut parts = Vec::new();
            for &(a, b) in &ranges {
                match file.data.range(a, b + 1) {
                    Ok(mut bytes) => {
                        if invert {
                            bytes.iter_mut().for_each(|x| *x = !*x);
                        }
                        parts.push((a, bytes))
                    }
                    Err(e) => return Answer::simple(500, &format!("read failed: {e}\n")),
                }
            }
            if faults.multi_range == MultiRange::Misplaced {
                parts.iter_mut().for_each(|(start, _)| *start = (*start + 1).min(len - 1));
            }
            let mut body = multipart(&parts, len);
            let content_length = body.len();
            if req.method == "HEAD" {
                body.clear();
            }
            headers.retain(|(k, _)| *k != "Content-Type");
            headers.push(("Content-Type", format!("multipart/byteranges; boundary={BOUNDARY}")));
            let body = Payload::Bytes(body);
            return Answer { status: 206, headers, body, content_length, cut: Cut::Full, pace };
        }
        let (status, start, end) = match ranges.first() {
            None => (200, 0, len),
            Some(&(s, e)) => (206, s, e + 1),
        };
        // Bounds: start <= end <= len, both from parse_range.
        let mut body = match file.data.payload(start, end, invert) {
            Ok(b) => b,
            Err(e) => return Answer::simple(500, &format!("read failed: {e}\n")),
        };
        let mut content_length = body.len();
        let mut cut = Cut::Full;
        let mut f = self.faults.lock();
        if status == 206 {
            let mut shown_start = start;
            if f.wrong_content_range > 0 {
                f.wrong_content_range -= 1;
                shown_start += 1;
            }
            let shown_end = (end - 1).max(shown_start);
            headers.push(("Content-Range", format!("bytes {shown_start}-{shown_end}/{len}")));
            if f.short_body > 0 {
                f.short_body -= 1;
                body.truncate(body.len() / 2);
                content_length = body.len();
            }
        }
        if f.gzip > 0 && !body.is_empty() {
            f.gzip -= 1;
            body = match body.into_bytes() {
                Ok(b) => Payload::Bytes(gzip(&b)),
                Err(e) => return Answer::simple(500, &format!("read failed: {e}\n")),
            };
            content_length = body.len();
            headers.push(("Content-Encoding", "gzip".into()));
        }
        if f.drop_mid_body > 0 && req.method == "GET" && !body.is_empty() {
            f.drop_mid_body -= 1;
            cut = Cut::DropAfter(body.len() / 2);
        } else if f.stall_mid_body > 0 && req.method == "GET" && !body.is_empty() {
            f.stall_mid_body -= 1;
            cut = Cut::HoldAfter(body.len() / 2);
        }
        if req.method == "HEAD" {
            body.truncate(0);
        }
        Answer { status, headers, body, content_length, cut, pace }
    }
}

/// Serve requests on one connection (plain TCP or TLS) until it closes.
pub(crate) async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, state: Arc<State>) {
    let mut buf = Vec::new();
    while let Some(req) = read_request(&mut stream, &mut buf).await {
        if req.path == STATS_PATH {
            // The counters themselves: neither counted nor delayed.
            let stats = Answer::bytes(200, "application/json", state.stats_json().into_bytes());
            if !write_head(&mut stream, &stats, req.close).await
                || !stats.body.write_to(&mut stream, stats.body.len(), (CHUNK, Duration::ZERO)).await.1
                || req.close
            {
                let _ = stream.shutdown().await;
                return;
            }
            continue;
        }
        let number = state.requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let latency = state.faults.lock().latency;
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let stall = {
            let mut f = state.faults.lock();
            let stall = f.stall_before_headers > 0;
            f.stall_before_headers = f.stall_before_headers.saturating_sub(1);
            stall
        };
        if stall {
            state.log.lock().push(RequestRecord::of(&req, 0, 0));
            hold(&mut stream).await;
            return;
        }
        let answer = state.answer(&req, number);
        let close = req.close || matches!(answer.cut, Cut::DropAfter(_));
        let limit = match answer.cut {
            Cut::Full => answer.body.len(),
            Cut::DropAfter(n) | Cut::HoldAfter(n) => n,
        };
        // Logged before the answer is written, so a client that has its answer always
        // finds it in the log; corrected below if the socket takes fewer bytes.
        let index = {
            let mut log = state.log.lock();
            log.push(RequestRecord::of(&req, answer.status, limit as u64));
            log.len() - 1
        };
        let mut sent = 0u64;
        let mut ok = write_head(&mut stream, &answer, close).await;
        if ok {
            let pace = answer.pace.unwrap_or((CHUNK, Duration::ZERO));
            (sent, ok) = answer.body.write_to(&mut stream, limit, pace).await;
        }
        if sent != limit as u64 {
            if let Some(r) = state.log.lock().get_mut(index) {
                r.bytes_sent = sent;
            }
        }
        if ok && matches!(answer.cut, Cut::HoldAfter(_)) {
            hold(&mut stream).await;
            return;
        }
        if !ok || close {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

/// Write the status line and headers of `answer`; false if the connection failed.
async fn write_head<S: AsyncWrite + Unpin>(stream: &mut S, answer: &Answer, close: bool) -> bool {
    let mut head = format!("HTTP/1.1 {} {}\r\n", answer.status, reason(answer.status));
    for (k, v) in &answer.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", answer.content_length));
    head.push_str(if close { "Connection: close\r\n\r\n" } else { "Connection: keep-alive\r\n\r\n" });
    // Flushed: a TLS stream holds written bytes until then (a no-op on plain TCP).
    stream.write_all(head.as_bytes()).await.is_ok() && stream.flush().await.is_ok()
}

/// Keep a connection open, sending nothing, until the client closes it (or `HOLD_MAX`).
async fn hold<S: AsyncRead + Unpin>(stream: &mut S) {
    let drain = async {
        let mut sink = [0u8; 4096];
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    };
    let _ = tokio::time::timeout(HOLD_MAX, drain).await;
}

impl RequestRecord {
    /// The record of `req`, answered with `status` and `bytes_sent` body bytes.
    fn of(req: &Request, status: u16, bytes_sent: u64) -> Self {
        RequestRecord {
            method: req.method.clone(),
            path: req.path.clone(),
            range: req.header("range"),
            if_match: req.header("if-match"),
            if_unmodified_since: req.header("if-unmodified-since"),
            if_none_match: req.header("if-none-match"),
            if_range: req.header("if-range"),
            accept_encoding: req.header("accept-encoding"),
            status,
            bytes_sent,
        }
    }
}
