"""One validation result per suite per run, from the per-chunk results.

Each chunk of a run is gated on its own (`pipeline.steps.gate_chunk`), so a suite is
validated once per chunk; Data Docs key a result by suite, run and batch id, which are
the same for every chunk, so the run's results are merged first: counts summed,
percentages recomputed, the example lists joined (and cut to `PARTIAL_ROWS` again),
success only if every chunk passed. The merged result reads like one validation of the
whole run's check frame (the row numbers in its examples are each chunk's own).
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

from expectations.datadocs import PARTIAL_ROWS, compact_result

_COUNTS = ("element_count", "unexpected_count", "missing_count")
_LISTS = ("unexpected_list", "unexpected_index_list", "partial_unexpected_list",
          "partial_unexpected_index_list")  # fmt: skip


def _percent(part: int, whole: int) -> float | None:
    return part / whole * 100 if whole > 0 else None


def _merge_details(details: list[dict[str, Any]]) -> dict[str, Any]:
    """The `result` dicts of one expectation over several chunks, as one."""
    merged = copy.deepcopy(details[0])
    for key in _COUNTS:
        if key in merged:
            merged[key] = sum(d.get(key) or 0 for d in details)
    for key in _LISTS:
        if isinstance(merged.get(key), list):
            joined = [item for d in details for item in d.get(key) or []]
            merged[key] = joined[:PARTIAL_ROWS]
    if isinstance(merged.get("partial_unexpected_counts"), list):
        counts: Counter[Any] = Counter()
        for d in details:
            for entry in d.get("partial_unexpected_counts") or []:
                counts[_hashable(entry["value"])] += entry["count"]
        merged["partial_unexpected_counts"] = [
            {"value": value, "count": n} for value, n in counts.most_common(PARTIAL_ROWS)
        ]
    elements = merged.get("element_count")
    if elements is not None and "unexpected_count" in merged:
        unexpected, missing = merged["unexpected_count"], merged.get("missing_count") or 0
        total = _percent(unexpected, elements)
        nonmissing = _percent(unexpected, elements - missing)
        if "missing_count" in merged:
            merged["missing_percent"] = _percent(missing, elements)
        if "unexpected_percent_total" in merged:
            merged["unexpected_percent_total"] = total
        if "unexpected_percent_nonmissing" in merged:
            merged["unexpected_percent_nonmissing"] = nonmissing
        if "unexpected_percent" in merged:
            has_missing = "unexpected_percent_nonmissing" in merged
            merged["unexpected_percent"] = nonmissing if has_missing else total
    return merged


def _raised(expectation: Any) -> bool:
    return bool((expectation.exception_info or {}).get("raised_exception"))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _merge_suite(results: list[Any]) -> Any:
    """Several chunks' results of one suite as one result."""
    merged = compact_result(results[0])
    if len(results) == 1:
        return merged
    for position, expectation in enumerate(merged.results):
        same = [r.results[position] for r in results]
        expectation.success = all(e.success for e in same)
        expectation.result = _merge_details([e.result or {} for e in same])
        raised = [e.exception_info for e in same if _raised(e)]
        if raised:
            expectation.exception_info = copy.deepcopy(raised[0])
    passed = sum(1 for e in merged.results if e.success)
    evaluated = len(merged.results)
    merged.statistics = {
        **merged.statistics,
        "evaluated_expectations": evaluated,
        "successful_expectations": passed,
        "unsuccessful_expectations": evaluated - passed,
        "success_percent": _percent(passed, evaluated),
    }
    merged.success = passed == evaluated
    return merged


def merge_results(results: list[Any]) -> list[Any]:
    """One compact result per suite, in the order the suites first appear."""
    by_suite: dict[str, list[Any]] = {}
    for result in results:
        by_suite.setdefault(result.suite_name, []).append(result)
    return [_merge_suite(same) for same in by_suite.values()]
