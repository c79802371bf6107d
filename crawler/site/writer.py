"""The only code of the build that writes to disk: one `Writer`, and `publish` around it.

`Writer` keeps every path inside its root and refuses to write a file twice (two stories that
would share a page are a bug to surface, not a page to overwrite silently).

`publish` gives the build a Writer on a folder beside `out_dir` and swaps it in only when the
whole site is written, so a reader or a crash never sees a half-written or missing site:

1. Under an exclusive `flock` on the parent folder (two builds never share temp folders), leftovers
   of a crashed build are dealt with first: if `out_dir` is missing but a moved-aside old site
   (`.<name>.old-*`) exists, that site is put back; then every `.<name>.new-*`/`.old-*` folder is
   deleted.
2. The build writes into `.<name>.new-<random>` (same file system, so renames are atomic): the
   spare (below) renamed, or a new folder. When `durable`, all of it reaches the disk before the
   swap: one `syncfs` of that file system where Linux has it (an fsync per file costs more than
   the rest of an incremental build), else an fsync of every file and folder.
3. If the build raises, the temp folder is deleted and `out_dir` is untouched.
4. Swap. On Linux, `renameat2(RENAME_EXCHANGE)` exchanges the two folders in one atomic step:
   `out_dir` is never absent, not even for a moment. Where that call is missing or the file system
   does not support it, `out_dir` is renamed aside to `.<name>.old-*` and the new folder renamed
   into place; a failure between the two renames is undone at once, and a crash between them is
   repaired by step 1 of the next build. Either way the old site becomes the spare.

An existing `out_dir` is replaced only if it is a real folder that is empty or holds an
`index.html` (a previous build): a mistyped `--out ~` must not delete someone's home.

Incremental builds: `publish` reads the previous site's manifest (under the lock) and hands it to
the Writer. A file whose bytes are unchanged, or a page the build knows to be unchanged (`reuse`),
is hard-linked from the previous site instead of written again: its inode and mtime stay, and the
swap stays atomic. No file is ever opened for writing once it exists, and a file the build
replaces is moved out of the way first (`Writer._discard`), so a linked file can never be changed
in place (which would change the live site too). `keep_previous` ends a build that found nothing
new: the live site is left exactly as it was.

The spare: the site a build replaces is kept beside it as `.<name>.spare` instead of being
deleted, and the next build starts from it. Most of its files are already the live site's own
(hard links), so that build only replaces what changed in the last two builds and deletes what is
gone (`Writer.finish`): linking ten thousand unchanged files into a new folder, then deleting the
old folder, costs more than the rest of a rebuild. Whatever else the spare holds is deleted before
the swap, so the published site is exactly what the build wrote.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import hashlib
import itertools
import logging
import os
import secrets
import shutil
import stat
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from crawler.site import paths
from crawler.site.forked import Forked
from crawler.site.manifest import FileRecord, Manifest, read_manifest

logger = logging.getLogger(__name__)

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = frozenset({errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})
_NOT_NAMES = frozenset({"", ".", ".."})  # path segments that are not names
# `reuse_many` links this many files or more in a forked process (a fork costs more than a
# few hundred links).
FORK_LINKS_FROM = 1000
TRASH = ".trash"  # in the root, for files of the spare being deleted (`Writer._discard`)


class WriteError(Exception):
    """A path the writer refuses, or an output folder it will not replace."""


def content_hash(payload: bytes) -> str:
    """128 bits of SHA-256, which processors with SHA extensions hash at three times BLAKE2's
    speed (7 us against 20 us for a story page)."""
    return hashlib.sha256(payload).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Share:
    """The files a forked copy of a writer wrote (`Writer.share`): their records, how many of
    them were linked from the previous site, and whether the root changed."""

    records: dict[str, FileRecord]
    linked: int
    touched: bool


class Writer:
    """Writes files below one root folder, each at most once.

    With a `previous` manifest and the folder it describes (the live site), files whose bytes
    are unchanged there are hard-linked from it instead of written. With `staged`, the root
    already holds a site (the spare, the one before the live one): a file there that is the live
    site's very file (same inode) is left as it is, and `finish` deletes what this build did not
    claim.
    """

    def __init__(
        self,
        root: Path,
        *,
        durable: bool = True,
        previous: Manifest | None = None,
        previous_root: Path | None = None,
        staged: bool = False,
    ) -> None:
        self.root = root
        self.durable = durable
        self.previous = previous if previous_root is not None else None
        self.previous_root = previous_root
        self.records: dict[str, FileRecord] = {}
        self.linked = 0
        self.kept = False
        self.touched = False  # whether anything the root held was changed or deleted
        self._real_root = root.resolve()
        self._root_prefix = str(root) + os.sep
        self._written: dict[str, str] = {}
        self._folders: dict[str, bool] = {}  # folder -> resolves inside the root
        self._made: set[str] = set()
        self._present = _inodes(root) if staged else {}
        self._live: dict[str, int | None] = {}  # see `_live_inode`
        self._previous_prefix = f"{previous_root}{os.sep}"
        self._trees: dict[int, dict[str, list[str]]] = {}  # see `_previous_tree`
        self.sync_wanted = False  # set by `publish` on a durable build (see `sync_ahead`)
        self._syncing: threading.Thread | None = None
        self._linking: list[Forked[list[bool]]] = []  # see `reuse_many`
        self._deleting: ThreadPoolExecutor | None = ThreadPoolExecutor(1)  # see `_discard`
        self._trash_names = itertools.count()
        self._trash_made = False

    @property
    def written(self) -> tuple[str, ...]:
        """The relative paths written (or linked) so far, sorted."""
        return tuple(sorted(self._written.values()))

    def _live_inode(self, relpath: str) -> int | None:
        """The inode of the previous site's file if it is as recorded (a regular file of the
        recorded size), else None: one stat per file, once per build."""
        if relpath in self._live:
            return self._live[relpath]
        record = self.previous.files.get(relpath) if self.previous is not None else None
        inode = file_inode(self._previous_prefix + relpath, record.size) if record else None
        self._live[relpath] = inode
        return inode

    def previous_intact(self) -> bool:
        """Whether every file of the previous site is still as its manifest records it."""
        return self.previous is not None and all(
            self._live_inode(p) is not None for p in self.previous.files
        )

    def _target(self, relpath: str) -> str:
        """The file's path (a string: this runs for every file of the site, pathlib is slow)."""
        if not relpath or "\\" in relpath or "\x00" in relpath or relpath.startswith("/"):
            raise WriteError(f"refusing to write {relpath!r}: not a relative POSIX path")
        parts = relpath.split("/")
        if not _NOT_NAMES.isdisjoint(parts):
            raise WriteError(f"refusing to write {relpath!r}: empty, '.' or '..' path segment")
        # Folders are resolved once each (a site has thousands of files in a few folders). The
        # file itself cannot be a symlink out: files are created with O_EXCL and links with
        # link(2), both of which refuse any existing name, symlinks included.
        folder = relpath.rpartition("/")[0]
        inside = self._folders.get(folder)
        if inside is None:
            inside = self.root.joinpath(*parts[:-1]).resolve().is_relative_to(self._real_root)
            self._folders[folder] = inside
        if not inside:
            raise WriteError(f"refusing to write {relpath!r}: outside {self.root}")
        return self._root_prefix + relpath

    def _claim(self, relpath: str) -> str:
        target = self._target(relpath)
        # Case-folded, so two names one case-insensitive file system would merge are caught too.
        key = relpath.casefold()
        if key in self._written:
            raise WriteError(f"refusing to write {relpath!r} twice (first: {self._written[key]!r})")
        self._written[key] = relpath
        folder = relpath.rpartition("/")[0]
        if folder not in self._made:
            os.makedirs(self._root_prefix + folder, exist_ok=True)
            self._made.add(folder)
        return target

    def _clear(self, relpath: str, target: str) -> None:
        """Make room for a new file: delete what the root held there (never write into it: the
        live site may share that file)."""
        if self._present.pop(relpath, None) is None:
            return
        self.touched = True
        self._discard(target)

    def _discard(self, target: str) -> None:
        """Delete a file of the spare. Freeing a file's blocks costs ext4 ten times what freeing
        its name does (0.25 ms): the file is renamed into the trash (`TRASH`) at once and
        deleted there by a thread while the build goes on; emptied before the swap (`finish`)."""
        if self._deleting is None:  # a forked copy, or the build's end: here and now
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)
            return
        trash = self._root_prefix + TRASH
        if not self._trash_made:
            os.makedirs(trash, exist_ok=True)
            self._trash_made = True
        discarded = f"{trash}/{next(self._trash_names)}"
        try:
            os.rename(target, discarded)
        except FileNotFoundError:
            return
        self._deleting.submit(os.unlink, discarded)

    def _link_previous(self, relpath: str, target: str, record: FileRecord) -> bool:
        """Have the previous site's copy of `relpath` here; False when it cannot be trusted."""
        inode = self._live_inode(relpath)
        if inode is None or self.previous is None or self.previous.files.get(relpath) != record:
            return False
        if self._present.get(relpath) != inode:
            self._clear(relpath, target)
            if not _link(self._previous_prefix + relpath, target):
                return False
            self.touched = True
        self.records[relpath] = record
        self.linked += 1
        return True

    def write(self, relpath: str, data: str | bytes) -> None:
        """Write one file (text as UTF-8); raise WriteError for a bad or repeated path.

        When the previous site has the very same bytes there, have that file (keep or link it).
        """
        self._put(relpath, self._claim(relpath), data)

    def _put(self, relpath: str, target: str, data: str | bytes) -> None:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        record = FileRecord(content_hash(payload), len(payload))
        if self._link_previous(relpath, target, record):
            return
        self._clear(relpath, target)
        _write_new(target, payload, relpath, durable=self.durable)
        self.touched = True
        self.records[relpath] = record
        logger.debug("wrote %s (%d bytes)", relpath, len(payload))

    def claim(self, relpaths: Iterable[str]) -> None:
        """Claim files that a forked copy of this writer will write (`write_claimed`)."""
        for relpath in relpaths:
            self._claim(relpath)

    def detach(self) -> None:
        """In a forked copy: from now on record only what this copy writes (`share`), and leave
        syncing to the original."""
        self.records, self.linked, self.touched = {}, 0, False
        self.sync_wanted = False
        self._deleting = None  # the original's thread is not in this process

    def write_claimed(self, relpath: str, data: str | bytes) -> None:
        """In a forked copy: write a file the original claimed, as `write` would.

        A file not claimed is refused: the original, not knowing it, would delete it as a
        leftover of the spare (`finish`)."""
        if self._written.get(relpath.casefold()) != relpath:
            raise WriteError(f"refusing to write {relpath!r}: not claimed")
        self._put(relpath, self._root_prefix + relpath, data)

    def share(self) -> Share:
        """What a forked copy wrote since `detach`, for the original to `merge`."""
        return Share(self.records, self.linked, self.touched)

    def merge(self, share: Share) -> None:
        """Take in what a forked copy wrote (files this writer claimed for it)."""
        self.records.update(share.records)
        self.linked += share.linked
        self.touched |= share.touched

    def reuse(self, relpath: str) -> bool:
        """Have the previous site's `relpath` as it is (the caller knows it is unchanged).

        False, with nothing claimed, when there is no trustworthy previous copy: write it then.
        """
        record = self.previous.files.get(relpath) if self.previous is not None else None
        inode = self._live_inode(relpath) if record is not None else None
        if record is None or inode is None:
            return False
        target = self._claim(relpath)
        if self._present.get(relpath) == inode:  # the spare holds the very file: nothing to do
            self.records[relpath] = record
            self.linked += 1
            return True
        if self._link_previous(relpath, target, record):
            return True
        del self._written[relpath.casefold()]
        return False

    def reuse_many(self, relpaths: Iterable[str]) -> Callable[[], list[str]]:
        """`reuse` each of these files; the function returned waits until that is done and gives
        those it could not (write them then).

        The bulk of a rebuild: the files the spare holds as the live site does (the same inode)
        are only claimed. The others are checked and linked; when there are many (after a full
        build, which leaves no spare, all of them), by a forked process while the caller goes
        on: ten thousand links take a third of a second.
        """
        if self.previous is None:
            left = list(relpaths)
            return lambda: left
        files, present, written = self.previous.files, self._present, self._written
        failed: list[str] = []
        to_link: list[tuple[str, str, int]] = []  # path, target, recorded size
        for relpath in relpaths:
            record = files.get(relpath)
            if record is None:
                failed.append(relpath)
                continue
            key = relpath.casefold()
            spare_inode = present.get(relpath)
            if spare_inode and key not in written and spare_inode == self._live_inode(relpath):
                written[key] = relpath
                self.records[relpath] = record
                self.linked += 1
                continue
            target = self._claim(relpath)
            self._clear(relpath, target)
            to_link.append((relpath, target, record.size))
        if not to_link:
            return lambda: failed
        link = functools.partial(_link_all, self._previous_prefix, to_link)
        if len(to_link) < FORK_LINKS_FROM:
            return functools.partial(self._take_links, to_link, link(), failed)
        linking = Forked(link, "links")
        self._linking.append(linking)
        return lambda: self._take_links(to_link, linking.result(), failed)

    def _take_links(
        self, to_link: list[tuple[str, str, int]], made: list[bool], failed: list[str]
    ) -> list[str]:
        """Record the files `_link_all` linked; the others, with those that `failed` before, are
        unclaimed and returned (to write)."""
        assert self.previous is not None
        for (relpath, *_), linked in zip(to_link, made, strict=True):
            if linked:
                self.records[relpath] = self.previous.files[relpath]
                self.linked += 1
                self.touched = True
            else:
                del self._written[relpath.casefold()]
                failed.append(relpath)
        return failed

    def reuse_tree(self, prefix: str) -> bool:
        """Have every previous file under `prefix/`, all or none (a tool's output, say)."""
        if self.previous is None:
            return False
        wanted = self._previous_tree(prefix.rstrip("/"))
        if not wanted or not all(self._live_inode(p) is not None for p in wanted):
            return False
        for relpath in wanted:
            if not self.reuse(relpath):
                self.discard_tree(prefix)
                return False
        return True

    def _previous_tree(self, folder: str) -> list[str]:
        """The previous site's files under `folder`, sorted; the files are grouped once per
        depth of folder (a build asks for a dozen search shards, the site has thousands of
        files)."""
        assert self.previous is not None
        depth = folder.count("/") + 1
        trees = self._trees.get(depth)
        if trees is None:
            trees = self._trees[depth] = defaultdict(list)
            for relpath in sorted(self.previous.files):
                parts = relpath.split("/", depth)
                if len(parts) > depth:
                    trees["/".join(parts[:depth])].append(relpath)
        return trees.get(folder, [])

    def discard_tree(self, prefix: str) -> None:
        """Forget and delete what is under `prefix/` in this build (to redo it afresh)."""
        start = prefix.rstrip("/") + "/"
        for relpath in [p for p in self.records if p.startswith(start)]:
            del self.records[relpath]
            del self._written[relpath.casefold()]
        for relpath in [p for p in self._present if p.startswith(start)]:
            del self._present[relpath]
        folder = self._target(prefix)
        if os.path.lexists(folder):
            self.touched = True
            shutil.rmtree(folder, ignore_errors=True)
        self._made.clear()

    def fresh_folder(self, prefix: str) -> Path:
        """An empty folder at `prefix/` for a tool to write into (see `adopt_tree`)."""
        self.discard_tree(prefix)
        folder = self._target(prefix)
        os.makedirs(folder)
        return Path(folder)

    def adopt_tree(self, prefix: str) -> int:
        """Record the files a tool wrote under `prefix/` (the search index), as if written here.

        Recorded by size only (an empty hash): such files are only ever reused as a whole tree
        (`reuse_tree`), never compared with new bytes, and hashing a large index costs seconds.
        """
        folder = self._target(prefix)
        count = 0
        for parent, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(parent, name)
                info = os.stat(path, follow_symlinks=False)
                if not stat.S_ISREG(info.st_mode):
                    continue
                relpath = os.path.relpath(path, self.root).replace(os.sep, "/")
                self._target(relpath)
                key = relpath.casefold()
                if key in self._written:
                    raise WriteError(f"{relpath!r} was already written by the build")
                self._written[key] = relpath
                self.records[relpath] = FileRecord("", info.st_size)
                if self.durable:
                    _fsync_path(Path(path))
                count += 1
        self.touched = True
        return count

    def finish(self) -> None:
        """Delete what the root held that this build did not claim (the spare's leftovers), and
        the folders that leaves empty, and the trash."""
        self._stop_deleting()
        claimed = set(self._written.values())
        folders = set()
        for relpath in [p for p in self._present if p not in claimed]:
            self._clear(relpath, self._root_prefix + relpath)
            folders.add(relpath.rpartition("/")[0])
        for folder in sorted(folders, key=len, reverse=True):
            while folder:
                try:
                    os.rmdir(self._root_prefix + folder)
                except OSError:  # not empty: it holds files of this build
                    break
                folder = folder.rpartition("/")[0]
        if self._trash_made:
            _remove_tree(Path(self._root_prefix + TRASH))

    def sync_ahead(self) -> None:
        """On a durable build, start writing what is written so far to disk, in the background,
        unless that is under way: the sync before the swap then has less left to wait for. A
        build calls this as it goes, so the disk writes while it renders."""
        if self.sync_wanted and (self._syncing is None or not self._syncing.is_alive()):
            self._syncing = threading.Thread(target=_sync_tree, args=(self.root,), daemon=True)
            self._syncing.start()

    def synced(self) -> None:
        """Wait for what runs in the background: a sync started by `sync_ahead`, links being
        made for `reuse_many` (whose failures its caller hears of), spare files being deleted
        (`_discard`)."""
        if self._syncing is not None:
            self._syncing.join()
        self._stop_deleting()
        for linking in self._linking:
            linking.stop()

    def _stop_deleting(self) -> None:
        """Wait for the files in the trash to be deleted; from now on, delete files at once."""
        if self._deleting is not None:
            self._deleting.shutdown(wait=True)
            self._deleting = None

    def keep_previous(self) -> None:
        """Leave the published site as it is: the build found nothing to change."""
        self.kept = True


def file_inode(path: str, size: int) -> int | None:
    """The inode of `path` if it is a regular file of this size, else None."""
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return info.st_ino if stat.S_ISREG(info.st_mode) and info.st_size == size else None


def _inodes(root: Path) -> dict[str, int]:
    """Every entry under `root` but folders, by relative path, with its inode (no stat)."""
    found: dict[str, int] = {}
    pending = [("", str(root))]
    while pending:
        relative, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = f"{relative}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    pending.append((name + "/", entry.path))
                else:
                    found[name] = entry.inode()
    return found


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


def _link(source: str, target: str) -> bool:
    """Hard-link `source` as `target`; False where that cannot be done (another file system, no
    hard links, too many links, the source gone since): the file is written instead."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as exc:
        logger.debug("cannot link %s (%s): writing it instead", target, exc)
        return False
    return True


def _link_all(prefix: str, files: list[tuple[str, str, int]]) -> list[bool]:
    """Link each previous file (`prefix` + path) to its target if it is as recorded (of its
    size); whether each link was made."""
    made = []
    for relpath, target, size in files:
        source = prefix + relpath
        made.append(file_inode(source, size) is not None and _link(source, target))
    return made


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems refuse fsync on folders; durability is best effort
        logger.debug("fsync %s: %s", path, exc)
    finally:
        os.close(fd)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """libc's syncfs (Linux), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def _write_new(target: str, payload: bytes, relpath: str, *, durable: bool) -> None:
    """Create `target` with these bytes; WriteError if it exists. Plain system calls: a build
    writes ten thousand files, and a Python file object added 18-20 us to each (45-50 us
    against 27-28 us for a story page's 8 KB, on tmpfs)."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except FileExistsError:
        raise WriteError(f"refusing to overwrite {relpath!r}") from None
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def _sync_tree(root: Path) -> None:
    """Everything under `root` on disk: one syncfs, or an fsync of every file and folder."""
    function = _syncfs()
    if function is not None:
        fd = os.open(root, os.O_RDONLY)
        try:
            if function(fd) == 0:
                return
            logger.debug("syncfs %s: %s", root, os.strerror(ctypes.get_errno()))
        finally:
            os.close(fd)
    for folder, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            _fsync_path(Path(folder, name))
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


def spare_path(out_dir: Path) -> Path:
    """Where the site before the live one is kept, as a head start for the next build."""
    return out_dir.parent / f".{out_dir.name}.spare"


def _swap_in(new: Path, out_dir: Path) -> None:
    """Put `new` at `out_dir` atomically; what was there becomes the spare."""
    if not out_dir.exists():
        os.rename(new, out_dir)
        return
    if exchange(new, out_dir):
        os.rename(new, spare_path(out_dir))  # it now holds the previous site
        return
    old = out_dir.parent / f".{out_dir.name}.old-{secrets.token_hex(8)}"
    os.rename(out_dir, old)
    try:
        os.rename(new, out_dir)
    except BaseException:
        os.rename(old, out_dir)
        raise
    os.rename(old, spare_path(out_dir))


def _staging(out_dir: Path, previous: Manifest | None) -> tuple[Path, bool]:
    """The folder to build in, and whether it is the spare (else it is a new, empty one).

    A spare is only ever a published site moved aside, so it has a manifest; one without (a
    folder someone else put there) is not built in.
    """
    spare = spare_path(out_dir)
    new = out_dir.parent / f".{out_dir.name}.new-{secrets.token_hex(8)}"
    usable = spare.is_dir() and not spare.is_symlink() and (spare / paths.MANIFEST).is_file()
    if previous is not None and usable:
        os.rename(spare, new)
        return new, True
    if os.path.lexists(spare):
        _remove_tree(spare)
    new.mkdir(mode=0o755)
    os.chmod(new, 0o755)  # whatever the umask: a web server must see the site
    return new, False


@contextlib.contextmanager
def publish(out_dir: Path, *, durable: bool = True, incremental: bool = True) -> Iterator[Writer]:
    """Yield a Writer on a folder beside `out_dir`; on a clean exit it atomically becomes
    `out_dir`, and the site it replaces becomes the spare.

    With `incremental`, the Writer gets the current site's manifest to reuse unchanged files,
    and the spare to build in.
    """
    out_dir = Path(os.path.abspath(out_dir))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out_dir.parent):
        _recover(out_dir)
        _check_replaceable(out_dir)
        previous = read_manifest(out_dir) if incremental and out_dir.is_dir() else None
        new, staged = _staging(out_dir, previous)
        writer = Writer(
            new,
            durable=False,  # synced as a whole below
            previous=previous,
            previous_root=out_dir if previous is not None else None,
            staged=staged,
        )
        writer.sync_wanted = durable
        try:
            try:
                yield writer
            finally:
                writer.synced()
            if writer.kept:
                if staged and not writer.touched:
                    os.rename(new, spare_path(out_dir))
                else:
                    _remove_tree(new)
                logger.info("nothing new: %s left as it was", out_dir)
                return
            writer.finish()
            if durable:
                _sync_tree(new)
            _swap_in(new, out_dir)
        except BaseException:
            _remove_tree(new)
            raise
        if durable:
            _fsync_path(out_dir.parent)
        logger.info(
            "published %s (%d files, %d unchanged)", out_dir, len(writer.records), writer.linked
        )
