"""`make demo`'s third home: the national-form samples it names (cards in Word and
Excel, a card as PDF, a 自评表) all load, through the same command line."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.test_cli import bpw

ROOT = Path(__file__).resolve().parent.parent


def form_samples() -> list[str]:
    """FORM_SAMPLES as the Makefile lists them."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(r"^FORM_SAMPLES := (.+)$", text, re.MULTILINE)
    assert match, "FORM_SAMPLES missing from the Makefile"
    return shlex.split(match.group(1))


def test_the_demo_form_samples_load_every_card_and_the_self_evaluation(tmp_path: Path):
    paths = form_samples()
    assert any(p.endswith(".pdf") for p in paths) and "samples/forms" in paths
    result = bpw(tmp_path / "home", "ingest", *(str(ROOT / p) for p in paths))
    assert result.returncode == 0, result.stderr
    assert "4 file(s) loaded, 0 rejected" in result.stdout
    attainment = bpw(tmp_path / "home", "attainment", "--format", "csv")
    assert attainment.returncode == 0, attainment.stderr
    assert attainment.stdout.count("not_reported") == 2
