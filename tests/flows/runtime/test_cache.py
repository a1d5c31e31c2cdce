"""The gazetteer's copy on disk (flows/runtime/cache.py): read when it is there, built and kept when
not, never read when stale, cut short or writable by others. The mechanics run on a small real
Gazetteer; one test reads the real one back and checks it answers as the built one does."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import transforms.gazetteer as gz
from flows.runtime import cache
from transforms.gazetteer import Gazetteer, Place

BUILDS: list[int] = []  # one entry per build in the current test


def _small() -> Gazetteer:
    return Gazetteer([(Place("geonames:1", "Albu Kamal", "SY", "city", 34.45, 40.92, 57572), ["Albu Kamal"])])


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A new cache folder, a process that has not used the cache yet, and a build that counts its calls."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(folder))
    monkeypatch.setattr(cache, "_DONE", {})
    monkeypatch.setattr(gz, "_GIVEN", [])
    BUILDS.clear()

    def build() -> Gazetteer:
        BUILDS.append(1)
        return _small()

    monkeypatch.setattr(gz, "build_gazetteer", build)
    yield folder
    gz.load_gazetteer.cache_clear()


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "_DONE", {})
    monkeypatch.setattr(gz, "_GIVEN", [])
    gz.load_gazetteer.cache_clear()


def test_built_once_then_read(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = cache.use_cached_gazetteer()
    assert path is not None and path.parent == fresh and path.is_file()
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert BUILDS == [1]
    assert cache.use_cached_gazetteer() == path and BUILDS == [1]  # once per process
    _new_process(monkeypatch)
    assert cache.use_cached_gazetteer() == path
    assert BUILDS == [1]  # the second process read it
    assert gz.load_gazetteer().resolve("Abu Kamal").geonames_id == "geonames:1"
    assert not list(fresh.glob(".gazetteer-*")) and not list(fresh.glob("*.tmp"))  # no temporary file left behind


def test_cut_short_is_built_again(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = cache.use_cached_gazetteer()
    assert path is not None
    path.write_bytes(path.read_bytes()[:20])
    _new_process(monkeypatch)
    assert cache.use_cached_gazetteer() == path
    assert BUILDS == [1, 1]
    assert gz.load_gazetteer().resolve("Albu Kamal") is not None


def test_writable_by_others_is_not_read(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = cache.use_cached_gazetteer()
    assert path is not None
    path.chmod(0o666)
    _new_process(monkeypatch)
    cache.use_cached_gazetteer()
    assert BUILDS == [1, 1]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # and the new copy replaced it


def test_unwritable_folder_costs_the_build_not_the_run(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh.parent.joinpath("cache").write_text("a file where the folder should be")
    assert cache.use_cached_gazetteer() is None
    assert gz.load_gazetteer().resolve("Albu Kamal") is not None


def test_another_fingerprint_is_another_file(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = cache.use_cached_gazetteer()
    monkeypatch.setattr(cache, "gazetteer_fingerprint", lambda: "0" * 16)
    _new_process(monkeypatch)
    second = cache.use_cached_gazetteer()
    assert first != second and BUILDS == [1, 1]
    old = 10 * 86400
    os.utime(second, (second.stat().st_atime - old, second.stat().st_mtime - old))
    monkeypatch.undo()  # the real fingerprint again: its copy is written anew, the week-old one goes
    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(fresh))
    monkeypatch.setattr(gz, "build_gazetteer", _small)
    _new_process(monkeypatch)
    first.unlink()
    assert cache.use_cached_gazetteer() == first
    assert not second.exists()


def test_fingerprint_names_what_the_build_reads() -> None:
    value = cache.gazetteer_fingerprint()
    assert len(value) == 16 and int(value, 16) >= 0
    assert cache.gazetteer_fingerprint() == value


def test_default_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NEWSETL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "newsetl"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.cache_dir() == Path.home() / ".cache" / "newsetl"


def test_the_real_gazetteer_read_back_answers_as_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy read from disk is the built one: same size, same answers for names of the articles."""
    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "_DONE", {})
    built = gz.build_gazetteer()
    monkeypatch.setattr(gz, "build_gazetteer", lambda: built)
    monkeypatch.setattr(gz, "_GIVEN", [])
    assert cache.use_cached_gazetteer() is not None
    _new_process(monkeypatch)
    monkeypatch.setattr(gz, "build_gazetteer", lambda: pytest.fail("built again instead of read"))
    cache.use_cached_gazetteer()
    read = gz.load_gazetteer()
    assert read is not built and len(read) == len(built)
    names = ["Abu Kamal", "Deir Ezzor", "Halab", "Tal Afar", "Syria", "Raqqa", "Springfield", "Nowhere-on-earth"]
    for name in names:
        assert read.resolve(name, frozenset({"SY", "IQ"})) == built.resolve(name, frozenset({"SY", "IQ"}))
        assert read.candidates(name) == built.candidates(name)
    assert read.name_words(100_000) == built.name_words(100_000)
    gz.load_gazetteer.cache_clear()


def test_the_language_identifier_read_back_classifies_as_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import transforms.articles as articles

    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "_DONE", {})
    monkeypatch.setattr(articles, "_GIVEN", [])
    built = articles.build_language_identifier()
    path = cache.use_cached_language_identifier()
    assert path is not None and path.name.startswith("langid-")
    monkeypatch.setattr(cache, "_DONE", {})
    monkeypatch.setattr(articles, "build_language_identifier", lambda: pytest.fail("built again instead of read"))
    assert cache.use_cached_language_identifier() == path
    read = articles.load_language_identifier()
    for sample in ("forty people were killed on monday", "quarante personnes ont été tuées lundi", "ok"):
        assert read.classify(sample) == built.classify(sample)
    articles.load_language_identifier.cache_clear()


def test_a_symbolic_link_is_never_followed(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = cache.use_cached_gazetteer()
    assert path is not None
    elsewhere = fresh / "elsewhere.pickle"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)  # the user's own good file, reached through a link
    _new_process(monkeypatch)
    cache.use_cached_gazetteer()
    assert BUILDS == [1, 1] and not path.is_symlink()  # built again, and the link replaced


def test_another_objects_file_is_not_taken_for_this_one(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file renamed from another kept object (or another fingerprint's) is refused by what it holds."""
    path = cache.use_cached_gazetteer()
    assert path is not None
    other = fresh / "langid-0000000000000000.pickle"
    cache._write(other, "langid", "0000000000000000", {"not": "a gazetteer"})
    other.replace(path)
    _new_process(monkeypatch)
    cache.use_cached_gazetteer()
    assert BUILDS == [1, 1]
    assert gz.load_gazetteer().resolve("Albu Kamal") is not None


def test_a_folder_others_can_write_to_is_not_used(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = cache.use_cached_gazetteer()
    assert path is not None
    fresh.chmod(0o777)
    _new_process(monkeypatch)
    assert cache.use_cached_gazetteer() is None  # neither read nor written
    assert BUILDS == [1, 1] and gz.load_gazetteer().resolve("Albu Kamal") is not None


def test_a_killed_writers_temporary_file_goes_after_an_hour(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh.mkdir(mode=0o700)
    fingerprint = cache.gazetteer_fingerprint()
    stale = fresh / f".gazetteer-{fingerprint}.pickle-abc.tmp"
    recent = fresh / f".gazetteer-{fingerprint}.pickle-def.tmp"
    for leftover in (stale, recent):
        leftover.write_bytes(b"half a pickle")
    os.utime(stale, (stale.stat().st_atime - 7200, stale.stat().st_mtime - 7200))
    assert cache.use_cached_gazetteer() is not None
    assert not stale.exists() and recent.exists()  # a writer of the last hour may still be writing


def test_no_home_directory_costs_the_build_not_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSETL_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(cache, "_DONE", {})
    monkeypatch.setattr(gz, "_GIVEN", [])
    monkeypatch.setattr(gz, "build_gazetteer", _small)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache.use_cached_gazetteer() is None
    assert gz.load_gazetteer().resolve("Albu Kamal") is not None
    gz.load_gazetteer.cache_clear()
