from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.errors import InputNotFound
from flows.sources import expand_paths, read_inputs


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
