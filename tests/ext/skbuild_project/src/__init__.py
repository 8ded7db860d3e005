"""build-ext's scikit-build-core fixture."""
from ._skb import count  # noqa: F401
