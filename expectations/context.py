"""A quiet ephemeral Great Expectations context (imported lazily: GX costs seconds)."""

from __future__ import annotations

from typing import Any


def ephemeral_context() -> Any:
    """Ephemeral GX context with in-memory stores, no default Data Docs site (the default
    makes a temp dir and says so) and no progress bars."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults())
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context
