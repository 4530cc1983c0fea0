"""Which accelerators a process may use: learners a GPU, actors none.

Both must run before TensorFlow first touches the GPU (building a tensor is
enough); afterwards they log a warning and leave the devices as they are
(e.g. in a local_mt program, where every node shares one process).
"""

import os

from absl import logging
import tensorflow as tf


def hide_gpus() -> None:
  """Keeps this process off every GPU (CPU actors reserve no GPU memory)."""
  os.environ["CUDA_VISIBLE_DEVICES"] = ""  # For libraries that read it late.
  try:
    tf.config.set_visible_devices([], "GPU")
  except (RuntimeError, ValueError) as e:
    logging.warning("Could not hide the GPUs (TensorFlow already started: "
                    "%s); this process may use them.", e)


def use_gpu_memory_growth() -> int:
  """Lets TF grow GPU memory as needed instead of taking it all.

  Returns:
    The number of GPUs this process sees (0: it runs on the CPU).
  """
  gpus = tf.config.list_physical_devices("GPU")
  for gpu in gpus:
    try:
      tf.config.experimental.set_memory_growth(gpu, True)
    except (RuntimeError, ValueError) as e:
      logging.warning("Could not turn on memory growth for %s: %s", gpu.name, e)
  return len(gpus)
