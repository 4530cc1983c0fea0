"""DeepMind SPIRAL hub modules in, TF2 SavedModels out."""

from spiral_acme.hub.deepmind import read_deepmind_module
