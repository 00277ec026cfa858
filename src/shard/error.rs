//! Why a shard could not be read.

use std::io;
use std::path::PathBuf;

/// What a path turned out to be when a regular file was needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Directory,
    Fifo,
    Socket,
    BlockDevice,
    CharDevice,
    Other,
}

impl FileKind {
    pub(crate) fn of(ft: std::fs::FileType) -> FileKind {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_dir() {
            FileKind::Directory
        } else if ft.is_fifo() {
            FileKind::Fifo
        } else if ft.is_socket() {
            FileKind::Socket
        } else if ft.is_block_device() {
            FileKind::BlockDevice
        } else if ft.is_char_device() {
            FileKind::CharDevice
        } else {
            FileKind::Other
        }
    }
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileKind::Directory => "directory",
            FileKind::Fifo => "FIFO",
            FileKind::Socket => "socket",
            FileKind::BlockDevice => "block device",
            FileKind::CharDevice => "character device",
            FileKind::Other => "special file",
        })
    }
}

/// A shard could not be read. Each variant carries the path as given.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShardError {
    /// Nothing exists at the path.
    #[error("shard `{}` not found", .path.display())]
    NotFound { path: PathBuf },

    /// The path exists but is not a regular file; it is refused before any
    /// read, so a FIFO can never block the reader.
    #[error("shard `{}` is a {kind}, not a regular file", .path.display())]
    NotAFile { path: PathBuf, kind: FileKind },

    /// The process may not read the path.
    #[error("permission denied reading shard `{}`", .path.display())]
    PermissionDenied { path: PathBuf },

    /// Any other I/O failure.
    #[error("cannot read shard `{}`: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
}

impl ShardError {
    /// Classifies an I/O error met while opening or reading `path`.
    pub(crate) fn from_io(path: &std::path::Path, source: io::Error) -> ShardError {
        let path = path.to_path_buf();
        match source.kind() {
            io::ErrorKind::NotFound => ShardError::NotFound { path },
            io::ErrorKind::PermissionDenied => ShardError::PermissionDenied { path },
            _ => ShardError::Io { path, source },
        }
    }

    /// The path the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            ShardError::NotFound { path }
            | ShardError::NotAFile { path, .. }
            | ShardError::PermissionDenied { path }
            | ShardError::Io { path, .. } => path,
        }
    }
}
