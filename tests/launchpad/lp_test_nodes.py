"""Small node classes for the launchpad tests (importable by child processes)."""

import json
import os
import threading
import time

import numpy as np

import spiral_acme.launchpad as lp


def make_tables():
  import reverb  # pylint: disable=g-import-not-at-top
  return [reverb.Table.queue("q", max_size=100)]


class Counter:
  """A Courier node: a thread-safe counter with a few test methods."""

  def __init__(self):
    self._value = 0
    self._lock = threading.Lock()

  def add(self, n):
    with self._lock:
      self._value += n
      return self._value

  def value(self):
    return self._value

  def double(self, array):
    return array * 2

  def fail(self):
    raise ValueError("bad value 42")


class Ping:
  """Courier nodes that call each other: a cycle made with create_handle."""

  def __init__(self, peers, word):
    self._peer = peers[0] if peers else None
    self._word = word

  def bounce(self, n):
    if n == 0 or self._peer is None:
      return self._word
    return f"{self._word}>{self._peer.bounce(n - 1)}"


class Producer:
  """Adds to the counter (futures), then inserts `count` items into replay."""

  def __init__(self, sinks, replays, count):
    self._counter = sinks["counter"]
    self._replay = replays[0]
    self._count = count

  def run(self):
    futures = [self._counter.futures.add(1) for _ in range(self._count)]
    for f in futures:
      f.result(timeout=30)
    for i in range(self._count):
      self._replay.insert([np.float32(i)], priorities={"q": 1.0})


class Consumer:
  """Samples `count` items, queries the other nodes, writes a JSON report."""

  def __init__(self, replay, counter, ping, out_path, count):
    self._replay = replay
    self._counter = counter
    self._ping = ping
    self._out_path = out_path
    self._count = count

  def run(self):
    total = 0.0
    for _ in range(self._count):
      sample = next(self._replay.sample("q", num_samples=1,
                                        emit_timesteps=False))
      total += float(sample.data[0][0])
    try:
      self._counter.fail()
      error = ""
    except Exception as e:  # pylint: disable=broad-except
      error = f"{type(e).__name__}: {e}"
    report = {
        "sum": total,
        "counter": self._counter.value(),
        "double": self._counter.futures.double(np.arange(3)).result().tolist(),
        "ping": self._ping.bounce(3),
        "error": error,
    }
    with open(self._out_path, "w") as f:
      json.dump(report, f)


def make_program(out_path, count=5):
  """replay + counter + ping/pong cycle + producer + consumer."""
  program = lp.Program("test")
  with program.group("replay"):
    replay = program.add_node(lp.ReverbNode(make_tables))
  with program.group("counter"):
    counter = program.add_node(lp.CourierNode(Counter))
  ping_peers = []  # Filled below: handles in lists resolve at node start.
  ping_node = lp.CourierNode(Ping, ping_peers, "ping")
  pong_node = lp.CourierNode(Ping, [ping_node.create_handle()], "pong")
  ping_peers.append(pong_node.create_handle())
  with program.group("ping"):
    ping = program.add_node(ping_node)
    program.add_node(pong_node)
  with program.group("producer"):
    program.add_node(lp.PyClassNode(Producer, {"counter": counter}, [replay],
                                    count))
  with program.group("consumer"):
    program.add_node(lp.PyClassNode(Consumer, replay, counter, ping, out_path,
                                    count))
  return program


class Sleeper:
  """Loops until stopped; on stop appends "<name> <time_ns>" to a file."""

  def __init__(self, name, stops_path, stop_delay=0.0):
    self._name = name
    self._stops_path = stops_path
    self._stop_delay = stop_delay

  def run(self):
    while not lp.wait_for_stop(0.05):
      pass
    time.sleep(self._stop_delay)
    with open(self._stops_path, "a") as f:
      f.write(f"{self._name} {time.time_ns()}\n")


class Caller:
  """Calls counter.add(1) in a loop, surviving the counter's restarts."""

  def __init__(self, counter):
    self._counter = counter

  def run(self):
    while not lp.wait_for_stop(0.05):
      try:
        self._counter.add(1)
      except Exception:  # pylint: disable=broad-except
        pass


class Crasher:
  def __init__(self, message):
    self._message = message

  def run(self):
    raise RuntimeError(self._message)


class Stopper:
  """Calls lp.stop() after `delay` seconds; then waits for the stop, or
  returns at once (as the budget node does) when `wait` is False."""

  def __init__(self, delay, wait=True):
    self._delay = delay
    self._wait = wait

  def run(self):
    time.sleep(self._delay)
    lp.stop()
    if self._wait:
      lp.wait_for_stop()


def stopper_program(stops_path, *, wait=True):
  """A Stopper that asks for the stop after 0.2 s, and a Sleeper."""
  program = lp.Program("stopper")
  with program.group("stopper"):
    program.add_node(lp.PyClassNode(Stopper, 0.2, wait=wait))
  with program.group("sleeper"):
    program.add_node(lp.PyClassNode(Sleeper, "s", stops_path))
  return program


def sleeper_program(stops_path):
  """actor x2, learner, evaluator: Sleepers recording their stop times."""
  program = lp.Program("sleepers")
  for group, count in (("learner", 1), ("evaluator", 1), ("actor", 2)):
    with program.group(group):
      for i in range(count):
        program.add_node(lp.PyClassNode(Sleeper, f"{group}_{i}", stops_path))
  return program
