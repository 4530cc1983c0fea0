"""Tests of spiral_acme.hub: DeepMind module parity, SavedModel round trip,
load_policy and the errors for bad paths, modules and environments."""

import collections
import hashlib
import json
import shutil
import warnings

from dm_env import specs
import numpy as np
import pytest
import tensorflow as tf

import conftest
from spiral_acme import hub
from spiral_acme.hub import names
from spiral_acme.networks import config as config_lib
from spiral_acme.networks import policy as policy_lib

FIXTURE = conftest.DEEPMIND_FIXTURE
MODULE = FIXTURE / "module"
ENV_ORDER = ("control", "end", "flag", "pressure", "size", "red", "green",
             "blue")
HUB_VALUES = dict(zip(ENV_ORDER, (1024, 1024, 2, 10, 6, 20, 20, 20)))


@pytest.fixture(scope="module")
def deepmind_policy(deepmind_fixture):
  del deepmind_fixture  # Skips when the fixture is absent.
  return hub.read_deepmind_module(MODULE)


@pytest.fixture(scope="module")
def reference(deepmind_fixture):
  del deepmind_fixture
  return dict(np.load(FIXTURE / "reference.npz"))


def hub_specs(values=None, width=64):
  values = values or HUB_VALUES
  actions = collections.OrderedDict(
      (k, specs.DiscreteArray(n, name=k)) for k, n in values.items())
  observations = collections.OrderedDict(
      canvas=specs.Array((width, width, 3), np.float32, "canvas"),
      action_mask=collections.OrderedDict(
          (k, specs.Array((), np.float32, k)) for k in values))
  return actions, observations


def case_inputs(ref, keys=ENV_ORDER):
  """The fixture's step inputs (all 5 cases as one batch), nested."""
  observation = {
      "canvas": ref["input/observation/canvas"][:, 0],
      "noise_sample": ref["input/observation/noise_sample"][:, 0],
      "action_mask": {k: ref[f"input/observation/action_mask/{k}"][:, 0]
                      for k in keys}}
  state = {"lstm_state": {p: ref[f"input/state/lstm_state/{p}"][:, 0]
                          for p in ("cell", "hidden")},
           "prev_action": {k: ref[f"input/state/prev_action/{k}"][:, 0]
                           for k in keys}}
  actions = {k: ref[f"output/action/{k}"][:, 0] for k in keys}
  return ref["input/step_type"][:, 0], observation, state, actions


def test_reads_spec_and_config_from_the_checkpoint(deepmind_policy):
  assert deepmind_policy.spec.num_values == HUB_VALUES
  assert [a.key for a in deepmind_policy.spec.actions] == list(ENV_ORDER)
  assert deepmind_policy.spec.canvas_shape == (64, 64, 3)
  assert deepmind_policy.config == config_lib.PolicyNetworkConfig()
  assert policy_lib.count_parameters(deepmind_policy) == 1_613_329


def test_read_weights_match_the_fixture_hashes(deepmind_policy):
  stats = json.loads((FIXTURE / "variable_stats.json").read_text())
  stats = stats["variables"]
  weights = names.deepmind_weights(deepmind_policy)
  assert sorted(weights) == sorted(stats)
  for name, value in weights.items():
    digest = hashlib.sha256(
        np.ascontiguousarray(value, "<f4").tobytes()).hexdigest()
    assert digest == stats[name]["sha256_le_f32_rowmajor"], name


def test_reproduces_the_reference_outputs(deepmind_policy, reference):
  step_type, observation, state, actions = case_inputs(reference)
  _, new_state, extras = deepmind_policy.step(step_type, observation, state,
                                              actions)
  for key in ENV_ORDER:
    np.testing.assert_allclose(extras["logits"][key],
                               reference[f"internal/logits/{key}"][:, 0],
                               atol=1e-4, rtol=0, err_msg=key)
  for part in ("cell", "hidden"):
    np.testing.assert_allclose(
        new_state["lstm_state"][part],
        reference[f"output/state/lstm_state/{part}"][:, 0], atol=1e-4,
        rtol=0)
  np.testing.assert_allclose(extras["baseline"],
                             reference["internal/baseline"][:, 0], atol=1e-4,
                             rtol=0)
  assert list(extras["logits"]) == list(reference["meta/head_order"])


@pytest.mark.parametrize("path,message", [
    ("does/not/exist", "does not exist"),
    (".", "lacks"),
])
def test_bad_module_paths_name_the_expected_files(path, message, tmp_path):
  target = tmp_path / path
  if path == ".":
    (tmp_path / "saved_model.pb").write_bytes(b"")
  with pytest.raises(FileNotFoundError, match=message) as info:
    hub.read_deepmind_module(target)
  assert "tfhub_module.pb" in str(info.value)
  assert str(target) in str(info.value)


def test_broken_checkpoint_lists_every_bad_variable(tmp_path,
                                                    deepmind_fixture):
  del deepmind_fixture
  module = tmp_path / "module"
  (module / "variables").mkdir(parents=True)
  for name in ("saved_model.pb", "tfhub_module.pb"):
    shutil.copy(MODULE / name, module / name)
  reader = tf.train.load_checkpoint(str(MODULE / "variables" / "variables"))
  values = {n: reader.get_tensor(n)
            for n in reader.get_variable_to_shape_map()}
  del values["default/head/linear/b"]
  values["default/extra/w"] = np.zeros([3], np.float32)
  values["default/torso/mlp/linear_0/b"] = np.zeros([65], np.float32)
  tf.raw_ops.SaveV2(prefix=str(module / "variables" / "variables"),
                    tensor_names=list(values),
                    shape_and_slices=[""] * len(values),
                    tensors=list(values.values()))
  with pytest.raises(ValueError) as info:
    hub.read_deepmind_module(module)
  message = str(info.value)
  assert "1 missing: default/head/linear/b" in message
  assert "1 unexpected: default/extra/w" in message
  assert "default/torso/mlp/linear_0/b [65] (expected [64])" in message


def _small_policy(conditional=False, **network_overrides):
  values = {**HUB_VALUES, "control": 256, "end": 256}
  actions, observations = hub_specs(values, width=32)
  return policy_lib.SpiralPolicy(
      actions, observations,
      config_lib.PolicyNetworkConfig.small(**network_overrides),
      conditional=conditional, seed=0).create_variables()


def _inputs(policy, batch=3):
  rng = np.random.RandomState(0)
  observation = {
      "canvas": rng.rand(batch, *policy.spec.canvas_shape).astype("f"),
      "noise_sample": rng.randn(batch, 10).astype("f"),
      "action_mask": {a.key: np.ones([batch], "f")
                      for a in policy.spec.actions}}
  if policy.spec.conditional:
    observation["target"] = rng.rand(batch, *policy.spec.canvas_shape
                                     ).astype("f")
  actions = {a.key: rng.randint(0, a.num_values, batch).astype("i")
             for a in policy.spec.actions}
  return np.ones([batch], "i"), observation, actions


class FakeEnvConfig:
  """Stands in for LibMyPaintConfig: anything with to_dict() is accepted."""

  def to_dict(self):
    return {"canvas_width": 32, "grid_width": 16, "brush_sizes": [1, 4]}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
  # Every location option on, with cells drawn off the image-aligned grid,
  # so the round trip covers their config and layers too.
  centres = tuple((0.2 + 0.04 * r, 0.1 + 0.05 * c)
                  for r in range(16) for c in range(16))
  policy = _small_policy(conditional=True, location_skip=True,
                         location_readout=True, location_readout_pixels=True,
                         location_glimpse=8, location_cell_centres=centres)
  path = tmp_path_factory.mktemp("export") / "policy"
  hub.export_policy(policy, path, FakeEnvConfig())
  return policy, path, FakeEnvConfig().to_dict()


def test_saved_model_has_deepmind_names_and_dynamic_batch(exported,
                                                          deepmind_fixture):
  del deepmind_fixture
  _, path, _ = exported
  loaded = tf.saved_model.load(str(path))
  step = loaded.signatures["step"]
  inputs = {s.name for s in tf.nest.flatten(step.structured_input_signature)}
  expected = set(json.loads((FIXTURE / "signatures.json").read_text())
                 ["signatures"]["step"]["inputs"]) | {"observation/target"}
  assert inputs == expected
  assert all(s.shape[0] is None
             for s in tf.nest.flatten(step.structured_input_signature))
  outputs = set(step.structured_outputs)
  assert {"action/end", "state/lstm_state/cell", "state/prev_action/flag",
          "logits/blue", "baseline"} <= outputs
  state = loaded.signatures["initial_state"](batch_size=tf.constant(4))
  assert state["state/lstm_state/hidden"].shape == (4, 128)
  assert state["state/prev_action/red"].dtype == tf.int32


def test_tensorflow_hub_opens_the_export(exported):
  _, path, _ = exported
  with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import tensorflow_hub  # pylint: disable=g-import-not-at-top
  module = tensorflow_hub.load(str(path))
  assert {"initial_state", "step", "teacher_forced_step", "reseed"} <= set(
      module.signatures)


def test_loaded_policy_matches_the_in_memory_one(exported):
  policy, path, env_config = exported
  loaded = hub.load_policy(path)
  assert loaded.kind == "saved_model"
  assert loaded.env_config == env_config
  assert json.loads((path / "assets" / "env_config.json").read_text()) == (
      env_config)
  assert loaded.network_config == policy.config
  assert loaded.spec == policy.spec
  step_type, observation, actions = _inputs(policy)
  state = loaded.initial_state(3)
  _, s1, e1 = loaded.step(step_type, observation, state, actions)
  _, s2, e2 = policy.step(step_type, observation, policy.initial_state(3),
                          actions)
  assert list(e1["logits"]) == list(e2["logits"])
  for key in e1["logits"]:
    np.testing.assert_allclose(e1["logits"][key], e2["logits"][key],
                               atol=1e-5)
  np.testing.assert_allclose(s1["lstm_state"]["cell"],
                             s2["lstm_state"]["cell"], atol=1e-5)
  sampled, _, _ = loaded.step(step_type, observation, state)
  for a in policy.spec.actions:
    assert np.all((sampled[a.key] >= 0) & (sampled[a.key] < a.num_values))


def test_export_keeps_the_location_stroke_and_its_pen(tmp_path):
  policy = _small_policy(conditional=True, location_skip=True,
                         location_stroke=4)
  hub.export_policy(policy, tmp_path / "policy", FakeEnvConfig())
  loaded = hub.load_policy(tmp_path / "policy")
  assert loaded.network_config.location_stroke == 4
  step_type, observation, actions = _inputs(policy)
  for state in (policy.initial_state(3), dict(
      policy.initial_state(3), prev_action=dict(
          policy.initial_state(3)["prev_action"],
          end=tf.constant([5, 77, 250])))):
    _, _, want = policy.step(step_type, observation, state, actions)
    _, _, got = loaded.step(step_type, observation, state, actions)
    for key in ("end", "control"):
      np.testing.assert_allclose(got["logits"][key], want["logits"][key],
                                 atol=1e-5)


def test_reseed_restarts_the_sampling_stream(exported):
  policy, path, _ = exported
  step_type, observation, _ = _inputs(policy, batch=16)
  for loaded in (hub.load_policy(path), hub.LoadedPolicy.from_policy(
      policy, source="memory", kind="memory", env_config=None)):
    state = loaded.initial_state(16)
    draws = []
    for seed in (3, 3, 4):
      loaded.reseed(seed)
      draws.append(loaded.step(step_type, observation, state)[0]["end"])
    np.testing.assert_array_equal(draws[0], draws[1])
    assert np.any(np.asarray(draws[0]) != np.asarray(draws[2]))


def test_loaded_policy_rejects_a_wrong_canvas(exported):
  policy, path, _ = exported
  step_type, observation, _ = _inputs(policy)
  observation["canvas"] = np.zeros([3, 64, 64, 3], "f")
  loaded = hub.load_policy(path)
  with pytest.raises(ValueError, match=r"\[32, 32, 3\]"):
    loaded.step(step_type, observation, loaded.initial_state(3))


def test_load_policy_opens_deepmind_modules(reference):
  loaded = hub.load_policy(MODULE)
  assert loaded.kind == "deepmind_hub"
  assert loaded.env_config == hub.HUB_ENV_CONFIG
  step_type, observation, state, actions = case_inputs(reference)
  _, _, extras = loaded.step(step_type, observation, state, actions)
  np.testing.assert_allclose(extras["logits"]["flag"],
                             reference["internal/logits/flag"][:, 0],
                             atol=1e-4)


def test_load_policy_bad_paths(tmp_path):
  with pytest.raises(FileNotFoundError, match="does not exist"):
    hub.load_policy(tmp_path / "missing")
  with pytest.raises(FileNotFoundError, match="spiral_policy.json"):
    hub.load_policy(tmp_path)


def test_export_rejects_bad_env_config(tmp_path):
  with pytest.raises(ValueError, match="env_config"):
    hub.export_policy(_small_policy(), tmp_path / "p", object())


def test_check_compatible_names_every_mismatch(deepmind_policy):
  actions, observations = hub_specs()
  hub.check_compatible(deepmind_policy, actions, observations)
  values = {k: v for k, v in HUB_VALUES.items() if k != "pressure"}
  values.update(end=256, alpha=10)
  actions, observations = hub_specs(values, width=32)
  with pytest.raises(ValueError) as info:
    hub.check_compatible(deepmind_policy, actions, observations)
  message = str(info.value)
  assert "'pressure' is not in the environment" in message
  assert "'alpha' is not in the policy" in message
  assert "'end' has 256 values in the environment, 1024 in the policy" in (
      message)
  assert "(32, 32, 3)" in message and "(64, 64, 3)" in message
