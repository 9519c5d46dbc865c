"""The write pacer: one token bucket for all threads that probes up to Drive's limit and backs off (AIMD)."""

from __future__ import annotations

import threading

import pytest

from gdrivestats.drive.pacer import START_RATE, Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


class FakeDrive:
    """Drive's per-user write limit as the emulator models it: a token bucket of ``rate`` a second."""

    def __init__(self, t: FakeTime, rate: float) -> None:
        self.t, self.rate = t, rate
        self.allowance, self.checked = rate, 0.0
        self.accepted = self.refused = 0

    def write(self) -> bool:
        self.allowance = min(self.rate, self.allowance + (self.t.now - self.checked) * self.rate)
        self.checked = self.t.now
        if self.allowance < 1.0:
            self.refused += 1
            return False
        self.allowance -= 1.0
        self.accepted += 1
        return True


def write_all(pacer: Pacer, drive: FakeDrive, writes: int, latency: float = 0.1) -> list[float]:
    """Send ``writes`` writes one after another through the pacer (a refused one is sent again after a
    second, as the retry loop does); the pacer's rate after each accepted write."""
    rates = []
    while drive.accepted < writes:
        pacer.acquire()
        drive.t.now += latency
        if drive.write():
            pacer.succeeded()
            rates.append(pacer.rate)
        else:
            pacer.rate_limited()
            drive.t.now += 1.0
    return rates


def test_bursts_then_keeps_to_the_rate() -> None:
    t = FakeTime()
    pacer = Pacer(rate=4.0, start=4.0, burst=4, clock=t.clock, sleep=t.sleep)
    for _ in range(4):
        pacer.acquire()
    assert t.now == 0.0  # the burst goes at once
    for _ in range(10):
        pacer.acquire()
    assert t.now == pytest.approx(2.5)  # then 4 a second: 10 more take 2.5 s


def test_it_starts_at_drives_sustained_rate_unless_told() -> None:
    assert Pacer().rate == START_RATE and Pacer(rate=1.0).rate == 1.0 and Pacer(start=5.0).rate == 5.0
    assert Pacer(rate=10.0).max_rate == 10.0


def test_a_rate_limit_cuts_the_rate_and_honours_retry_after() -> None:
    t = FakeTime()
    pacer = Pacer(rate=2.0, start=2.0, burst=1, decrease=0.5, clock=t.clock, sleep=t.sleep)
    pacer.acquire()
    pacer.rate_limited(retry_after=3.0)
    assert pacer.rate == 1.0 and pacer.slowdowns == 1
    pacer.acquire()
    assert t.now == pytest.approx(3.0)  # nobody writes during the pause Drive asked for
    pacer.acquire()
    assert t.now == pytest.approx(4.0)  # then at the cut rate: one a second
    for _ in range(3):
        t.now += 10.0  # separate storms
        pacer.rate_limited()
    assert pacer.rate == 0.25  # halved three more times (0.125) but never below the floor


def test_answers_that_arrive_together_cut_the_rate_once() -> None:
    t = FakeTime()
    pacer = Pacer(rate=8.0, start=8.0, burst=8, decrease=0.5, clock=t.clock, sleep=t.sleep)
    for _ in range(8):  # eight upload threads told "slow down" in the same instant
        pacer.rate_limited()
    assert pacer.rate == 4.0 and pacer.slowdowns == 1


def test_it_settles_at_drives_real_limit_with_few_refusals() -> None:
    """Started below a 3-a-second limit, the pacer probes up to it and stays there: the writes go at
    about the limit (the fake clock's time for 300 of them) and only a few are refused."""
    t = FakeTime()
    pacer = Pacer(rate=10.0, burst=20, min_rate=0.5, clock=t.clock, sleep=t.sleep)
    drive = FakeDrive(t, rate=3.0)
    rates = write_all(pacer, drive, 300)
    assert max(rates[:5]) < 3.0  # it starts below the limit (no storm at the start)
    assert max(rates) > 3.0 and pacer.slowdowns >= 1  # it probed past the limit and came back
    assert all(2.0 <= r <= 4.5 for r in rates[60:])  # and then stays around it
    assert drive.refused <= 0.03 * drive.accepted
    assert 300 / 3.0 <= t.now <= 300 / 2.6  # about 3 writes a second overall


@pytest.mark.parametrize("limit", [1.5, 6.0])
def test_it_finds_a_lower_or_a_higher_limit(limit: float) -> None:
    t = FakeTime()
    pacer = Pacer(rate=10.0, burst=20, min_rate=0.25, clock=t.clock, sleep=t.sleep)
    drive = FakeDrive(t, rate=limit)
    rates = write_all(pacer, drive, 400)
    late = rates[200:]
    assert 0.6 * limit <= sum(late) / len(late) <= 1.3 * limit
    assert drive.refused <= 0.1 * drive.accepted


def test_it_never_probes_past_its_ceiling() -> None:
    t = FakeTime()
    pacer = Pacer(rate=4.0, burst=4, clock=t.clock, sleep=t.sleep)
    rates = write_all(pacer, FakeDrive(t, rate=100.0), 500)
    assert max(rates) == 4.0 and pacer.slowdowns == 0


def test_it_does_not_probe_while_the_work_sets_the_pace() -> None:
    """Writes that come slower than the rate never wait for a token, so they say nothing about the limit:
    the rate stays where it is (else a later burst of work would storm at an untested rate)."""
    t = FakeTime()
    pacer = Pacer(rate=10.0, clock=t.clock, sleep=t.sleep)
    for _ in range(100):
        pacer.acquire()
        pacer.succeeded()
        t.now += 1.0  # one write a second, the pacer allows 2.5
    assert pacer.rate == START_RATE


def test_threads_share_one_bucket() -> None:
    t = FakeTime()
    pacer = Pacer(rate=4.0, start=4.0, burst=2, clock=t.clock, sleep=t.sleep)
    threads = [threading.Thread(target=lambda: [pacer.acquire() for _ in range(5)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert t.now >= (20 - 2) / 4.0 - 1e-9  # 20 writes, 2 in the burst, 4 a second: at least 4.5 s


@pytest.mark.parametrize(
    "settings", [{"rate": 0}, {"burst": 0}, {"min_rate": 0}, {"decrease": 1.0}, {"increase": -1.0}]
)
def test_nonsense_settings_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Pacer(**settings)  # type: ignore[arg-type]
