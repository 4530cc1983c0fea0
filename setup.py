"""Builds the spiral_acme package and its libmypaint extension (pybind11)."""

import shlex
import subprocess

import setuptools
from pybind11.setup_helpers import Pybind11Extension, build_ext


def _pkg_config(*args: str) -> list[str]:
  try:
    out = subprocess.run(
        ["pkg-config", *args, "libmypaint"],
        check=True, capture_output=True, text=True).stdout
  except (OSError, subprocess.CalledProcessError) as e:
    raise SystemExit(
        "pkg-config could not find libmypaint (pkg-config name 'libmypaint'). "
        "Install the Debian packages first: `make install` does it, or "
        "`sudo apt-get install libmypaint-dev mypaint-brushes pkg-config`. "
        f"({e})")
  return shlex.split(out)


_cflags = _pkg_config("--cflags")
_libs = _pkg_config("--libs")

ext_modules = [
    Pybind11Extension(
        "spiral_acme._libmypaint",
        sources=[
            "third_party/libmypaint/binding.cc",
            "third_party/libmypaint/painter.cc",
            "third_party/libmypaint/tiled_canvas.cc",
        ],
        depends=[
            "third_party/libmypaint/painter.h",
            "third_party/libmypaint/tiled_canvas.h",
        ],
        include_dirs=["third_party/libmypaint"]
        + [f[2:] for f in _cflags if f.startswith("-I")],
        extra_compile_args=[f for f in _cflags if not f.startswith("-I")]
        + ["-O3"],
        library_dirs=[f[2:] for f in _libs if f.startswith("-L")],
        libraries=[f[2:] for f in _libs if f.startswith("-l")],
        extra_link_args=[f for f in _libs if not f.startswith(("-l", "-L"))],
        cxx_std=17,
    ),
]

setuptools.setup(
    name="spiral-acme",
    version="0.1.0",
    description=("SPIRAL and SPIRAL++ in TensorFlow 2 / Sonnet 2 with an "
                 "Acme-shaped distributed agent."),
    packages=setuptools.find_packages(include=["spiral_acme", "spiral_acme.*"]),
    python_requires=">=3.9,<3.12",
    ext_modules=ext_modules,
    cmdclass={"build_ext": build_ext},
    install_requires=[
        # The working set of ../shared/docs/spiral-reference.md section 6.
        "tensorflow==2.15.1",
        "dm-reverb==0.14.0",
        "dm-sonnet==2.0.2",
        "tensorflow-probability==0.23.0",
        "tensorflow-datasets==4.9.10",
        "tensorflow-metadata<1.18",
        "importlib_resources",
        "tensorflow-hub==0.16.1",
        "tf-keras==2.15.1",
        "dm-env",
        "dm-tree",
        "absl-py",
        # spiral_acme.launchpad: Courier RPC and node pickles (both also come
        # with TensorFlow / TensorFlow Probability).
        "grpcio",
        "cloudpickle",
        "numpy<2",
        # tensorflow_hub imports pkg_resources, removed in setuptools 81.
        "setuptools<81",
        # Embedded datasets and image output.
        "scikit-learn",
        "Hershey-Fonts==2.1.0",
        "pillow",
        "tqdm",
        # 3D scenes (environments/mujoco_scenes.py); renders headless with
        # the Debian packages scripts/install_system_deps.sh installs.
        "mujoco==4.0.0",
    ],
    extras_require={
        # Ray runs the `ray` launch type's tests (tests/launchpad/test_ray.py).
        "test": ["pytest-timeout", "pytest", "pytest-xdist", "ray==2.60.0", "pyarrow<18"],
        "ray": ["ray==2.60.0", "pyarrow<18"],
    },
)
