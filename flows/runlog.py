"""A run as a Prefect user reads it: its lines in the flow run's log, its flow run named
and tagged after bpw's run.

Through Prefect's run logger (`get_run_logger`) the flow run's log on the server (the
UI's Logs tab, `POST /api/logs/filter`) gets one line per stage as it ends, one line per
rejected file, the count of warnings and the run's summary; at DEBUG, also one line per
loaded file and per warning. The flow run is renamed to bpw's run id and tagged
`bpw-run:<id>`; runs/<id>.json names the flow run (`flow_run_id`).

bpw's console already shows the stages (`flows.progress`) and the summary, so these
records carry `bpw_shown` and Prefect's console handler drops them: no line twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pipeline.run import Progress, Stage
from pipeline.summary import RunSummary

TAG_PREFIX = "bpw-run:"
SHOWN = "bpw_shown"  # a record attribute: bpw's own console shows this line already
RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")  # their records go to the API

Logger = logging.Logger | logging.LoggerAdapter


class ShownByBpw(logging.Filter):
    """Keeps bpw's run lines off Prefect's console handler (bpw prints them itself)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, SHOWN, False)


def _quiet_console() -> None:
    from prefect.logging.handlers import PrefectConsoleHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler) and not any(
            isinstance(f, ShownByBpw) for f in handler.filters
        ):
            handler.addFilter(ShownByBpw())


@contextmanager
def run_log_level(level: str) -> Iterator[None]:
    """The flow run's log (Prefect's run loggers, whose records go to the API) at
    `level` for the run, as it was afterwards; Prefect's other loggers keep theirs."""
    loggers = [logging.getLogger(name) for name in RUN_LOGGERS]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, previous in zip(loggers, before, strict=True):
            logger.setLevel(previous)


def run_logger(run_id: str) -> Logger:
    """The flow run's logger (inside a flow run), its records marked as bpw's
    (`bpw_run_id`; shown on bpw's console already)."""
    from prefect.logging import get_run_logger

    _quiet_console()
    return get_run_logger(bpw_run_id=run_id, **{SHOWN: True})


def link_flow_run(run_id: str, logger: Logger) -> str | None:
    """Name the current flow run `run_id` and tag it `bpw-run:<run_id>`; its id (None
    outside a flow run). A server that refuses the update costs a warning, not the run."""
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return None
    flow_run = context.flow_run
    tags = [*flow_run.tags, f"{TAG_PREFIX}{run_id}"]
    try:
        with get_client(sync_client=True) as client:
            client.update_flow_run(flow_run.id, name=run_id, tags=tags)
    except Exception as exc:  # the run itself is fine: say so and go on
        logger.warning("flow run not renamed to %s: %s: %s", run_id, type(exc).__name__, exc)
    return str(flow_run.id)


class LoggedProgress:
    """A `Progress` that also writes each stage's end to the run log (and shows it as
    the wrapped progress does): `discover: 2 new, 0 unchanged, 0 refused (0.3 s)`."""

    def __init__(self, shown: Progress, logger: Logger) -> None:
        self.shown = shown
        self.logger = logger

    def __enter__(self) -> LoggedProgress:
        self.shown.__enter__()
        return self

    def __exit__(self, *exc: object) -> Any:
        return self.shown.__exit__(*exc)

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Stage]:
        started = time.monotonic()
        try:
            with self.shown.stage(name, total) as stage:
                yield stage
        except BaseException as exc:
            seconds = time.monotonic() - started
            self.logger.error("%s: failed (%.1f s): %s: %s", name, seconds,
                              type(exc).__name__, exc)  # fmt: skip
            raise
        seconds = time.monotonic() - started
        self.logger.info("%s: %s (%.1f s)", name, stage.note or "done", seconds)


def log_outcome(logger: Logger, summary: RunSummary) -> None:
    """The run's findings and summary in its log: each rejected file (warning), the
    count of warnings, the totals; at DEBUG each loaded file and each warning."""
    if summary.status == "failed":
        logger.error("run %s failed: %s (the previous warehouse still serves)",
                     summary.run_id, summary.error)  # fmt: skip
        return
    for loaded in summary.loaded:
        logger.debug("loaded: %s %s %s: %s projects, %s indicators, %s warning(s)",
                     loaded.year, loaded.department_name, loaded.file_name, loaded.projects,
                     loaded.indicators, loaded.warnings)  # fmt: skip
    for rejected in summary.rejected:
        logger.warning("rejected: %s", rejected.line)
    for warning in summary.warnings:
        logger.debug("warning: %s", warning)
    if summary.warnings:
        logger.warning("%d warning(s) in loaded files (listed in %s)", len(summary.warnings),
                       summary.reports.get("run_html", "runs/"))  # fmt: skip
    logger.info(
        "run %s: %d file(s) loaded, %d rejected, %d unchanged; %d projects, %d indicators; "
        "manifest version %s", summary.run_id, len(summary.loaded), len(summary.rejected),
        summary.files_unchanged, summary.rows.projects, summary.rows.indicators,
        summary.manifest_version,
    )  # fmt: skip
