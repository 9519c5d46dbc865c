"""One pacer for Drive writes, shared by every thread: a token bucket that keeps within Drive's write limit
and slows down when Drive says so.

Drive lets one user make only about 2-3 file writes a second sustained; more gets 403
``userRateLimitExceeded`` (or 429). Retrying each call on its own burns its retries in a storm: every
thread backs off, then all come back at once. The pacer holds all writers to one rate instead; a rate-limit
answer halves it (and honours ``Retry-After`` for everyone), and it creeps back up after a run of
successes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    """A token bucket: ``acquire`` blocks until a write may go; ``rate_limited`` and ``succeeded`` adapt it.

    ``rate`` writes a second sustained, bursts of up to ``burst``; after a rate-limit answer the rate halves
    (never below ``min_rate``) and then grows by a tenth after every ``recover_after`` successes, up to the
    starting rate.
    """

    def __init__(
        self,
        rate: float = 2.5,
        burst: int = 5,
        min_rate: float = 0.25,
        recover_after: int = 10,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.max_rate = rate
        self.rate = rate
        self.burst = burst
        self.min_rate = min_rate
        self.recover_after = recover_after
        self._clock, self._sleep = clock, sleep
        self._tokens = float(burst)
        self._stamp = clock()
        self._paused_until = 0.0
        self._calm_until = 0.0
        self._streak = 0
        self._lock = threading.Lock()
        self.waited = 0.0
        self.slowdowns = 0

    def acquire(self) -> None:
        """Wait for a token (and for any pause Drive asked for), then take it."""
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                wait = max(self._paused_until - now, 0.0)
                if wait == 0.0 and self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                if wait == 0.0:
                    wait = (1.0 - self._tokens) / self.rate
            with self._lock:
                self.waited += wait
            self._sleep(wait)

    def rate_limited(self, retry_after: float | None = None) -> None:
        """Drive refused a write for its rate: halve the rate (once for answers that arrive together), empty
        the bucket, and pause everyone if Drive said for how long."""
        with self._lock:
            now = self._clock()
            self._tokens = 0.0
            self._streak = 0
            if now >= self._calm_until:  # several threads told at once count as one "slow down"
                self.slowdowns += 1
                self.rate = max(self.min_rate, self.rate / 2)
                self._calm_until = now + 1.0 / self.rate
            if retry_after:
                self._paused_until = max(self._paused_until, self._clock() + retry_after)

    def succeeded(self) -> None:
        """A write went through: after a run of them, speed up again towards the starting rate."""
        with self._lock:
            self._streak += 1
            if self._streak >= self.recover_after and self.rate < self.max_rate:
                self.rate = min(self.max_rate, self.rate * 1.1)
                self._streak = 0

    def _refill(self, now: float) -> None:
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now


__all__ = ["Pacer"]
