"""`lake up` (a long-running command) stops on Ctrl-C and SIGTERM, and shows its threads' stacks on SIGUSR1."""

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
for sig in (signal.SIGINT, signal.SIGTERM):
    try:
        os.kill(os.getpid(), sig)
        time.sleep(5)
        print("not stopped by", sig.name)
    except KeyboardInterrupt:
        print("stopped by", sig.name, flush=True)
"""


def test_ctrl_c_and_sigterm_stop_it_and_sigusr1_prints_the_stacks_and_goes_on():
    """Started with SIGINT ignored, as a shell starts a background job (``lake up &``): Python would keep ignoring
    it; lake up installs its own handler."""
    proc = subprocess.run(
        [sys.executable, "-c", CODE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["alive after SIGUSR1", "stopped by SIGINT", "stopped by SIGTERM"]
    assert "Current thread" in proc.stderr and 'File "<string>"' in proc.stderr  # faulthandler's stack dump
