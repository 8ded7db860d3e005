"""The meson-python fixture's package: the extension's function, re-exported."""
from ._counter import meson_racy_bump  # noqa: F401
