"""The HTML pages bpw writes — the run page (`runs/<run>.html`), a rejected file's report
(`quarantine/…/report.html`) and `bpw report` — share one stylesheet (`style.css`) and
are rendered from the Jinja2 templates in `templates/`.

Every page is self-contained: the stylesheet is inlined, there is no script and nothing
is fetched, so a page reads offline. Values are escaped by the templates (autoescape);
only markup built by bpw itself (the report's SVG charts) is passed in as `Markup`.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

__all__ = ["Markup", "render", "stylesheet"]


@cache
def stylesheet() -> str:
    """The one stylesheet, as text."""
    return files(__name__).joinpath("style.css").read_text(encoding="utf-8")


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader(__name__, "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt field fails the render, not the reader
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals["stylesheet"] = Markup(stylesheet())
    return environment


def render(template: str, **context: Any) -> str:
    """One page: `template` (a file in templates/) filled with `context`."""
    return _environment().get_template(template).render(**context)
