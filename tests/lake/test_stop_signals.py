"""`lake up` (a long-running command) stops on SIGTERM as on Ctrl-C, and shows its threads' stacks on SIGUSR1."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import os, signal, time
from lake.commands import handle_stop_signals
handle_stop_signals()
os.kill(os.getpid(), signal.SIGUSR1)
time.sleep(0.2)
print("alive after SIGUSR1", flush=True)
try:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)
    print("not stopped")
except KeyboardInterrupt:
    print("stopped as on Ctrl-C")
"""


INTERRUPT = """
import os, signal, time
from lake.commands import handle_stop_signals
handle_stop_signals()
try:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(5)
    print("not stopped")
except KeyboardInterrupt:
    print("stopped")
"""


def test_ctrl_c_stops_it_even_when_started_with_sigint_ignored():
    """A shell starts a background job (``lake up &``) with SIGINT ignored, and Python then keeps ignoring it."""
    proc = subprocess.run(
        [sys.executable, "-c", INTERRUPT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    assert proc.stdout.strip() == "stopped", proc.stderr


def test_sigterm_runs_the_ctrl_c_cleanup_and_sigusr1_prints_the_stacks_and_goes_on():
    proc = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["alive after SIGUSR1", "stopped as on Ctrl-C"]
    assert "Current thread" in proc.stderr and 'File "<string>"' in proc.stderr  # faulthandler's stack dump
