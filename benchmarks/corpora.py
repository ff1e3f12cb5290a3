"""The benchmark corpora, written by `bpw synth` (kept between runs while their recipe holds)
and the data homes they are loaded into."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.timing import Run, run

BIN = Path(sys.executable).parent
YEARS = "2019-2026"
# realistic inboxes: text tables, mostly the packed layout of the real sample, some long
FORMATS = "txt,csv"
LAYOUTS = "packed,long"


@dataclass(frozen=True)
class Corpus:
    name: str
    departments: int
    seed: int

    def recipe(self) -> dict[str, object]:
        return {"departments": self.departments, "seed": self.seed, "years": YEARS,
                "formats": FORMATS, "layouts": LAYOUTS}  # fmt: skip


S = Corpus("S", 100, 11)
M = Corpus("M", 800, 12)
M2 = Corpus("2M", 1600, 13)  # twice M: 12,800 files, the flat-memory check
M4 = Corpus("4M", 3200, 14)  # 25,600 files
INGESTED = {c.name: c for c in (S, M, M2, M4)}  # the corpora the scaling table loads


def bpw(*args: str) -> list[str]:
    return [str(BIN / "bpw"), *args]


def table_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("[0-9]*/*") if p.suffix in {".txt", ".csv"})


def _matches(folder: Path, corpus: Corpus) -> bool:
    stamp = folder / "recipe.json"
    return stamp.is_file() and json.loads(stamp.read_text()) == corpus.recipe()


def ensure_corpus(out: Path, corpus: Corpus, env: dict[str, str]) -> tuple[Path, Run | None]:
    """out/corpus_<name>, generated unless an identical recipe is already there."""
    folder = out / f"corpus_{corpus.name}"
    if _matches(folder, corpus):
        return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    command = bpw(
        "synth", "--departments", str(corpus.departments), "--years", YEARS,
        "--seed", str(corpus.seed), "--out", str(folder),
        "--formats", FORMATS, "--layouts", LAYOUTS,
    )  # fmt: skip
    made = run(command, env=env).check()
    (folder / "recipe.json").write_text(json.dumps(corpus.recipe()))
    return folder, made


def fresh_home(out: Path, name: str, corpus: Path | None = None) -> Path:
    """An empty data home; with `corpus`, its tables copied into inbox/<year>/."""
    home = out / "homes" / name
    shutil.rmtree(home, ignore_errors=True)
    (home / "inbox").mkdir(parents=True)
    if corpus is not None:
        for path in table_files(corpus):
            target = home / "inbox" / path.parent.name / path.name
            target.parent.mkdir(exist_ok=True)
            shutil.copy2(path, target)
    return home


def touch_one(home: Path, index: int) -> Path:
    """Change one inbox file the way a re-export does: same table, new bytes (a note row
    appended below it, which the reader skips). Returns the changed file."""
    files = table_files(home / "inbox")
    path = files[(index * 7919) % len(files)]
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + f"注：本表于第{index + 1}次复核后重新导出。\n", encoding="utf-8")
    return path
