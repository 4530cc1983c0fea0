"""A Reverb server in its own process, for tests that kill it.

    python replay_server_main.py PORT   # prints "ready" once serving
"""

import sys
import time

import reverb
import tensorflow as tf

from spiral_acme.replay import make_server

if __name__ == "__main__":
  server = make_server([
      reverb.Table.queue("q", 100,
                         signature={"x": tf.TensorSpec([3], tf.float32)}),
      reverb.Table.queue("v", 1)], port=int(sys.argv[1]))
  print("ready", flush=True)
  while True:
    time.sleep(60)
