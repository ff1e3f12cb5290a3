"""What the pipeline needs to know of the settings, as protocols: `flows.settings`
builds the real `Settings` (from the environment and bpw.toml); the pipeline only
reads these attributes, so it never imports the interface above it."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from transforms.grid import ReadLimits
from warehouse.retention import Retention


class Limits(Protocol):
    """Input limits: the file size (checked before a file is opened) and what the
    readers refuse (`ReadLimits`)."""

    @property
    def max_file_bytes(self) -> int: ...
    @property
    def read(self) -> ReadLimits: ...


class Settings(Protocol):
    """A data home: its folders and files, its limits, its retention."""

    @property
    def home(self) -> Path: ...
    @property
    def limits(self) -> Limits: ...
    @property
    def retention(self) -> Retention: ...
    @property
    def inbox(self) -> Path: ...
    @property
    def archive(self) -> Path: ...
    @property
    def lake(self) -> Path: ...
    @property
    def quarantine(self) -> Path: ...
    @property
    def runs(self) -> Path: ...
    @property
    def docs(self) -> Path: ...
    @property
    def warehouse(self) -> Path: ...
