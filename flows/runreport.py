"""A run's reports beyond `runs/<run>.json`: a self-contained HTML page (`runs/<run>.html`)
and the complete markdown of the Prefect artifact — both from the run summary dict
(`pipeline.summary.run_summary`); `record_run` writes both records of a run.

The HTML page has inline CSS and no scripts or external resources: it reads offline.
"""

from __future__ import annotations

import html
import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from flows.settings import Settings
from pipeline.datahome import write_run_summary
from pipeline.summary import markdown_summary
from warehouse.faults import checkpoint

MAX_LISTED_WARNINGS = 50

_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:70em}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".ok{color:#070}.rejected,.failed{color:#a00}.warning{color:#a60}code{font-size:90%}"
)


def amount(value: Any) -> str:
    """An exact amount as people write it: 5373.550000 → 5373.55 (never rounded)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    text = format(number.normalize(), "f")
    whole, _, cents = text.partition(".")
    return f"{whole}.{cents.ljust(2, '0')}"


def artifact_markdown(summary: dict[str, Any]) -> str:
    """The Prefect artifact: counts, files loaded, rejected, warnings, where the reports are."""
    lines = [markdown_summary(summary).rstrip("\n"), ""]
    if summary.get("status") == "failed":
        lines += ["**The run failed; the previous warehouse still serves.**", "",
                  f"`{summary['error']}`", ""]  # fmt: skip
    if summary["loaded"]:
        lines += ["## Loaded", "", "| year | department | file | projects | indicators | "
                  "total (万元) | warnings |", "|---:|---|---|---:|---:|---:|---:|"]  # fmt: skip
        lines += [
            f"| {r['year']} | {r['department_name']} | {r['file_name']} | {r['projects']} | "
            f"{r['indicators']} | {amount(r['total_amount'])} | {r['warnings']} |"
            for r in summary["loaded"]
        ]
        lines.append("")
    if summary["warnings"]:
        lines += ["## Warnings", ""]
        lines += [f"- {w}" for w in summary["warnings"][:MAX_LISTED_WARNINGS]]
        more = len(summary["warnings"]) - MAX_LISTED_WARNINGS
        if more > 0:
            lines.append(f"- … {more} more in the run json")
        lines.append("")
    reports = summary.get("reports") or {}
    if reports:
        lines += ["## Reports", ""]
        lines += [f"- {name.replace('_', ' ')}: `{path}`" for name, path in reports.items()
                  if isinstance(path, str)]  # fmt: skip
        lines += [f"- rejected {name}: `{path}`"
                  for name, path in (reports.get("rejected") or {}).items()]  # fmt: skip
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(headers: list[str], rows: list[list[Any]], numeric: set[int]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='n'>{html.escape(str(v))}</td>" if i in numeric
            else f"<td>{html.escape('' if v is None else str(v))}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def run_page_html(summary: dict[str, Any]) -> str:
    """The run summary as one self-contained HTML page."""
    status = summary.get("status") or ("rejected" if summary["rejected"] else "ok")
    counts = _table(
        ["files loaded", "rejected", "unchanged", "projects", "indicators", "warnings"],
        [[len(summary["loaded"]), len(summary["rejected"]), summary["files_unchanged"],
          summary["rows"]["projects"], summary["rows"]["indicators"],
          len(summary["warnings"])]],
        numeric=set(range(6)),
    )  # fmt: skip
    parts = [
        f"<h1>bpw run {html.escape(summary['run_id'])} "
        f"<span class='{status}'>({html.escape(status)})</span></h1>",
        f"<p>{html.escape(summary['started_at'])} → {html.escape(summary['finished_at'])}"
        f" · data home <code>{html.escape(summary['home'])}</code></p>",
        counts,
    ]
    if summary.get("error"):
        parts.append(f"<p class='failed'>The run failed; the previous warehouse still "
                     f"serves.<br><code>{html.escape(summary['error'])}</code></p>")
    parts += _sections(summary)
    return (
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'>"
        f"<title>bpw run {html.escape(summary['run_id'])}</title><style>{_CSS}</style>"
        f"</head><body>{''.join(parts)}</body></html>\n"
    )


def _sections(summary: dict[str, Any]) -> list[str]:
    parts = []
    if summary["loaded"]:
        parts += ["<h2>Loaded</h2>", _table(
            ["year", "department", "file", "projects", "indicators", "total (万元)", "warnings"],
            [[r["year"], r["department_name"], r["file_name"], r["projects"], r["indicators"],
              amount(r["total_amount"]), r["warnings"]] for r in summary["loaded"]],
            numeric={0, 3, 4, 5, 6},
        )]  # fmt: skip
    if summary["rejected"]:
        parts += ["<h2 class='rejected'>Rejected</h2>", _table(
            ["file", "rule", "row", "value", "errors"],
            [[r["file_name"], r["rule"], r["row"] or "", str(r["value"] or "")[:120],
              r["errors"]] for r in summary["rejected"]],
            numeric={2, 4},
        )]  # fmt: skip
    if summary["warnings"]:
        items = "".join(f"<li>{html.escape(w)}</li>" for w in summary["warnings"])
        parts.append(f"<h2 class='warning'>Warnings</h2><ul>{items}</ul>")
    reports = summary.get("reports") or {}
    if reports:
        items = "".join(
            f"<li>{html.escape(k.replace('_', ' '))}: <code>{html.escape(v)}</code></li>"
            for k, v in reports.items() if isinstance(v, str)
        ) + "".join(
            f"<li>rejected {html.escape(k)}: <code>{html.escape(v)}</code></li>"
            for k, v in (reports.get("rejected") or {}).items()
        )
        parts.append(f"<h2>Reports</h2><ul>{items}</ul>")
    return parts


def write_run_page(settings: Settings, summary: dict[str, Any]) -> Path:
    """runs/<run_id>.html, written whole (temp file + rename)."""
    target = Path(summary["reports"]["run_html"]) if summary.get("reports") else (
        settings.runs / f"{summary['run_id']}.html"
    )
    partial = target.with_name(target.name + ".part")
    partial.write_text(run_page_html(summary), encoding="utf-8")
    os.replace(partial, target)
    return target


def record_run(settings: Settings, summary: dict[str, Any]) -> None:
    """runs/<run>.json and runs/<run>.html, for every run (the flow adds its artifact)."""
    write_run_summary(settings, summary["run_id"], summary)
    checkpoint("run page")  # the page is written whole (temp + rename): a crash point
    write_run_page(settings, summary)
