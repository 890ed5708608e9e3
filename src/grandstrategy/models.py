"""Imports every capability's tables so that the metadata is complete (migrations, tests)."""

from __future__ import annotations


def load_all() -> None:
    import grandstrategy.core.memberships
    import grandstrategy.core.models
    import grandstrategy.delivery.models
    import grandstrategy.drafting.models
    import grandstrategy.horizon.analysis_models
    import grandstrategy.horizon.models
    import grandstrategy.horizon.watch_models
    import grandstrategy.resilience.models
    import grandstrategy.strategy.models  # noqa: F401
