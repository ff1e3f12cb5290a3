"""Find table files under the given paths, hash them, and refuse what is unsafe to read.

Symlinks are never followed (a link in the inbox could point anywhere); files over the
size limit are reported, not read.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from transforms.hashcache import HashCache
from transforms.table import SourceFile

TABLE_SUFFIXES = {".txt", ".tsv", ".csv", ".xlsx", ".xls"}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Refusal:
    """A path that will not be read, and why (reported like any rejected file)."""

    path: Path
    rule: str
    message: str
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _path_digest(path: Path) -> str:
    """A stand-in hash for a path that is refused unread (keeps its report addressable)."""
    return hashlib.sha256(("refused:" + str(path)).encode("utf-8")).hexdigest()


def candidate_paths(paths: list[Path]) -> list[Path]:
    """Table files under `paths` (files given directly are kept whatever their suffix)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    Path(root) / name
                    for name in sorted(files)
                    if Path(name).suffix.lower() in TABLE_SUFFIXES and not name.startswith(".")
                )
        else:
            found.append(path)
    return found


def inspect(path: Path, max_bytes: int, cache: HashCache | None = None) -> SourceFile | Refusal:
    """Hash one file (or take its hash from the stat cache), or say why it is refused
    without reading it."""
    if path.is_symlink():
        return Refusal(path, "symlink", "symbolic links are never followed", _path_digest(path))
    if not path.is_file():
        return Refusal(path, "not_a_file", "not a regular file", _path_digest(path))
    stat = path.stat()
    if stat.st_size > max_bytes:
        message = f"file is {stat.st_size} bytes, over the {max_bytes}-byte limit"
        return Refusal(path, "file_too_large", message, _path_digest(path))
    if path.suffix.lower() not in TABLE_SUFFIXES:
        message = f"unsupported file type '{path.suffix}' (expected .txt .tsv .csv .xlsx .xls)"
        return Refusal(path, "format", message, _path_digest(path))
    sha256 = cache.lookup(path, stat) if cache else None
    if sha256 is None:
        sha256 = sha256_of(path)
        if cache:
            cache.record(path, stat, sha256)
    return SourceFile(path=path, sha256=sha256, size=stat.st_size, mtime=stat.st_mtime)


def discover(
    paths: list[Path],
    max_bytes: int,
    year: int | None = None,
    department: str | None = None,
    cache: HashCache | None = None,
) -> tuple[list[SourceFile], list[Refusal]]:
    """Every candidate file, hashed, with the user's overrides; and the refused paths.

    With a `cache`, a file whose stat is unchanged since the last run is not re-read.
    """
    sources: list[SourceFile] = []
    refusals: list[Refusal] = []
    for path in candidate_paths(paths):
        result = inspect(path, max_bytes, cache)
        if isinstance(result, Refusal):
            refusals.append(result)
        else:
            sources.append(
                SourceFile(result.path, result.sha256, result.size, result.mtime, year, department)
            )
    return sources, refusals
