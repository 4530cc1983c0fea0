"""SIGINT/SIGTERM become a stop request; a second SIGINT aborts."""

import os
import signal
import subprocess
import sys
import textwrap

from spiral_acme import interrupts


def test_signal_sets_the_request_and_handlers_are_restored():
  previous = signal.getsignal(signal.SIGTERM)
  messages = []
  with interrupts.StopRequest(print_fn=messages.append) as stop:
    assert not stop.requested
    os.kill(os.getpid(), signal.SIGTERM)
    assert stop.wait(5)
    assert stop.signal_name == "SIGTERM"
  assert signal.getsignal(signal.SIGTERM) is previous
  assert "finishing the current step" in messages[0]


def test_second_sigint_aborts_at_once():
  script = textwrap.dedent("""
      import os, signal, time
      from spiral_acme import interrupts
      with interrupts.StopRequest() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        stop.wait(5)
        print("first handled", flush=True)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(10)
        print("not reached", flush=True)
  """)
  result = subprocess.run([sys.executable, "-c", script], capture_output=True,
                          text=True, timeout=120,
                          cwd=os.path.dirname(os.path.dirname(__file__)))
  assert result.returncode == 130
  assert "first handled" in result.stdout
  assert "not reached" not in result.stdout
  assert "aborting now" in result.stderr
