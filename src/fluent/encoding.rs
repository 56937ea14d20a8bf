//! Reading a `.ftl` file whatever a translator's editor saved it as: the one function
//! every reader of a target or reference `.ftl` file goes through ([`read_ftl`]).
//!
//! Fluent files are UTF-8, but Windows editors save UTF-16 (with a byte order mark) or
//! a legacy code page such as Windows-1258. A file dich cannot decode is an error for
//! that file, never "absent": treating it as absent once replaced a person's whole
//! translation with a machine one (issue 10, item 5).
//!
//! - UTF-8, with or without a byte order mark: read (the mark is dropped).
//! - UTF-16 LE or BE with a byte order mark: decoded. When dich adds messages to such a
//!   file it writes it back as UTF-8 (without a mark), every character of the person's
//!   text kept: UTF-8 is what Fluent's tools, the portal's runtime and `dich check`'s
//!   positions expect, and the conversion is lossless.
//! - Anything else (a legacy code page, UTF-16 without a mark, which shows as NUL
//!   bytes): [`FtlReadError`], naming the file and the first bad byte's line and
//!   column, and saying to re-save it as UTF-8. The file is left untouched.
//!
//! This module depends on nothing but `std` and `thiserror`, so that it can move with
//! the runtime lookup (which also reads `.ftl` files) into a crate of its own.

use std::path::{Path, PathBuf};

/// Why a `.ftl` file could not be read as text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FtlReadError {
    /// The file exists but reading it failed.
    #[error("failed to read `{path}`: {source}", path = path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are neither UTF-8 nor UTF-16 with a byte order mark.
    #[error(
        "{path}:{line}:{column}: the file is not UTF-8 text ({what}); dich leaves it untouched: re-save it as UTF-8",
        path = path.display()
    )]
    Encoding {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first byte that is not UTF-8.
        line: usize,
        /// 1-based column of that byte, in characters.
        column: usize,
        /// What the bytes look like.
        what: &'static str,
    },
}

impl FtlReadError {
    /// What is wrong, without the file's name and position (for reports that show
    /// those on their own).
    pub fn problem(&self) -> String {
        match self {
            FtlReadError::Io { source, .. } => format!("cannot read the file: {source}"),
            FtlReadError::Encoding { what, .. } => format!(
                "the file is not UTF-8 text ({what}); dich leaves it untouched: re-save it as UTF-8"
            ),
        }
    }

    /// 1-based line and column (in characters) of the problem, when it has one.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            FtlReadError::Encoding { line, column, .. } => Some((*line, *column)),
            FtlReadError::Io { .. } => None,
        }
    }
}

/// Reads the `.ftl` file at `path` as text. `Ok(None)` when it does not exist (a target
/// not created yet); an existing file that cannot be decoded is an error, never `None`.
///
/// # Errors
/// [`FtlReadError::Io`] when reading fails, [`FtlReadError::Encoding`] when the bytes
/// are neither UTF-8 nor UTF-16 with a byte order mark.
pub fn read_ftl(path: &Path) -> Result<Option<String>, FtlReadError> {
    match std::fs::read(path) {
        Ok(bytes) => decode_ftl(path, &bytes).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(FtlReadError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// The text of a `.ftl` file's bytes (see the module docs for what is accepted);
/// `path` is only used in the error.
///
/// # Errors
/// [`FtlReadError::Encoding`] when the bytes cannot be decoded.
pub fn decode_ftl(path: &Path, bytes: &[u8]) -> Result<String, FtlReadError> {
    let error = |valid: &str, what| {
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        FtlReadError::Encoding {
            path: path.to_owned(),
            line,
            column,
            what,
        }
    };
    let utf16 = |rest: &[u8], word: fn([u8; 2]) -> u16| {
        if !rest.len().is_multiple_of(2) {
            return Err(error("", "UTF-16 with an odd number of bytes"));
        }
        let units = rest.chunks_exact(2).map(|pair| word([pair[0], pair[1]]));
        let mut text = String::with_capacity(rest.len() / 2);
        for c in char::decode_utf16(units) {
            match c {
                Ok(c) => text.push(c),
                Err(_) => return Err(error(&text, "UTF-16 with an unpaired surrogate")),
            }
        }
        Ok(text)
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            return Err(error(valid, "a legacy code page such as Windows-1258?"));
        }
    };
    // NUL is valid UTF-8 but never in a text file: UTF-16 saved without a mark.
    if let Some(at) = text.find('\0') {
        return Err(error(
            &text[..at],
            "NUL bytes: UTF-16 without a byte order mark?",
        ));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Result<String, FtlReadError> {
        decode_ftl(Path::new("locales/en/main.ftl"), bytes)
    }

    #[test]
    fn utf8_with_or_without_a_mark() {
        assert_eq!(decode("a = Hà Nội\n".as_bytes()).unwrap(), "a = Hà Nội\n");
        assert_eq!(decode(b"\xEF\xBB\xBFa = b\n").unwrap(), "a = b\n");
    }

    #[test]
    fn utf16_with_a_mark_in_either_byte_order() {
        let text = "a = Hà Nội 😀\n";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&le).unwrap(), text);
        assert_eq!(decode(&be).unwrap(), text);
    }

    #[test]
    fn anything_else_is_an_error_at_the_first_bad_byte() {
        let err = decode(b"a = b\nc = H\xE0 N\xF4i\n").unwrap_err();
        assert_eq!(err.position(), Some((2, 6)));
        let text = err.to_string();
        assert!(text.starts_with("locales/en/main.ftl:2:6: "), "{text}");
        assert!(text.ends_with("re-save it as UTF-8"), "{text}");
        let no_mark: Vec<u8> = "a = b".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(decode(&no_mark).unwrap_err().to_string().contains("NUL"));
        assert!(decode(&[0xFF, 0xFE, 0x00]).is_err());
        assert!(decode(&[0xFF, 0xFE, 0x00, 0xD8]).is_err(), "lone surrogate");
    }

    #[test]
    fn a_missing_file_is_none_and_a_folder_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_ftl(&dir.path().join("none.ftl")).unwrap().is_none());
        assert!(matches!(read_ftl(dir.path()), Err(FtlReadError::Io { .. })));
    }
}
