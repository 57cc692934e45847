"""Reading files that may be hostile: regular files only, never blocking, never past a limit.

A path can name a named pipe (opening it waits for a writer that may never
come), a device (``/dev/zero`` never ends) or a sparse file of terabytes.
Model directories and the files found in input folders are read through
:func:`open_regular` and :func:`read_at_most`, so none of these can hang a
run or fill the memory.
"""

from __future__ import annotations

import os
import stat
from typing import IO

from autoclass.errors import AutoclassError

_BLOCK = 1 << 20
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class RefusedFileError(AutoclassError, OSError):
    """A path autoclass will not read as a file: a named pipe, a device, a socket or a directory."""


def file_kind(mode: int) -> str:
    """What a ``st_mode`` names, in words.

    Examples
    --------
    >>> file_kind(os.stat(".").st_mode)
    'a directory'
    """
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def _refuse(path: str | os.PathLike, mode: int) -> RefusedFileError:
    return RefusedFileError(f"{os.fspath(path)} is not a regular file ({file_kind(mode)})")


def open_regular(path: str | os.PathLike, *, buffering: int = -1) -> IO[bytes]:
    """Open ``path`` for reading in binary mode if it is a regular file (symbolic links followed).

    The file is checked before it is opened, so a device is never opened,
    and again once open (non-blocking, so that a named pipe put there in
    between cannot hang the open), so the check holds for what is read.

    Parameters
    ----------
    path : str or path-like
        The file.
    buffering : int
        As :func:`open` takes it.

    Returns
    -------
    binary file
        Open for reading; the caller closes it.

    Raises
    ------
    RefusedFileError
        If ``path`` is a named pipe, a device, a socket or a directory.
    OSError
        If it cannot be opened.

    Examples
    --------
    >>> open_regular(".")
    Traceback (most recent call last):
    ...
    autoclass.files.RefusedFileError: . is not a regular file (a directory)
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise _refuse(path, mode)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _refuse(path, mode)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=buffering)
    except BaseException:
        os.close(fd)
        raise


def open_input(path: str | os.PathLike, *, found_in_folder: bool, buffering: int = -1) -> IO[bytes]:
    """Open an input file in binary mode: a file found in a folder only if it is regular.

    A path the user named is opened as given (``<(cmd)`` and named pipes are
    read); one found by walking a folder goes through :func:`open_regular`, so
    a named pipe or device lying there cannot hang the run.
    """
    if found_in_folder:
        return open_regular(path, buffering=buffering)
    return open(path, "rb", buffering=buffering)  # noqa: SIM115 - the caller closes it


def read_at_most(f: IO[bytes], limit: int) -> bytes:
    """Read ``f`` to its end, or to ``limit + 1`` bytes if it is longer than ``limit``.

    Read in blocks, so that a large ``limit`` allocates nothing up front
    (``f.read(n)`` reserves ``n`` bytes before it reads).

    Examples
    --------
    >>> import io
    >>> read_at_most(io.BytesIO(b"abcdef"), 3), read_at_most(io.BytesIO(b"abc"), 3)
    (b'abcd', b'abc')
    """
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        block = f.read(min(_BLOCK, limit + 1 - size))
        if not block:
            break
        parts.append(block)
        size += len(block)
    return b"".join(parts)


def read_regular(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit + 1`` of them.

    More than ``limit`` bytes returned means that the file is longer than
    ``limit``; the rest is not read.

    Raises
    ------
    RefusedFileError
        If ``path`` is not a regular file.
    OSError
        If it cannot be read.
    """
    with open_regular(path, buffering=0) as f:
        return read_at_most(f, limit)
