"""Atomic file writes: write a temporary file beside the target, then rename it over.

A crash, a kill or a full disk never leaves a half-written checkpoint, record or table: the
old file stays until the new one is complete. OS errors become ``UserError`` messages that
name the file.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from gan3d_bench.errors import UserError

# mkstemp creates files readable by the owner only; results should get the usual mode.
_UMASK = os.umask(0)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK


def describe_os_error(error: OSError, path: Path | str) -> str:
    """A one-line explanation of a failed write, with what to do.

    Args:
        error: the OSError raised.
        path: the file that was being written.

    Returns:
        The message.
    """
    if error.errno == errno.ENOSPC:
        return f"no space left on the device while writing {path}; free some space and retry"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"cannot write {path}: permission denied; choose a writable folder "
                f"(--results DIR) or fix its permissions")
    return (f"cannot write {path}: {error.strerror or error}; choose a writable folder "
            f"(--results DIR)")


@contextlib.contextmanager
def atomic_open(path: Path | str) -> Iterator[BinaryIO]:
    """Opens a temporary file that replaces ``path`` when the block exits without error.

    Args:
        path: the final file name.

    Yields:
        A binary file object.

    Raises:
        UserError: when the folder cannot be written or the disk is full; ``path`` is then
            left as it was.
    """
    path = Path(path)
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, _FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as error:
        raise UserError(describe_os_error(error, path)) from error
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def write_bytes(path: Path | str, data: bytes) -> None:
    """Writes ``data`` to ``path`` atomically."""
    with atomic_open(path) as handle:
        handle.write(data)


def write_text(path: Path | str, text: str) -> None:
    """Writes ``text`` (UTF-8) to ``path`` atomically."""
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path | str, obj) -> None:
    """Writes ``obj`` as indented JSON to ``path`` atomically."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=False, allow_nan=True) + "\n")


def write_with(path: Path | str, writer: Callable[[BinaryIO], None]) -> None:
    """Lets ``writer`` fill a buffer, then writes it to ``path`` atomically.

    Args:
        path: the final file name.
        writer: called with a binary file object (``torch.save``, ``PIL.Image.save``...).
    """
    buffer = io.BytesIO()
    writer(buffer)
    write_bytes(path, buffer.getvalue())


def append_line(path: Path | str, line: str) -> None:
    """Appends one line to a log file (not atomic; logs are rebuilt from checkpoints).

    Args:
        path: the log file.
        line: the text, without the newline.
    """
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    except OSError as error:
        raise UserError(describe_os_error(error, path)) from error


def check_writable(folder: Path | str) -> None:
    """Fails early, with a clear message, when ``folder`` cannot be created or written.

    Args:
        folder: the folder that results will go to.

    Raises:
        UserError: naming the folder and what to do.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise UserError(describe_os_error(error, folder)) from error
