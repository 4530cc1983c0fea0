"""Atomic checkpoints and the fallback past damaged ones."""

import os

import numpy as np
import pytest
import tensorflow as tf

from spiral_acme import checkpointing


def _checkpoint(value: float):
  variable = tf.Variable(np.full([64], value, np.float32))
  return variable, tf.train.Checkpoint(weights=variable)


def test_save_keeps_the_newest_and_leaves_no_temporary_folder(tmp_path):
  checkpointer = checkpointing.Checkpointer(str(tmp_path), max_to_keep=2)
  variable, checkpoint = _checkpoint(0.0)
  for step in (1, 2, 3):
    variable.assign(np.full([64], step, np.float32))
    checkpointer.save(checkpoint, step)
  assert [s for s, _ in checkpointer.checkpoints()] == [3, 2]
  assert sorted(os.listdir(tmp_path)) == ["step-2", "step-3"]


def test_restore_reads_the_newest(tmp_path):
  checkpointer = checkpointing.Checkpointer(str(tmp_path))
  variable, checkpoint = _checkpoint(5.0)
  checkpointer.save(checkpoint, 10)
  restored_var, restored = _checkpoint(0.0)
  step, prefix = checkpointer.latest_intact()
  checkpointer.restore(restored, prefix)
  assert step == 10
  np.testing.assert_array_equal(restored_var.numpy(), variable.numpy())


@pytest.mark.parametrize("damage", ["truncate", "garbage_index"])
def test_damaged_newest_falls_back_to_previous_with_a_warning(tmp_path, damage):
  warnings = []
  checkpointer = checkpointing.Checkpointer(str(tmp_path),
                                            warn=warnings.append)
  variable, checkpoint = _checkpoint(1.0)
  checkpointer.save(checkpoint, 1)
  variable.assign(np.full([64], 2.0, np.float32))
  newest = checkpointer.save(checkpoint, 2)
  folder = os.path.dirname(newest)
  if damage == "truncate":
    data = [f for f in os.listdir(folder) if ".data-" in f][0]
    path = os.path.join(folder, data)
    with open(path, "r+b") as f:
      f.truncate(os.path.getsize(path) // 2)
  else:
    with open(newest + ".index", "wb") as f:
      f.write(b"not an sstable at all")
  step, prefix = checkpointer.latest_intact()
  assert step == 1
  assert len(warnings) == 1 and newest in warnings[0]
  restored_var, restored = _checkpoint(0.0)
  checkpointer.restore(restored, prefix)
  np.testing.assert_array_equal(restored_var.numpy(), np.ones([64]))


def test_all_damaged_is_a_clear_error(tmp_path):
  checkpointer = checkpointing.Checkpointer(str(tmp_path), warn=lambda _: None)
  _, checkpoint = _checkpoint(1.0)
  prefix = checkpointer.save(checkpoint, 1)
  with open(prefix + ".index", "wb") as f:
    f.write(b"junk")
  with pytest.raises(checkpointing.CheckpointError, match="No intact checkpoint"):
    checkpointer.latest_intact()


def test_no_checkpoint_is_none(tmp_path):
  assert checkpointing.Checkpointer(str(tmp_path / "none")).latest_intact() is None
