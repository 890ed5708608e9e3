"""grandstrategy: the machinery around a National Security Strategy."""

__version__ = "0.1.0"
