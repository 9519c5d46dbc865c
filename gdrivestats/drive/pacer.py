"""One pacer for Drive writes, shared by every thread: a token bucket that finds Drive's write limit and keeps
within it.

Drive lets one user make only about 2-3 file writes a second sustained; more gets 403
``userRateLimitExceeded`` (or 429). Retrying each call on its own burns its retries in a storm: every
thread backs off, then all come back at once. The pacer holds all writers to one rate instead, and adapts it
the way TCP adapts its window (AIMD): while writes queue up behind it, the rate creeps up additively (by
``increase`` writes a second, per second of writing), probing for the server's real limit; a rate-limit
answer cuts it by a factor (``decrease``; once for answers that arrive together) and honours
``Retry-After`` for everyone. So it settles just under the limit with an occasional 403, not a storm.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

START_RATE = 2.5
"""Writes a second a pacer starts at (unless told): Drive's sustained per-user limit is about 2-3."""
_EPSILON = 1e-9


class Pacer:
    """A token bucket: ``acquire`` blocks until a write may go; ``rate_limited`` and ``succeeded`` adapt it.

    It starts at ``start`` writes a second (default ``min(rate, START_RATE)``) and never goes above
    ``rate`` nor below ``min_rate``. The bucket holds at most ``burst`` writes, and at most one second's
    worth at the current rate, so a slowed-down pacer does not burst past the limit it just met.
    """

    def __init__(
        self,
        rate: float = 10.0,
        burst: int = 5,
        min_rate: float = 0.25,
        start: float | None = None,
        increase: float = 0.1,
        decrease: float = 0.7,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1 or min_rate <= 0 or not 0 < decrease < 1 or increase < 0:
            raise ValueError("rate and min_rate must be positive, burst at least 1, decrease in (0, 1)")
        self.max_rate = rate
        self.min_rate = min(min_rate, rate)
        self.rate = max(self.min_rate, min(rate, START_RATE if start is None else start))
        self.burst = burst
        self.increase = increase
        self.decrease = decrease
        self._clock, self._sleep = clock, sleep
        self._tokens = self._capacity()
        self._stamp = clock()
        self._paused_until = 0.0
        self._calm_until = 0.0
        self._refused_at = 0.0  # the rate at the last "slow down"
        self._queued = False  # the last write waited for its token: the pacer, not the work, sets the pace
        self._lock = threading.Lock()
        self.waited = 0.0
        self.slowdowns = 0
        self.peak = self.rate

    def acquire(self) -> None:
        """Wait for a token (and for any pause Drive asked for), then take it."""
        waited = False
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                wait = max(self._paused_until - now, 0.0)
                if wait == 0.0 and self._tokens >= 1.0 - _EPSILON:  # (a float sum may fall a hair short)
                    self._tokens = max(0.0, self._tokens - 1.0)
                    self._queued = waited
                    return
                if wait == 0.0:
                    wait = (1.0 - self._tokens) / self.rate
                self.waited += wait
            waited = True
            self._sleep(wait)

    def rate_limited(self, retry_after: float | None = None) -> None:
        """Drive refused a write for its rate: cut the rate (once for answers that arrive together), empty
        the bucket, and pause everyone if Drive said for how long."""
        with self._lock:
            now = self._clock()
            self._tokens = 0.0
            self._stamp = now
            if now >= self._calm_until:  # several threads told at once count as one "slow down"
                self.slowdowns += 1
                self._refused_at = self.rate
                self.rate = max(self.min_rate, self.rate * self.decrease)
                self._calm_until = now + 1.0 / self.rate
            if retry_after:
                self._paused_until = max(self._paused_until, now + retry_after)

    def succeeded(self) -> None:
        """A write went through: while writes queue behind the pacer, probe upwards (additive increase:
        ``increase`` writes a second more for every second's worth of writes)."""
        with self._lock:
            if self._queued and self.rate < self.max_rate:
                step = self.increase / self.rate
                if self.rate >= 0.85 * self._refused_at > 0:  # near where Drive last said no: probe gently
                    step /= 5
                self.rate = min(self.max_rate, self.rate + step)
                self.peak = max(self.peak, self.rate)

    def _capacity(self) -> float:
        return min(float(self.burst), max(1.0, self.rate))

    def _refill(self, now: float) -> None:
        self._tokens = min(self._capacity(), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now


__all__ = ["START_RATE", "Pacer"]
