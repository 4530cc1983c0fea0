"""The console progress line."""

from spiral_acme import progress


class _Clock:

  def __init__(self):
    self.now = 0.0

  def __call__(self):
    return self.now


def test_line_shows_steps_frames_rate_elapsed_eta_return_and_l2():
  clock = _Clock()
  lines = []
  reporter = progress.ProgressReporter(total_steps=600, every_seconds=30,
                                       print_fn=lines.append, clock=clock)
  reporter.maybe_report(progress.Progress(100, 100_000, 60.0))
  clock.now = 10.0
  reporter.maybe_report(progress.Progress(110, 110_000, 70.0))
  assert len(lines) == 1  # Within the interval: nothing printed.
  clock.now = 40.0
  reporter.maybe_report(progress.Progress(
      140, 140_000, 100.0, episode_return=0.5, l2_ratio=0.61))
  line = lines[-1]
  assert line.startswith("step 140/600 (23%)")
  assert "140.00k frames" in line and "1000 frames/s" in line
  assert "1m40s" in line  # Elapsed over every run of the workdir.
  assert "ETA 7m40s" in line  # 460 steps at 1 step/s.
  assert "return 0.500" in line and "held-out L2 0.61 of blank" in line


def test_eta_from_minutes_budget_when_sooner():
  clock = _Clock()
  lines = []
  reporter = progress.ProgressReporter(budget_seconds=300, print_fn=lines.append,
                                       clock=clock)
  reporter.report(progress.Progress(1, 10, 0.0))
  clock.now = 100.0
  reporter.report(progress.Progress(2, 20, 100.0))
  assert "1m40s/5m00s" in lines[-1] and "ETA 3m20s" in lines[-1]
