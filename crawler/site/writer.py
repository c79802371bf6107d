"""The only code of the build that writes to disk: one `Writer`, and `publish` around it.

`Writer` keeps every path inside its root and refuses to write a file twice (two stories that
would share a page are a bug to surface, not a page to overwrite silently).

`publish` gives the build a Writer on a fresh folder beside `out_dir` and swaps it in only when
the whole site is written, so a reader or a crash never sees a half-written or missing site:

1. Under an exclusive `flock` on the parent folder (two builds never share temp folders), leftovers
   of a crashed build are dealt with first: if `out_dir` is missing but a moved-aside old site
   (`.<name>.old-*`) exists, that site is put back; then every `.<name>.new-*`/`.old-*` folder is
   deleted.
2. The build writes into `.<name>.new-<random>` (same file system, so renames are atomic); every
   file and folder is fsync'ed before the swap when `durable`.
3. If the build raises, the temp folder is deleted and `out_dir` is untouched.
4. Swap. On Linux, `renameat2(RENAME_EXCHANGE)` exchanges the two folders in one atomic step:
   `out_dir` is never absent, not even for a moment. Where that call is missing or the file system
   does not support it, `out_dir` is renamed aside to `.<name>.old-*` and the new folder renamed
   into place; a failure between the two renames is undone at once, and a crash between them is
   repaired by step 1 of the next build. Either way the old site is then deleted.

An existing `out_dir` is replaced only if it is a real folder that is empty or holds an
`index.html` (a previous build): a mistyped `--out ~` must not delete someone's home.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import logging
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = frozenset({errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})


class WriteError(Exception):
    """A path the writer refuses, or an output folder it will not replace."""


class Writer:
    """Writes files below one root folder, each at most once."""

    def __init__(self, root: Path, *, durable: bool = True) -> None:
        self.root = root
        self.durable = durable
        self._real_root = root.resolve()
        self._written: dict[str, str] = {}

    @property
    def written(self) -> tuple[str, ...]:
        """The relative paths written so far, sorted."""
        return tuple(sorted(self._written.values()))

    def _target(self, relpath: str) -> Path:
        if not relpath or "\\" in relpath or "\x00" in relpath or relpath.startswith("/"):
            raise WriteError(f"refusing to write {relpath!r}: not a relative POSIX path")
        parts = relpath.split("/")
        if any(part in ("", ".", "..") for part in parts):
            raise WriteError(f"refusing to write {relpath!r}: empty, '.' or '..' path segment")
        target = self.root.joinpath(*parts)
        if not target.resolve().is_relative_to(self._real_root):
            raise WriteError(f"refusing to write {relpath!r}: outside {self.root}")
        return target

    def write(self, relpath: str, data: str | bytes) -> Path:
        """Write one file (text as UTF-8); raise WriteError for a bad or repeated path."""
        target = self._target(relpath)
        # Case-folded, so two names one case-insensitive file system would merge are caught too.
        key = relpath.casefold()
        if key in self._written:
            raise WriteError(f"refusing to write {relpath!r} twice (first: {self._written[key]!r})")
        self._written[key] = relpath
        payload = data.encode("utf-8") if isinstance(data, str) else data
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(target, "xb") as file:
                file.write(payload)
                if self.durable:
                    file.flush()
                    os.fsync(file.fileno())
        except FileExistsError:
            raise WriteError(f"refusing to overwrite {relpath!r}") from None
        logger.debug("wrote %s (%d bytes)", relpath, len(payload))
        return target


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """libc's renameat2 (glibc >= 2.28), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def exchange(first: Path, second: Path) -> bool:
    """Atomically swap two existing paths; False when the system cannot (then nothing moved)."""
    function = _renameat2()
    if function is None:
        return False
    result = function(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        logger.info("renameat2(RENAME_EXCHANGE) unsupported here (%s)", os.strerror(code))
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems refuse fsync on folders; durability is best effort
        logger.debug("fsync %s: %s", path, exc)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for folder, _dirs, _files in os.walk(root, topdown=False):
        _fsync_path(Path(folder))


def _remove_tree(path: Path) -> None:
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        logger.warning("could not delete %s (the next build retries): %s", path, exc)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive flock on a folder, where the platform has flock; else no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _recover(out_dir: Path) -> None:
    """Undo what a crashed build left: put a moved-aside site back, delete temp folders."""
    parent, name = out_dir.parent, out_dir.name
    olds = sorted(parent.glob(f".{name}.old-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not out_dir.exists() and olds:
        logger.warning("restoring %s from %s left by an interrupted build", out_dir, olds[0])
        os.rename(olds[0], out_dir)
        olds = olds[1:]
    for leftover in [*olds, *parent.glob(f".{name}.new-*")]:
        logger.info("deleting %s left by an earlier build", leftover)
        _remove_tree(leftover)


def _check_replaceable(out_dir: Path) -> None:
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise WriteError(f"refusing to replace {out_dir}: not a real folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "index.html").is_file():
        raise WriteError(
            f"refusing to replace {out_dir}: not empty and holds no index.html of a previous build"
        )


def _swap_in(new: Path, out_dir: Path) -> None:
    """Put `new` at `out_dir` atomically and delete whatever was there."""
    if not out_dir.exists():
        os.rename(new, out_dir)
        return
    if exchange(new, out_dir):
        _remove_tree(new)  # it now holds the previous site
        return
    old = out_dir.parent / f".{out_dir.name}.old-{secrets.token_hex(8)}"
    os.rename(out_dir, old)
    try:
        os.rename(new, out_dir)
    except BaseException:
        os.rename(old, out_dir)
        raise
    _remove_tree(old)


@contextlib.contextmanager
def publish(out_dir: Path, *, durable: bool = True) -> Iterator[Writer]:
    """Yield a Writer on a fresh folder; on a clean exit it atomically becomes `out_dir`."""
    out_dir = Path(os.path.abspath(out_dir))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out_dir.parent):
        _recover(out_dir)
        _check_replaceable(out_dir)
        new = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
        os.chmod(new, 0o755)  # mkdtemp's 0700 would hide the site from a web server
        try:
            yield Writer(new, durable=durable)
            if durable:
                _fsync_tree(new)
            _swap_in(new, out_dir)
        except BaseException:
            _remove_tree(new)
            raise
        if durable:
            _fsync_path(out_dir.parent)
        logger.info("published %s", out_dir)
