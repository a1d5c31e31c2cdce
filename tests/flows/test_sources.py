from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from flows.errors import InputNotFound
from flows.sources import InputStream, expand_paths, read_inputs


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
