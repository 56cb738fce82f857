"""Durable file primitives of the embedded store: atomic replacement, the journal, the writer's lock.

A file that is rewritten in place is unreadable if the process dies half
way (TinyDB's own JSON storage does this). Here a file is only ever
replaced whole: written to a temporary file in the same folder, flushed and
fsynced, renamed over the old one with `os.replace`, and the folder fsynced
so the rename itself survives a power cut. The journal is append-only;
each line carries a CRC-32 of its content, so a line cut short by a crash
is recognised and ignored. Every OS error becomes a `StoreError` naming
the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import threading
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pydantic_core import from_json, to_json

from runtime.errors import StoreError

_sync_data = getattr(os, "fdatasync", os.fsync)
_SYNC_WAITS = sys.platform == "linux"  # Linux's sync() returns once everything is on disk (sync(2))
_MANY_FILES = 64
_WRITERS = 8


@contextlib.contextmanager
def io_errors(path: Path, action: str) -> Iterator[None]:
    """Turn an OSError while doing `action` on `path` into a StoreError that says what to check."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or str(error)
        raise StoreError(f"cannot {action} {path}: {reason}; check free disk space and permissions") from error


def temp_path(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


def write_synced(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Create (or truncate) `path`, write `data` and (unless told not to) fsync it."""
    with io_errors(path, "write"):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            _write_all(fd, data)
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)


def fsync_directory(path: Path) -> None:
    """Make renames and new files in the folder `path` durable."""
    with io_errors(path, "sync the folder"):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def make_directory(path: Path) -> None:
    """Create `path` and any missing parents, each made durable in its own parent."""
    if path.is_dir():
        return
    make_directory(path.parent)
    with io_errors(path, "create the folder"):
        path.mkdir(exist_ok=True)
    fsync_directory(path.parent)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` by `data` so that a crash leaves either the old or the new file, never a mix."""
    temp = temp_path(path)
    write_synced(temp, data)
    with io_errors(path, "replace"):
        os.replace(temp, path)
    fsync_directory(path.parent)


def replace_files(contents: list[tuple[Path, bytes]]) -> None:
    """Replace every file like `atomic_write`; when this returns, all of them are durable.

    Many files (a checkpoint after a busy hour, an import) are not fsynced
    one by one on Linux, whose `sync()` waits until everything is on disk:
    write all temporary files, one sync, rename them all, one sync. Else the
    files are written and fsynced by a few threads, which lets the disk
    group the flushes.
    """
    folders = sorted({path.parent for path, _ in contents})
    for folder in folders:
        make_directory(folder)
    if len(contents) >= _MANY_FILES and _SYNC_WAITS:
        for path, data in contents:
            write_synced(temp_path(path), data, sync=False)
        os.sync()
        _rename_temporaries(contents)
        os.sync()
        return
    with ThreadPoolExecutor(_WRITERS) as pool:
        list(pool.map(lambda item: write_synced(temp_path(item[0]), item[1]), contents))
        _rename_temporaries(contents)
        list(pool.map(fsync_directory, folders))


def _rename_temporaries(contents: list[tuple[Path, bytes]]) -> None:
    for path, _ in contents:
        with io_errors(path, "replace"):
            os.replace(temp_path(path), path)


def read_bytes(path: Path) -> bytes | None:
    """The file's content, or None if there is no such file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror}; check the file's permissions") from error


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# Checksummed lines -------------------------------------------------------------


def encode_line(record: Any) -> bytes:
    """`record` as one line: eight hex digits of CRC-32, a space, compact JSON, a newline."""
    payload = to_json(record)
    return b"%08x " % zlib.crc32(payload) + payload + b"\n"


def decode_line(line: bytes) -> Any:
    """The record of a line made by `encode_line`; ValueError if it is cut short or damaged."""
    line = line.rstrip(b"\n")
    if len(line) < 10 or line[8:9] != b" ":
        raise ValueError("too short")
    payload = line[9:]
    if int(line[:8], 16) != zlib.crc32(payload):
        raise ValueError("checksum mismatch")
    return from_json(payload)


# The journal -------------------------------------------------------------------------


def read_journal(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """The committed records of the journal, and whether a cut-off last line was ignored.

    Only the last line can be cut off by a crash (it had not been
    acknowledged); a damaged line with intact lines after it means the file
    was damaged later, and is refused rather than silently dropping commits.
    """
    data = read_bytes(path) or b""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    records: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        try:
            record = decode_line(line)
            if not isinstance(record, dict) or not isinstance(record.get("seq"), int):
                raise ValueError("not a transaction")
        except ValueError as error:
            if number == len(lines):
                return records, True
            raise StoreError(
                f"{path} is damaged at line {number} ({error}) although later lines are intact; "
                "restore the data folder from a backup, or move the journal aside to lose the "
                "steps committed since the last checkpoint") from error
        records.append(record)
    return records, False


class Journal:
    """The write-ahead journal, open for appending, with group commit.

    `write` appends a transaction's line (the caller holds the store's lock, so
    lines go in commit order) and returns its ticket; `wait_durable(ticket)`,
    called without that lock, returns once the line is on disk. One thread at a
    time runs `fdatasync`; lines written meanwhile queue and share the next one,
    so many writers pay one disk flush between them, and each is acknowledged
    only after a flush that began after its own line was written.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        existed = path.exists()
        with io_errors(path, "open"):
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            self.size = os.fstat(self._fd).st_size
        if not existed:
            fsync_directory(path.parent)
        self._flushes = threading.Condition()
        self._written = 0  # tickets handed out: lines written to the file
        self._durable = 0  # lines known to be on disk
        self._flushing = False
        self._failure = ""

    def write(self, line: bytes) -> int:
        """Append one transaction without waiting for the disk; its ticket for `wait_durable`. On failure the
        journal is cut back to before the line."""
        try:
            _write_all(self._fd, line)
        except OSError as error:
            self._cut_back()
            raise StoreError(f"cannot write {self.path}: {error.strerror}; nothing of this step was "
                             "saved; check free disk space") from error
        self.size += len(line)
        with self._flushes:
            self._written += 1
            return self._written

    def wait_durable(self, ticket: int) -> None:
        """Return once the line of `ticket` is on disk: flush, or wait for the flush that covers it."""
        with self._flushes:
            while self._durable < ticket:
                if self._failure:
                    raise StoreError(self._failure)
                if self._flushing:
                    self._flushes.wait()
                    continue
                self._flush()

    def _flush(self) -> None:
        """Run one fdatasync (holding `_flushes` on entry and exit, not during it) for every line written so far."""
        self._flushing = True
        covered = self._written
        self._flushes.release()
        try:
            _sync_data(self._fd)
        except OSError as error:
            self._failure = (f"cannot flush {self.path} to disk: {error.strerror}; the steps waiting for it may or may "
                             "not have been saved: restart Flowdesk, which recovers what the journal holds")
        finally:
            self._flushes.acquire()
            self._flushing = False
            self._flushes.notify_all()
        if self._failure:
            raise StoreError(self._failure)
        self._durable = max(self._durable, covered)

    def _cut_back(self) -> None:
        with io_errors(self.path, "repair the end of"):
            os.ftruncate(self._fd, self.size)
            os.fsync(self._fd)

    def clear(self) -> None:
        """Empty the journal once a checkpoint has made its lines redundant (and so every line durable)."""
        with io_errors(self.path, "empty"):
            os.ftruncate(self._fd, 0)
            os.fsync(self._fd)
        self.size = 0
        with self._flushes:
            self._durable = self._written
            self._flushes.notify_all()

    def close(self) -> None:
        """Close the file once no flush runs on it; a line still waiting for one fails its writer."""
        with self._flushes:
            while self._flushing:
                self._flushes.wait()
            if self._durable < self._written:
                self._failure = f"{self.path} was closed before the last steps were on disk; restart Flowdesk"
                self._flushes.notify_all()
            os.close(self._fd)


# The writer's lock ----------------------------------------------------------------------


class WriterLock:
    """An exclusive `flock` on `store.lock` holding the writer's pid, released on close or exit."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    @classmethod
    def acquire(cls, directory: Path) -> WriterLock:
        path = directory / "store.lock"
        with io_errors(path, "open"):
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise StoreError(f"the data folder {directory} is in use by another Flowdesk process "
                             f"(pid {holder}); stop it or use another --data folder") from error
        except OSError as error:
            os.close(fd)
            raise StoreError(f"cannot lock {path}: {error.strerror}; use a local disk for the data folder "
                             "(network file systems may not support locks)") from error
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(fd)

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
