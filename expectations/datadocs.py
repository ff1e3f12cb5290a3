"""Great Expectations Data Docs for every run: a static site in `$BPW_HOME/docs/`.

The gate's validation results (one per suite per run) are kept as JSON in GX's
filesystem validation-results store (`docs/store/`), so the site's index lists the
history of runs; each run renders only its own pages (an incremental build), so the
cost per run stays flat (≈ 0.5 s). Results are stored compacted: the lists of failing
rows are cut to `PARTIAL_ROWS` — every failing row is in bpw's own quarantine
reports; Data Docs show which rules passed or failed, how often, and examples.

The pages load their styles and scripts from CDNs (GX's templates): offline they are
unstyled but complete. bpw's own run and quarantine reports are self-contained.
"""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any

from expectations.context import ephemeral_context

SITE_NAME = "bpw"
STORE_NAME = "bpw_validation_results"
STORE_FOLDER = "store"
INDEX_LIMIT = 90  # validation results listed on the index page (30 runs × 3 suites)
PARTIAL_ROWS = 20
_ROW_LISTS = ("unexpected_list", "unexpected_index_list", "partial_unexpected_list",
              "partial_unexpected_index_list", "partial_unexpected_counts")  # fmt: skip


def compact_result(result: Any) -> Any:
    """A copy of a suite validation result with its failing-row lists cut short.

    Small enough to pickle between processes and to keep per run; the counts
    (`unexpected_count`, `element_count`, …) are untouched.
    """
    compact = copy.deepcopy(result)
    for expectation in compact.results:
        details = expectation.result or {}
        for key in _ROW_LISTS:
            if isinstance(details.get(key), list):
                details[key] = details[key][:PARTIAL_ROWS]
        details.pop("unexpected_index_query", None)  # a pandas expression listing every row
    return compact


def _context(docs: Path) -> Any:
    """An ephemeral GX context whose results store and Data Docs site live under `docs`."""
    context = ephemeral_context()
    context.add_store(
        STORE_NAME,
        {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs / STORE_FOLDER),
            },
        },
    )
    context.validation_results_store_name = STORE_NAME
    context.add_data_docs_site(
        SITE_NAME,
        {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs),
            },
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "validation_results_limit": INDEX_LIMIT,
            },
        },
    )
    return context


def build_data_docs(docs: Path, results: list[Any], run_name: str, run_time: datetime) -> Path:
    """Store this run's validation results and render their pages; returns index.html."""
    docs = Path(docs)
    docs.mkdir(parents=True, exist_ok=True)
    if not results:  # nothing was gated: keep the site as it is, and GX unimported (≈ 3.7 s)
        return docs / "index.html"
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from expectations.gate import load_suite_json

    context = _context(docs)
    run_id = RunIdentifier(run_name=run_name, run_time=run_time)
    changed: list[Any] = []
    for result in results:
        suite = ExpectationSuiteIdentifier(name=result.suite_name)
        if suite not in changed:
            context.suites.add(gx.ExpectationSuite(**load_suite_json(result.suite_name)))
            changed.append(suite)
        key = ValidationResultIdentifier(suite, run_id, result.batch_id)
        context.validation_results_store.set(key, compact_result(result))
        changed.append(key)
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=changed)
    return docs / "index.html"
