"""Starting and stopping `ivk emulator` for the conformance scripts. Standard library only, so both
openapi_check.py and emulator_socketio.py (run under Debian's /usr/bin/python3) can use it."""
import re
import signal
import subprocess
import sys


def start_emulator(ivk, args):
    """Runs `ivk emulator --port 0 ARGS`; returns the process and the URL from its first line."""
    proc = subprocess.Popen([ivk, "emulator", "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"(http://\S+)", line)
    if not m:
        proc.kill()
        sys.exit(f"emulator did not start: {line!r} {proc.stderr.read()[:500]}")
    return proc, m.group(1)


def stop_emulator(proc, failures):
    """SIGINT, then a failure appended unless the emulator exits 0 within 15 s."""
    proc.send_signal(signal.SIGINT)
    try:
        rc = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = "killed"
    if rc != 0:
        failures.append(f"emulator exit status {rc} after SIGINT")
