"""Find table files under the given paths, hash them, and refuse what is unsafe to read.

Symlinks are never followed (a link in the inbox could point anywhere); files over the
size limit are reported, not read; a file that cannot be opened is refused alone
(`unreadable`), and in the inbox a file of a type bpw does not read is refused
(`format`), never silently skipped.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG

from transforms.errors import is_file_fault, unreadable_message
from transforms.hashcache import HashCache
from transforms.read import TABLE_SUFFIXES, unsupported_type
from transforms.table import SourceFile

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


def path_digest(path: Path) -> str:
    """A stand-in hash for a path that is refused unread (keeps its report addressable;
    the same bytes, once readable, are new)."""
    return hashlib.sha256(("refused:" + str(path)).encode("utf-8")).hexdigest()


IGNORED_PREFIXES = (".", "~$")  # hidden files (.DS_Store) and Office lock files (~$表.xlsx)


def _ignored(name: str) -> bool:
    return name.startswith(IGNORED_PREFIXES)


def _is_table_name(name: str) -> bool:
    return Path(name).suffix.lower() in TABLE_SUFFIXES


def _within(path: Path, folder: Path | None) -> bool:
    """Whether `path` is `folder` or lies under it (both resolved)."""
    if folder is None:
        return False
    try:
        path, folder = path.resolve(), folder.resolve()
    except OSError:
        return False
    return path == folder or folder in path.parents


def _same(path: Path, other: Path) -> bool:
    try:
        return path.resolve() == other.resolve()
    except OSError:
        return False


def _unreadable(path: Path, exc: OSError) -> Refusal:
    """A file-specific OSError as a refusal; disk trouble is raised (the task retries)."""
    if not is_file_fault(exc):
        raise exc
    return Refusal(path, "unreadable", unreadable_message(path.name, exc), path_digest(path))


def candidate_paths(
    paths: list[Path], inbox: Path | None = None
) -> tuple[list[tuple[Path, Path]], list[Refusal]]:
    """(file, root) for each file to inspect under `paths`; and folders that cannot be listed.

    The root bounds the folders that may name the year: the inbox's own name and what is
    above it never do; a folder or a file given by name (`bpw ingest 2026/`,
    `bpw ingest 2026/x.txt`) keeps the name of that folder or of the file's own folder.
    A file given directly is kept whatever its name. A folder is walked without following
    links, skipping hidden names and Office lock files (`~$…`): in the `inbox` every other
    file is a candidate (one bpw cannot read is refused as `format`, never skipped);
    elsewhere only table files are. A folder named like a table file (`x.csv/`) is a
    candidate, not walked: `inspect` refuses it.
    """
    found: list[tuple[Path, Path]] = []
    refusals: list[Refusal] = []

    def unlistable(exc: OSError) -> None:  # os.walk's onerror: a folder it cannot list
        refusals.append(_unreadable(Path(exc.filename), exc))

    for path in paths:
        if not path.is_dir() or path.is_symlink():
            found.append((path, path.parent.parent))
            continue
        every_file = _within(path, inbox)
        top = path if inbox is not None and _same(path, inbox) else path.parent
        for root, dirs, files in os.walk(path, followlinks=False, onerror=unlistable):
            folders = [d for d in dirs if not _ignored(d)]
            dirs[:] = sorted(d for d in folders if not _is_table_name(d))
            names = [n for n in files if not _ignored(n) and (every_file or _is_table_name(n))]
            names += [d for d in folders if _is_table_name(d)]
            found.extend((Path(root) / name, top) for name in sorted(names))
    return found, refusals


def inspect(path: Path, max_bytes: int, cache: HashCache | None = None) -> SourceFile | Refusal:
    """Hash one file (or take its hash from the stat cache), or say why it is refused
    without reading it. A file that vanished or cannot be opened is `unreadable`."""
    try:
        stat = path.lstat()
    except OSError as exc:
        return _unreadable(path, exc)
    if S_ISLNK(stat.st_mode):
        return Refusal(path, "symlink", "symbolic links are never followed", path_digest(path))
    if S_ISDIR(stat.st_mode):
        message = f"{path.name} is a folder, not a file"
        return Refusal(path, "unreadable", message, path_digest(path))
    if not S_ISREG(stat.st_mode):
        return Refusal(path, "not_a_file", "not a regular file", path_digest(path))
    if stat.st_size > max_bytes:
        message = f"file is {stat.st_size} bytes, over the {max_bytes}-byte limit"
        return Refusal(path, "file_too_large", message, path_digest(path))
    if path.suffix.lower() not in TABLE_SUFFIXES:
        return Refusal(path, "format", unsupported_type(path.suffix), path_digest(path))
    sha256 = cache.lookup(path, stat) if cache else None
    if sha256 is None:
        try:
            sha256 = sha256_of(path)
        except OSError as exc:
            return _unreadable(path, exc)
        if cache:
            cache.record(path, stat, sha256)
    return SourceFile(path=path, sha256=sha256, size=stat.st_size, mtime=stat.st_mtime)


def discover(
    paths: list[Path],
    max_bytes: int,
    year: int | None = None,
    department: str | None = None,
    cache: HashCache | None = None,
    inbox: Path | None = None,
) -> tuple[list[SourceFile], list[Refusal]]:
    """Every candidate file, hashed, with the user's overrides; and the refused paths.

    With a `cache`, a file whose stat is unchanged since the last run is not re-read.
    Each file keeps the folder it was found under (`SourceFile.root`): only the folders
    below it can give the year. Under `inbox`, files of other types are refused.
    """
    sources: list[SourceFile] = []
    candidates, refusals = candidate_paths(paths, inbox)
    for path, root in candidates:
        result = inspect(path, max_bytes, cache)
        if isinstance(result, Refusal):
            refusals.append(result)
        else:
            sources.append(
                SourceFile(result.path, result.sha256, result.size, result.mtime, year,
                           department, root)
            )  # fmt: skip
    return sources, refusals
