"""A tiny setuptools project with one C extension, for the build-ext test."""
from fttiny._speed import scale  # noqa: F401
