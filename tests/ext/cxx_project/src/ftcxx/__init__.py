"""build-ext's C++ fixture: a plain C++ module and a Cython C++ module."""
from ._vec import push, size  # noqa: F401
from ._cyvec import Bag  # noqa: F401
