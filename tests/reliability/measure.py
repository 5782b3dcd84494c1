"""Measuring what a step costs: peak resident memory of this process, RSS and CPU time of another process."""

from __future__ import annotations

import os
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


def cpu_s(pid: int | str = "self") -> float:
    """User plus system CPU time a process has used so far, in seconds (Linux ``/proc``)."""
    # Fields 14 and 15 of /proc/PID/stat; the command name (field 2) may hold spaces, so split after it.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
