from __future__ import annotations

import codecs
import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from flows.config.errors import InputNotFound
from flows.readers.sources import InputStream, expand_paths, read_inputs
from tests.conftest import ROOT


def test_directory_glob_and_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("A", encoding="utf-8")
    (tmp_path / "sub" / "b.md").write_text("B", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("H", encoding="utf-8")
    (tmp_path / "c.csv").write_text("C", encoding="utf-8")
    found = expand_paths([str(tmp_path)])
    assert sorted(f.source_id for f in found.files) == ["a.txt", "sub/b.md"] and found.hidden == 1
    assert [(r.reason, Path(r.source).name) for r in found.rejects] == [("unsupported_type", "c.csv")]
    found = expand_paths([str(tmp_path / "sub" / "b.md"), str(tmp_path / "*.txt")])
    assert sorted(f.source_id for f in found.files) == ["a.txt", "b.md"]
    found = expand_paths([str(tmp_path), str(tmp_path / "a.txt")])
    assert len(found.files) == 2  # the same file given twice is read once


def test_links_and_paths_leaving_the_root_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("S", encoding="utf-8")
    root = tmp_path / "in"
    (root / "sub" / "inner").mkdir(parents=True)
    (root / "ok.txt").write_text("A", encoding="utf-8")
    (root / "link.txt").symlink_to(outside / "secret.txt")
    (root / "linkdir").symlink_to(outside)
    found = expand_paths([str(root)])
    assert [f.source_id for f in found.files] == ["ok.txt"]
    assert sorted((Path(r.source).name, r.reason) for r in found.rejects) == [
        ("link.txt", "symlink"),
        ("linkdir", "symlink"),
    ]
    found = expand_paths([str(root / "sub" / ".." / ".." / "outside" / "*.txt")])
    assert [f.path.name for f in found.files] == ["secret.txt"]  # a glob given outright is its own root
    found = expand_paths([str(root / "sub" / "*" / ".." / ".." / ".." / "outside" / "*.txt")])
    assert found.files == [] and [r.reason for r in found.rejects] == ["outside_root"]  # '..' climbs out of sub/


def test_files_over_the_limit_are_refused_unread(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x " * 5000, encoding="utf-8")
    (tmp_path / "small.txt").write_text("Five soldiers died in Mosul.", encoding="utf-8")
    found = read_inputs([str(tmp_path)], max_bytes=1000)
    assert [d.source_id for d in found.documents] == ["small.txt"]
    [big] = found.rejects
    assert big.reason == "too_large" and "NEWSETL_MAX_FILE_MB" in big.detail
    assert found.inputs == 2


def test_missing_inputs_are_errors(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound, match="no such file"):
        expand_paths([str(tmp_path / "nope")])
    with pytest.raises(InputNotFound, match="no file matches"):
        expand_paths([str(tmp_path / "*.nothing")])


def test_jsonl_fields_and_metadata(tmp_path: Path) -> None:
    recs = [
        {
            "id": 7,
            "text": "T",
            "title": "Head",
            "published": "2017-11-17T10:00:00Z",
            "source": "CENTCOM",
            "source_url": "http://x",
            "licence": "public domain",
        },
        {"id": "b", "text": "U", "published": "17 November 2017"},
        {"id": "c", "text": "V", "published": "last Tuesday"},
    ]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in recs), encoding="utf-8")
    found = read_inputs([str(tmp_path)])
    a, b, c = found.documents
    assert (a.source_id, a.title, a.source_name, a.url) == ("7", "Head", "CENTCOM", "http://x")
    assert a.published_at is not None and a.published_at.hour == 10
    assert json.loads(a.metadata or "{}") == {"licence": "public domain"}
    assert b.published_at is not None and b.published_at.day == 17 and b.metadata is None
    assert c.published_at is None and json.loads(c.metadata or "{}") == {"published_raw": "last Tuesday"}
    assert a.origin.endswith("r.jsonl:1")


def test_inputs_stream_a_chunk_at_a_time(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"r{i}", "text": f"Report {i}."}) for i in range(7)]
    lines.insert(3, json.dumps({"id": "r1", "text": "Again."}))  # an id given twice, across chunks
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("A file of its own.", encoding="utf-8")
    stream = InputStream([str(tmp_path)])
    assert (stream.files_seen, stream.expected) == (2, 9)
    chunks = []
    while (chunk := stream.read(3)).inputs:
        chunks.append(chunk)
    assert [len(c.documents) for c in chunks] == [3, 3, 2]
    docs = [d.source_id for c in chunks for d in c.documents]
    assert docs == [f"r{i}" for i in range(7)] + ["b.txt"]
    [dup] = [r for c in chunks for r in c.rejects]
    assert (dup.reason, dup.source) == ("duplicate_source_id", f"{tmp_path / 'a.jsonl'}:4")


def test_a_json_lines_file_of_any_size_streams_and_the_limit_is_per_record(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"r{i}", "text": "Five soldiers died in Mosul. " * 10}) for i in range(50)]
    lines[20] = json.dumps({"id": "huge", "text": "word " * 400})
    (tmp_path / "feed.jsonl").write_text("\n".join(lines), encoding="utf-8")
    assert (tmp_path / "feed.jsonl").stat().st_size > 10_000
    found = read_inputs([str(tmp_path)], max_bytes=1000)  # the file is 17 KB, each record but one < 1 KB
    assert len(found.documents) == 49
    [big] = found.rejects
    assert (big.reason, big.source) == ("too_large", f"{tmp_path / 'feed.jsonl'}:21")


def test_json_lines_are_decoded_line_by_line(tmp_path: Path) -> None:
    good = json.dumps({"id": "u", "text": "Café in Aleppo."}, ensure_ascii=False).encode("utf-8")
    western = json.dumps({"id": "w", "text": "Café in Homs."}, ensure_ascii=False).encode("cp1252")
    (tmp_path / "mixed.jsonl").write_bytes(codecs.BOM_UTF8 + good + b"\n" + western + b"\n\n")
    found = read_inputs([str(tmp_path)])
    assert [d.text for d in found.documents] == ["Café in Aleppo.", "Café in Homs."]
    assert json.loads(found.documents[1].metadata or "{}") == {"encoding": "cp1252"}
    assert found.rejects == []
    (tmp_path / "wide.jsonl").write_bytes((good.decode() + "\n").encode("utf-16"))  # needs the whole file
    assert [d.text for d in read_inputs([str(tmp_path / "wide.jsonl")]).documents] == ["Café in Aleppo."]


def test_a_json_lines_file_is_empty_only_if_all_of_it_is_blank(tmp_path: Path) -> None:
    (tmp_path / "late.jsonl").write_text("\n" * 70_000 + json.dumps({"id": "x", "text": "Late."}), encoding="utf-8")
    (tmp_path / "blank.jsonl").write_text(" \n\n  \n", encoding="utf-8")
    found = read_inputs([str(tmp_path)])
    assert [d.source_id for d in found.documents] == ["x"]
    assert [(r.source, r.reason) for r in found.rejects] == [(str(tmp_path / "blank.jsonl"), "empty")]


# Issue 14: special files. Each read runs in a child process with a time and memory limit, so a
# regression (a FIFO waiting for a writer, /dev/zero read for ever, a glob round a link loop) fails.
_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from flows.readers.sources import InputStream, read_inputs
args = json.loads(sys.argv[1])
{body}
print(json.dumps({{"docs": [d.source_id for d in found.documents], "files_seen": found.files_seen,
                  "rejects": [[r.source, r.reason, r.detail] for r in found.rejects]}}))
"""


def in_child(paths: list[str], body: str = "found = read_inputs(args)", **extra: object) -> dict:
    code = _CHILD.format(body=body)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(paths)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out: dict = json.loads(done.stdout)
    out["reasons"] = sorted((Path(s).name, r) for s, r, _ in out["rejects"])
    return out


def special_files(folder: Path) -> list[str]:
    """A FIFO under each name the reader opens, a socket and (if this user may) /dev/zero's twin."""
    folder.mkdir()
    (folder / "a.txt").write_text("Five soldiers died in Mosul.", encoding="utf-8")
    os.mkfifo(folder / "p.txt")
    os.mkfifo(folder / "q.jsonl")
    names = ["p.txt", "q.jsonl", "s.txt"]
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "s.txt"))
    try:
        os.mknod(folder / "z.txt", stat.S_IFCHR | 0o644, os.makedev(1, 5))  # what /dev/zero is
        names.append("z.txt")
    except PermissionError:
        pass
    return sorted(names)


def test_fifos_devices_and_sockets_are_rejected_unopened(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    names = special_files(folder)
    for given in ([str(folder)], [str(folder / "*")], [str(folder / n) for n in ["a.txt", *names]]):
        found = in_child(given)
        assert found["docs"] == ["a.txt"], given
        assert found["reasons"] == [(n, "not_a_file") for n in names], given
        assert found["files_seen"] == 1 + len(names)
    details = {Path(s).name: d for s, _, d in in_child([str(folder)])["rejects"]}
    assert "FIFO" in details["p.txt"] and "socket" in details["s.txt"] and "regular file" in details["p.txt"]
    if "z.txt" in names:
        assert "device" in details["z.txt"]
    if not (Path("/dev/zero").exists() and "z.txt" in names):
        pytest.skip("mknod is not allowed here: the character device was not tried")


def test_a_glob_never_follows_a_linked_folder_and_ends_on_link_loops(tmp_path: Path) -> None:
    folder, outside = tmp_path / "in", tmp_path / "outside"
    (folder / "sub").mkdir(parents=True)
    outside.mkdir()
    (folder / "a.txt").write_text("A", encoding="utf-8")
    (folder / "sub" / "b.txt").write_text("B", encoding="utf-8")
    (outside / "secret.txt").write_text("S", encoding="utf-8")
    (folder / "sub" / "loop").symlink_to("..")  # two loops: 2^40 paths for a glob that follows them
    (folder / "sub" / "again").symlink_to("../sub")
    (folder / "out").symlink_to(outside)
    found = in_child([str(folder / "**" / "*.txt")])
    assert found["docs"] == ["a.txt", "b.txt"]
    assert found["reasons"] == [("again", "symlink"), ("loop", "symlink"), ("out", "symlink")]
    found = in_child([str(folder / "*" / "*.txt")])  # a wildcard does not step into a link either
    assert found["docs"] == ["b.txt"] and found["reasons"] == [("out", "symlink")]
    found = expand_paths([str(folder / "sub" / "..")])  # a directory given outright is walked as before
    assert sorted(f.source_id for f in found.files) == ["a.txt", "sub/b.txt"]


def test_a_file_swapped_after_listing_is_not_opened(tmp_path: Path) -> None:
    """Between listing and reading, a file may become a FIFO or a link: neither blocks nor is followed."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.jsonl", "c.txt"):
        (folder / name).write_text(json.dumps({"id": name, "text": "Five soldiers died."}), encoding="utf-8")
    (tmp_path / "secret.txt").write_text("S", encoding="utf-8")
    body = f"""
import os
stream = InputStream(args)
for name in ("a.txt", "b.jsonl"):
    os.remove({str(folder)!r} + "/" + name)
    os.mkfifo({str(folder)!r} + "/" + name)
os.remove({str(folder)!r} + "/c.txt")
os.symlink({str(tmp_path / "secret.txt")!r}, {str(folder)!r} + "/c.txt")
found = stream.read(100)
found.files_seen = stream.files_seen
"""
    found = in_child([str(folder)], body)
    assert found["docs"] == []
    assert found["reasons"] == [("a.txt", "not_a_file"), ("b.jsonl", "not_a_file"), ("c.txt", "symlink")]


def test_a_directory_of_messages_is_read_through_the_registry(tmp_path: Path) -> None:
    from email.message import EmailMessage

    for i in range(2):
        msg = EmailMessage()
        msg["Subject"], msg["From"] = f"Alert {i}", "desk@example.org"
        msg.set_content(f"Officials said {i + 3} people were wounded in the attack on the market.")
        (tmp_path / f"{i}.eml").write_bytes(bytes(msg))
    found = read_inputs([str(tmp_path)])
    assert [(d.source_id, d.title) for d in found.documents] == [("0.eml", "Alert 0"), ("1.eml", "Alert 1")]
    assert found.rejects == [] and all(d.source_key.endswith(".eml") for d in found.documents)
