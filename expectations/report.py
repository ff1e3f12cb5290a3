"""Findings → what a person reads: one error line, and quarantine reports (JSON, text, HTML).

Reports are self-contained (inline CSS, no scripts, no CDN) so they read offline.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl


def error_line(finding: dict[str, Any]) -> str:
    """`file: rule (severity) at row N, column C: value — message`, on one line."""
    where = f"row {finding['source_row']}" if finding.get("source_row") else "whole file"
    if finding.get("column"):
        where += f", column {finding['column']}"
    value = str(finding.get("value") or "").replace("\n", " ").replace("\r", " ")
    if len(value) > 120:
        value = value[:117] + "…"
    shown = f": '{value}'" if value else ""
    file_name = str(finding["file_name"]).replace("\n", " ").replace("\r", " ")
    return (
        f"{file_name}: {finding['rule']} ({finding['severity']}) at {where}{shown}"
        f" — {finding['message']}"
    )


def report_payload(file_info: dict[str, Any], findings: pl.DataFrame) -> dict[str, Any]:
    """The JSON report of one rejected file."""
    rows = findings.sort("source_row", nulls_last=True).to_dicts()
    return {
        "file": file_info,
        "status": "rejected",
        "errors": [r for r in rows if r["severity"] == "error"],
        "warnings": [r for r in rows if r["severity"] == "warning"],
        "what_to_do": "Fix the rows listed under 'errors', then put the corrected file back in "
        "the inbox: the next run loads it. Warnings alone never reject a file.",
    }


def report_text(payload: dict[str, Any]) -> str:
    """A plain-text rendering of the report."""
    info = payload["file"]
    lines = [
        f"bpw quarantine report — {info['file_name']}",
        f"sha256 {info['sha256']}  run {info.get('run_id', '')}",
        "",
        f"REJECTED: {len(payload['errors'])} error(s), {len(payload['warnings'])} warning(s).",
        "",
    ]
    for title, key in (("Errors", "errors"), ("Warnings", "warnings")):
        if payload[key]:
            lines.append(f"{title}:")
            for finding in payload[key]:
                lines.append("  - " + error_line(finding))
                if finding.get("hint"):
                    lines.append(f"    what to do: {finding['hint']}")
            lines.append("")
    lines.append(payload["what_to_do"])
    return "\n".join(lines) + "\n"


def report_html(payload: dict[str, Any]) -> str:
    """A self-contained HTML page of the report (`pages/templates/quarantine.html`)."""
    from pages import render

    return render(
        "quarantine.html",
        file_name=payload["file"]["file_name"],
        sha256=payload["file"]["sha256"],
        columns=("severity", "rule", "source_row", "column", "value", "message", "hint"),
        findings=payload["errors"] + payload["warnings"],
        what_to_do=payload["what_to_do"],
    )


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)
