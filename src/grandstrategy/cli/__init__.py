"""The ``grandstrategy`` command: one group per capability."""
