"""Burst alerts on generated daily story counts with known change points.

Each series has 180 days with a weekly rhythm (quiet weekends, about one story a weekday);
from a known day (120–139) the rate is multiplied by a factor. Prints, per factor, how many
change points were caught, the delay in days from change to alert, and the alerts raised
where nothing changed (before the change, and on 30 series with no change at all).

    .venv/bin/python benchmarks/alerts.py
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the generator is the test's

from grandstrategy.horizon import trends
from tests.unit.test_horizon_trends import START, generated


def main() -> None:
    steady = sum(len(trends.bursts(generated(seed), START)) for seed in range(30))
    print(f"no change, 30 series x 180 days: {steady} false alert(s)")
    for factor in (2.0, 3.0, 4.0, 6.0):
        delays, false = [], 0
        for seed in range(30):
            change = 120 + seed % 20
            at = START + dt.timedelta(days=change)
            found = trends.bursts(generated(seed, change=change, factor=factor), START)
            false += sum(1 for b in found if b.detected < at)
            after = [b for b in found if b.detected >= at]
            if after:
                delays.append((after[0].detected - at).days)
        print(
            f"rate x{factor:g}: caught {len(delays)}/30, delay median "
            f"{np.median(delays) if delays else float('nan'):.1f} d, max "
            f"{max(delays) if delays else '-'} d; false alerts before the change: {false}"
        )


if __name__ == "__main__":
    main()
