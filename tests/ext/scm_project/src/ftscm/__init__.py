"""Imports the version file setuptools_scm writes at build time."""
from ._version import version  # noqa: F401
from ._core import answer  # noqa: F401
