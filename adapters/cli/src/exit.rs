//! The exit statuses of `lazyqt`: one table, printed in `--help` and used for every error.

use lazyqt_archive::ArchiveError;
use lazyqt_media::{ErrorKind, MediaError};

/// An exit status of `lazyqt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done.
    Success = 0,
    /// Anything else failed: decoding, writing the output.
    Failure = 1,
    /// The command line is wrong: unknown options, bad values, an empty range, no such track,
    /// a size over a limit.
    Usage = 2,
    /// The movie is malformed (bad tables, a broken video track, a sample past the end of
    /// the file, a corrupt frame) or unsupported (codec, no video track).
    Malformed = 3,
    /// The file or URL (or an archive's listing) could not be read: not found, network or
    /// HTTP error, timeout, or the remote file changed while read.
    Unreadable = 4,
    /// A frame, sample or time past the end of the movie; a UTC time no recording of an
    /// archive covers.
    OutOfRange = 5,
}

impl Exit {
    /// Every status, in numeric order.
    pub const ALL: [Exit; 6] =
        [Exit::Success, Exit::Failure, Exit::Usage, Exit::Malformed, Exit::Unreadable, Exit::OutOfRange];

    /// What the status means, for `--help`.
    pub const fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "success",
            Exit::Failure => "other failure (decoding, writing the output)",
            Exit::Usage => "bad usage (options, values, an empty range, no such track, a size over a limit)",
            Exit::Malformed => {
                "malformed or unsupported movie (bad tables, a broken video track, a sample past the end, \
                 a corrupt frame, a codec that cannot be decoded, no video track)"
            }
            Exit::Unreadable => {
                "the file or URL could not be read (not found, network or HTTP error, timeout, \
                 the remote file changed)"
            }
            Exit::OutOfRange => "frame, sample or time out of range; no recording at a --utc time",
        }
    }

    /// The status for a kind of media error: the CLI's one table.
    pub fn of_kind(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::Argument | ErrorKind::TooLarge => Exit::Usage,
            ErrorKind::Malformed | ErrorKind::Unsupported | ErrorKind::NoTrack => Exit::Malformed,
            ErrorKind::NotFound
            | ErrorKind::UpstreamChanged
            | ErrorKind::Http
            | ErrorKind::Network
            | ErrorKind::Timeout
            | ErrorKind::Io => Exit::Unreadable,
            ErrorKind::OutOfRange => Exit::OutOfRange,
            ErrorKind::Internal => Exit::Failure,
        }
    }

    /// The status for an error: its [`ExitError`] code, its archive or media error's kind,
    /// else 1.
    pub fn of_error(err: &anyhow::Error) -> Self {
        err.chain()
            .find_map(|e| {
                e.downcast_ref::<ExitError>()
                    .map(|x| x.exit)
                    .or_else(|| e.downcast_ref::<ArchiveError>().map(|a| Exit::of_kind(a.kind())))
                    .or_else(|| e.downcast_ref::<MediaError>().map(|m| Exit::of_kind(m.kind())))
            })
            .unwrap_or(Exit::Failure)
    }

    /// The "EXIT STATUS" section of `--help`.
    pub fn help() -> String {
        let mut text = String::from("EXIT STATUS:\n");
        for e in Exit::ALL {
            text.push_str(&format!("  {}  {}\n", e as u8, e.meaning()));
        }
        text
    }
}

/// An error that carries its exit status (a usage mistake found after parsing, or the
/// summary of a `frames` run).
#[derive(Debug)]
pub struct ExitError {
    /// The status to exit with.
    pub exit: Exit,
    /// What went wrong.
    pub message: String,
}

impl ExitError {
    /// A usage mistake: exit 2.
    pub fn usage(message: impl Into<String>) -> anyhow::Error {
        ExitError { exit: Exit::Usage, message: message.into() }.into()
    }
}

impl std::fmt::Display for ExitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExitError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_numbered_in_order_and_in_the_help() {
        let help = Exit::help();
        for (i, e) in Exit::ALL.iter().enumerate() {
            assert_eq!(*e as usize, i);
            assert!(help.contains(&format!("  {i}  {}", e.meaning())), "{help}");
        }
    }

    /// The CLI's column of the error-kind table: every kind has the status scripts rely on.
    #[test]
    fn every_error_kind_has_its_exit_status() {
        let expected = [
            (ErrorKind::Argument, Exit::Usage),
            (ErrorKind::NotFound, Exit::Unreadable),
            (ErrorKind::OutOfRange, Exit::OutOfRange),
            (ErrorKind::Malformed, Exit::Malformed),
            (ErrorKind::Unsupported, Exit::Malformed),
            (ErrorKind::NoTrack, Exit::Malformed),
            (ErrorKind::TooLarge, Exit::Usage),
            (ErrorKind::UpstreamChanged, Exit::Unreadable),
            (ErrorKind::Http, Exit::Unreadable),
            (ErrorKind::Network, Exit::Unreadable),
            (ErrorKind::Timeout, Exit::Unreadable),
            (ErrorKind::Io, Exit::Unreadable),
            (ErrorKind::Internal, Exit::Failure),
        ];
        assert_eq!(expected.map(|(k, _)| k), ErrorKind::ALL, "one row per kind, in order");
        for (kind, exit) in expected {
            assert_eq!(Exit::of_kind(kind), exit, "{kind:?}");
        }
    }

    #[test]
    fn media_errors_follow_their_kind() {
        let oor = MediaError::OutOfRange { what: "frame", asked: 9, available: 3 };
        assert_eq!(Exit::of_error(&oor.into()), Exit::OutOfRange);
        let past_end = MediaError::Malformed("sample 3 lies past the end of the file".into());
        assert_eq!(Exit::of_error(&anyhow::Error::from(past_end).context("frame 3")), Exit::Malformed);
        assert_eq!(Exit::of_error(&MediaError::NoSuchTrack(9).into()), Exit::Usage);
        assert_eq!(Exit::of_error(&ExitError::usage("empty range")), Exit::Usage);
        assert_eq!(Exit::of_error(&anyhow::anyhow!("disk full")), Exit::Failure);
    }
}
