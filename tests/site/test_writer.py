import os
from pathlib import Path

import pytest

from crawler.site import writer as writer_module
from crawler.site.manifest import Manifest
from crawler.site.writer import WriteError, Writer, exchange, publish


def test_writer_writes_text_and_bytes(tmp_path: Path) -> None:
    w = Writer(tmp_path)
    w.write("a/b/c.html", "Über")
    w.write("d.bin", b"\x00\x01")
    assert (tmp_path / "a/b/c.html").read_bytes() == "Über".encode()
    assert (tmp_path / "d.bin").read_bytes() == b"\x00\x01"
    assert w.written == ("a/b/c.html", "d.bin")


@pytest.mark.parametrize(
    "bad", ["../x.html", "a/../../x", "/etc/passwd", "", "a//b", "./a", "a\\b", "a\x00b"]
)
def test_writer_refuses_paths_outside_or_odd(tmp_path: Path, bad: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(WriteError):
        Writer(root).write(bad, "x")
    assert not (tmp_path / "x.html").exists()


def test_writer_refuses_a_symlink_escape(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(WriteError):
        Writer(root).write("link/escaped.html", "x")
    assert not (tmp_path / "escaped.html").exists()


def test_writer_refuses_to_write_a_file_twice(tmp_path: Path) -> None:
    w = Writer(tmp_path)
    w.write("index.html", "first")
    with pytest.raises(WriteError, match="twice"):
        w.write("index.html", "second")
    with pytest.raises(WriteError, match="twice"):
        w.write("INDEX.html", "second")  # one file on a case-insensitive file system
    assert (tmp_path / "index.html").read_text() == "first"


def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "f").write_text("a")
    (b / "f").write_text("b")
    if not exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) not available here")
    assert (a / "f").read_text() == "b"
    assert (b / "f").read_text() == "a"


def _site(out: Path, text: str) -> None:
    with publish(out, durable=False) as w:
        w.write("index.html", text)
        w.write(f"{text}.html", text)


def test_publish_creates_then_replaces_completely(tmp_path: Path) -> None:
    out = tmp_path / "output"
    _site(out, "one")
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "one.html"]
    assert out.stat().st_mode & 0o777 == 0o755
    _site(out, "two")
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "two.html"]
    # no temp folders left; the site it replaced is kept as the spare for the next build
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.spare", "output"]
    assert sorted(p.name for p in (tmp_path / ".output.spare").iterdir()) == [
        "index.html",
        "one.html",
    ]


def test_publish_fallback_without_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_module, "exchange", lambda a, b: False)
    out = tmp_path / "output"
    _site(out, "one")
    _site(out, "two")
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "two.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.spare", "output"]


def test_publish_fallback_undoes_a_failed_second_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "output"
    _site(out, "one")
    monkeypatch.setattr(writer_module, "exchange", lambda a, b: False)
    real_rename = os.rename

    def rename(src: os.PathLike[str], dst: os.PathLike[str]) -> None:
        if Path(src).name.startswith(".output.new-"):
            raise OSError("disk on fire")
        real_rename(src, dst)

    monkeypatch.setattr(writer_module.os, "rename", rename)
    with pytest.raises(OSError, match="disk on fire"):
        _site(out, "two")
    assert (out / "one.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_failed_build_leaves_the_old_site_and_no_temp(tmp_path: Path) -> None:
    out = tmp_path / "output"
    _site(out, "one")
    with pytest.raises(RuntimeError), publish(out, durable=False) as w:
        w.write("index.html", "half")
        raise RuntimeError("render failed")
    assert (out / "index.html").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_next_build_recovers_from_a_crash_between_renames(tmp_path: Path) -> None:
    out = tmp_path / "output"
    _site(out, "one")
    # what a crash in the fallback leaves: the old site moved aside, a new one half-written
    os.rename(out, tmp_path / ".output.old-abc")
    (tmp_path / ".output.new-xyz").mkdir()
    (tmp_path / ".output.new-xyz" / "partial.html").write_text("half")
    with pytest.raises(RuntimeError), publish(out, durable=False):
        assert (out / "one.html").exists()  # restored before the build writes anything
        raise RuntimeError("fail again")
    assert (out / "one.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_publish_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tex").write_text("precious")
    with pytest.raises(WriteError, match=r"index\.html"):
        _site(home, "one")
    assert (home / "thesis.tex").read_text() == "precious"
    empty = tmp_path / "empty"
    empty.mkdir()
    _site(empty, "one")
    assert (empty / "one.html").exists()


def test_publish_refuses_a_file_or_symlink(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(WriteError):
        _site(tmp_path / "file", "one")
    (tmp_path / "target").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "target")
    with pytest.raises(WriteError):
        _site(tmp_path / "link", "one")


def test_durable_publish(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "output"
    with publish(out) as w:
        w.write("index.html", "x")
    assert (out / "index.html").read_text() == "x"


def test_durable_publish_without_syncfs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_module, "_syncfs", lambda: None)  # then every file is fsync'ed
    out = tmp_path / "output"
    with publish(out) as w:
        w.write("a/index.html", "x")
        w.write("index.html", "y")
    assert (out / "a/index.html").read_text() == "x"


def test_publish_reuses_unchanged_files_by_hard_link(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with publish(out, durable=False) as w:
        w.write("index.html", "home")
        w.write("same.html", "same")
        w.write(".manifest.json", Manifest(key="k", files=dict(w.records)).to_bytes())
    inode = (out / "same.html").stat().st_ino
    with publish(out, durable=False) as w:
        assert w.previous is not None and w.previous.key == "k"
        w.write("index.html", "home, changed")
        w.write("same.html", "same")  # same bytes: linked, not written
        assert w.reuse("gone.html") is False  # never written before: the caller must write it
    assert (out / "same.html").stat().st_ino == inode
    assert (out / "index.html").read_text() == "home, changed"


def test_keep_previous_leaves_the_site_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "output"
    _site(out, "one")
    inode = out.stat().st_ino
    with publish(out, durable=False) as w:
        w.write("index.html", "two")
        w.keep_previous()
    assert out.stat().st_ino == inode and (out / "index.html").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_a_planted_symlink_is_never_linked_into_the_new_site(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with publish(out, durable=False) as w:
        w.write("index.html", "home")
        w.write("page.html", "page")
        w.write(".manifest.json", Manifest(key="k", files=dict(w.records)).to_bytes())
    secret = tmp_path / "secret"
    secret.write_text("page")  # same size as the recorded page
    (out / "page.html").unlink()
    (out / "page.html").symlink_to(secret)
    with publish(out, durable=False) as w:
        assert w.reuse("page.html") is False
        w.write("page.html", "page")
    assert not (out / "page.html").is_symlink()


def _manifested(out: Path, files: dict[str, str]) -> None:
    with publish(out, durable=False) as w:
        for path, text in files.items():
            w.write(path, text)
        w.write(".manifest.json", Manifest(key="k", files=dict(w.records)).to_bytes())


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in root.rglob("*")
        if p.is_file() and p.name != ".manifest.json"
    }


def test_a_rebuild_starts_from_the_spare_and_touches_only_what_changed(tmp_path: Path) -> None:
    out, spare = tmp_path / "output", tmp_path / ".output.spare"
    _manifested(out, {"index.html": "one", "a.html": "a", "gone/g.html": "g", "b.html": "b"})
    _manifested(out, {"index.html": "two", "a.html": "a", "b.html": "b, changed"})
    assert _tree(spare) == {"index.html": "one", "a.html": "a", "gone/g.html": "g", "b.html": "b"}
    (spare / "junk.html").write_text("planted")
    before = {name: (out / name).stat().st_ino for name in ("a.html", "b.html")}
    third = {"index.html": "three", "a.html": "a", "b.html": "b, changed", "new/n.html": "n"}
    _manifested(out, third)
    assert _tree(out) == third  # no leftover of the spare, nothing planted there
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".manifest.json"]
    assert {name: (out / name).stat().st_ino for name in before} == before  # not rewritten
    assert _tree(spare) == {"index.html": "two", "a.html": "a", "b.html": "b, changed"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.spare", "output"]


def test_whatever_the_spare_holds_the_new_site_is_what_was_written(tmp_path: Path) -> None:
    out, spare = tmp_path / "output", tmp_path / ".output.spare"
    _manifested(out, {"index.html": "one", "old.html": "old"})
    _manifested(out, {"index.html": "two"})
    (spare / ".manifest.json").write_text("{broken")
    _manifested(out, {"index.html": "three"})
    assert _tree(out) == {"index.html": "three"}


def test_a_file_defaced_in_both_sites_is_written_again(tmp_path: Path) -> None:
    out = tmp_path / "output"
    _manifested(out, {"index.html": "one", "page.html": "page"})
    _manifested(out, {"index.html": "two", "page.html": "page"})
    (out / "page.html").write_text("defaced!")  # the spare shares this file
    _manifested(out, {"index.html": "three", "page.html": "page"})
    assert (out / "page.html").read_text() == "page"


def test_a_failed_build_drops_the_spare_and_leaves_the_site(tmp_path: Path) -> None:
    out = tmp_path / "output"
    _manifested(out, {"index.html": "one", "a.html": "a"})
    _manifested(out, {"index.html": "two", "a.html": "a"})
    with pytest.raises(RuntimeError), publish(out, durable=False) as w:
        w.write("index.html", "half")
        raise RuntimeError("render failed")
    assert _tree(out) == {"index.html": "two", "a.html": "a"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
    _manifested(out, {"index.html": "three"})
    assert _tree(out) == {"index.html": "three"}


def test_nothing_new_keeps_the_spare(tmp_path: Path) -> None:
    out, spare = tmp_path / "output", tmp_path / ".output.spare"
    _manifested(out, {"index.html": "one"})
    _manifested(out, {"index.html": "two"})
    inode = spare.stat().st_ino
    with publish(out, durable=False) as w:
        w.keep_previous()
    assert spare.stat().st_ino == inode and (spare / "index.html").read_text() == "one"
    assert (out / "index.html").read_text() == "two"


def test_a_forked_copy_writes_only_what_the_original_claimed(tmp_path: Path) -> None:
    writer = Writer(tmp_path / "site")
    (tmp_path / "site").mkdir()
    writer.claim(["a.html"])
    writer.detach()
    writer.write_claimed("a.html", "claimed")
    with pytest.raises(WriteError, match="not claimed"):
        writer.write_claimed("b.html", "never claimed")
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["a.html"]
