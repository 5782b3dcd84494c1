"""Measuring what a step costs: peak resident memory of this process, RSS of another process."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType


def _status_kb(pid: int | str, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size of a process in MB (Linux ``/proc``)."""
    return _status_kb(pid, "VmRSS") / 1024


class PeakMemory:
    """Peak RSS growth of this process during a ``with`` block, in MB.

    Resets the kernel's high-water mark (``/proc/self/clear_refs``, Linux >= 4.0) at the start, so
    the peak belongs to the block and not to earlier tests.
    """

    def __init__(self) -> None:
        self.start_mb = 0.0
        self.peak_mb = 0.0

    def __enter__(self) -> PeakMemory:
        Path("/proc/self/clear_refs").write_text("5")
        self.start_mb = rss_mb()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.peak_mb = _status_kb("self", "VmHWM") / 1024 - self.start_mb
