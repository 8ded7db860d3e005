"""ftbump: a module-global counter bumped without a lock (tests/test_github_annotations.py)."""
from ._bump import bump  # noqa: F401
