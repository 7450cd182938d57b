"""The `arcemu serve` process as the Python suites drive it: its stdout drained in a thread (the
banner is read from a queue; nothing blocks on a full pipe), and a stop that asks first
(SIGTERM) and insists after 5 s. Shared by tests/python and tests/az."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
from typing import Callable, Optional


def drain(proc: subprocess.Popen, on_line: Optional[Callable[[str], None]] = None) -> "queue.Queue[Optional[str]]":
    """Reads the process's stdout until it ends, line by line into the returned queue (then
    `None`), calling `on_line` for each line too."""
    lines: "queue.Queue[Optional[str]]" = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if on_line is not None:
                on_line(line)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, name="arcemu-stdout", daemon=True).start()
    return lines


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it is still running 5 s later."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
