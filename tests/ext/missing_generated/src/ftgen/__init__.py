"""Imports a module the build was meant to generate and did not: see ../../pyproject.toml."""
from ._version import version  # noqa: F401
from ._core import answer  # noqa: F401
