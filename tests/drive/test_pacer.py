"""The write pacer: one token bucket for all threads, halving on rate limits, recovering after successes."""

from __future__ import annotations

import threading

import pytest

from gdrivestats.drive.pacer import Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def test_bursts_then_keeps_to_the_rate() -> None:
    t = FakeTime()
    pacer = Pacer(rate=2.0, burst=4, clock=t.clock, sleep=t.sleep)
    for _ in range(4):
        pacer.acquire()
    assert t.now == 0.0  # the burst goes at once
    for _ in range(10):
        pacer.acquire()
    assert t.now == pytest.approx(5.0)  # then 2 a second: 10 more take 5 s


def test_a_rate_limit_halves_the_rate_and_honours_retry_after() -> None:
    t = FakeTime()
    pacer = Pacer(rate=2.0, burst=1, clock=t.clock, sleep=t.sleep)
    pacer.acquire()
    pacer.rate_limited(retry_after=3.0)
    assert pacer.rate == 1.0 and pacer.slowdowns == 1
    pacer.acquire()
    assert t.now == pytest.approx(3.0)  # nobody writes during the pause Drive asked for
    pacer.acquire()
    assert t.now == pytest.approx(4.0)  # then at the halved rate: one a second
    for _ in range(3):
        t.now += 10.0  # separate storms
        pacer.rate_limited()
    assert pacer.rate == 0.25  # halved three more times (0.125) but never below the floor


def test_answers_that_arrive_together_halve_the_rate_once() -> None:
    t = FakeTime()
    pacer = Pacer(rate=8.0, burst=8, clock=t.clock, sleep=t.sleep)
    for _ in range(8):  # eight upload threads told "slow down" in the same instant
        pacer.rate_limited()
    assert pacer.rate == 4.0 and pacer.slowdowns == 1


def test_successes_bring_the_rate_back_but_never_above_the_start() -> None:
    pacer = Pacer(rate=2.0, recover_after=2)
    pacer.rate_limited()
    for _ in range(40):
        pacer.succeeded()
    assert pacer.rate == 2.0


def test_threads_share_one_bucket() -> None:
    t = FakeTime()
    pacer = Pacer(rate=4.0, burst=2, clock=t.clock, sleep=t.sleep)
    threads = [threading.Thread(target=lambda: [pacer.acquire() for _ in range(5)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert t.now >= (20 - 2) / 4.0 - 1e-9  # 20 writes, 2 in the burst, 4 a second: at least 4.5 s


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Pacer(rate=0)
