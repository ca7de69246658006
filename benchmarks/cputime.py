"""A function wrapped so that the CPU seconds of its calls add up under a name (time.process_time:
the machine may be shared, and CPU time is what a step costs whatever else runs)."""

from __future__ import annotations

import time


def cpu_timed(totals: dict[str, float], name: str, fn):
    def wrapper(*args, **kwargs):
        t0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + time.process_time() - t0
    return wrapper
