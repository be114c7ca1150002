"""The one Jinja2 environment of the HTML outputs (templates/): autoescaped, strict about undefined names, and keeping
a template's final newline, so a page's bytes are the template's."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"


def _dash(value):
    """A missing value as the report shows it: an em dash."""
    return "—" if value is None else value


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["dash"] = _dash
    return env
