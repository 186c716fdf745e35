//! The body of an answer: bytes in memory, or a range of a file on disk read piece by piece
//! as it is sent, so a 13 GB movie is never read whole and an open-ended `bytes=N-` that the
//! client abandons costs only what was sent.

use std::os::unix::fs::FileExt;
use std::time::Duration;

use tokio::io::{AsyncWrite, AsyncWriteExt};

/// An answer's body.
pub(crate) enum Payload {
    /// In memory.
    Bytes(Vec<u8>),
    /// `len` bytes of `file` from `start`, each byte inverted when `invert` (the
    /// `change_after` fault's new content).
    File { file: std::fs::File, start: u64, len: usize, invert: bool },
}

impl Payload {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Payload::Bytes(b) => b.len(),
            Payload::File { len, .. } => *len,
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keep only the first `n` bytes.
    pub fn truncate(&mut self, n: usize) {
        match self {
            Payload::Bytes(b) => b.truncate(n),
            Payload::File { len, .. } => *len = (*len).min(n),
        }
    }

    /// `n` bytes from `offset` within the body.
    fn read(&self, offset: usize, n: usize) -> std::io::Result<Vec<u8>> {
        match self {
            Payload::Bytes(b) => Ok(b[offset..offset + n].to_vec()),
            Payload::File { file, start, invert, .. } => {
                let mut buf = vec![0u8; n];
                file.read_exact_at(&mut buf, start + offset as u64)?;
                if *invert {
                    buf.iter_mut().for_each(|x| *x = !*x);
                }
                Ok(buf)
            }
        }
    }

    /// The whole body in memory (for transformations such as gzip).
    pub fn into_bytes(self) -> std::io::Result<Vec<u8>> {
        match self {
            Payload::Bytes(b) => Ok(b),
            file => file.read(0, file.len()),
        }
    }

    /// Write the first `limit` bytes to `out`, `size` bytes at a time with `pause` before
    /// each, flushing each piece; returns the bytes written and whether every write succeeded.
    pub async fn write_to<W: AsyncWrite + Unpin>(
        &self,
        out: &mut W,
        limit: usize,
        (size, pause): (usize, Duration),
    ) -> (u64, bool) {
        let mut sent = 0usize;
        while sent < limit {
            if !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
            let n = size.max(1).min(limit - sent);
            let written = match self {
                Payload::Bytes(b) => out.write_all(&b[sent..sent + n]).await.is_ok(),
                Payload::File { .. } => match self.read(sent, n) {
                    Ok(chunk) => out.write_all(&chunk).await.is_ok(),
                    Err(_) => false,
                },
            };
            // A TLS stream holds written bytes until flushed (a no-op on plain TCP).
            let written = written && out.flush().await.is_ok();
            if !written {
                return (sent as u64, false);
            }
            sent += n;
        }
        (sent as u64, true)
    }
}
