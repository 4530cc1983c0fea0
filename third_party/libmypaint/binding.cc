// pybind11 module spiral_acme._libmypaint: a thin Python face on Painter.
//
// Painting calls release the GIL, so environments in several Python threads
// paint in parallel; a per-painter mutex keeps one painter single-threaded.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>

#include "painter.h"

namespace py = pybind11;

namespace spiral_acme {
namespace {

Background ParseBackground(const std::string& name) {
  if (name == "white") return Background::kWhite;
  if (name == "transparent") return Background::kTransparent;
  throw py::value_error("background must be 'white' or 'transparent', got '" +
                        name + "'");
}

std::string ShapeString(const py::array& array) {
  std::ostringstream out;
  out << "(";
  for (py::ssize_t i = 0; i < array.ndim(); ++i) {
    out << (i ? ", " : "") << array.shape(i);
  }
  out << (array.ndim() == 1 ? ",)" : ")");
  return out.str();
}

class PyPainter {
 public:
  PyPainter(int width, std::string brush_json, const std::string& background)
      : painter_(width, std::move(brush_json), ParseBackground(background)) {}

  void SetBaseValue(const std::string& name, float value) {
    std::lock_guard<std::mutex> lock(mu_);
    painter_.SetBaseValue(name, value);
  }

  float GetBaseValue(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    return painter_.GetBaseValue(name);
  }

  void BezierTo(float cx, float cy, float ex, float ey, float pressure) {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mu_);
    painter_.BezierTo(cx, cy, ex, ey, pressure);
  }

  void MoveTo(float x, float y, bool legacy_move_bug) {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mu_);
    painter_.MoveTo(x, y, legacy_move_bug);
  }

  void Reset() {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mu_);
    painter_.Reset();
  }

  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    painter_.canvas().Clear();
  }

  // Checks `out` (uint8 or float32, C-contiguous, writeable, [W, W, C] with
  // C in {1, 3, 4}) and fills it with the canvas.
  void Read(py::array out) {
    const int width = painter_.canvas().width();
    const bool is_uint8 = out.dtype().is(py::dtype::of<uint8_t>());
    const bool is_float = out.dtype().is(py::dtype::of<float>());
    if (!is_uint8 && !is_float) {
      throw py::value_error("out must be a uint8 or float32 array, got dtype " +
                            std::string(py::str(out.dtype())));
    }
    const bool shape_ok = out.ndim() == 3 && out.shape(0) == width &&
                          out.shape(1) == width &&
                          (out.shape(2) == 1 || out.shape(2) == 3 ||
                           out.shape(2) == 4);
    if (!shape_ok) {
      const std::string w = std::to_string(width);
      throw py::value_error("out must have shape (" + w + ", " + w +
                            ", C) with C in {1, 3, 4}, got " +
                            ShapeString(out));
    }
    if (!(out.flags() & py::array::c_style)) {
      throw py::value_error("out must be C-contiguous");
    }
    if (!out.writeable()) {
      throw py::value_error("out must be writeable");
    }
    void* data = out.mutable_data();
    const int channels = static_cast<int>(out.shape(2));
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mu_);
    if (is_uint8) {
      painter_.canvas().Read(static_cast<uint8_t*>(data), channels);
    } else {
      painter_.canvas().Read(static_cast<float*>(data), channels);
    }
  }

  int width() const { return painter_.canvas().width(); }
  std::string background() const {
    return painter_.canvas().background() == Background::kWhite
               ? "white"
               : "transparent";
  }
  std::pair<float, float> position() {
    std::lock_guard<std::mutex> lock(mu_);
    return {painter_.x(), painter_.y()};
  }
  float pressure() {
    std::lock_guard<std::mutex> lock(mu_);
    return painter_.pressure();
  }
  bool painting() {
    std::lock_guard<std::mutex> lock(mu_);
    return painter_.painting();
  }

 private:
  Painter painter_;
  std::mutex mu_;
};

}  // namespace
}  // namespace spiral_acme

PYBIND11_MODULE(_libmypaint, m) {
  using spiral_acme::Painter;
  using spiral_acme::PyPainter;
  m.doc() = "libmypaint brush and canvas for the SPIRAL environment.";
  m.attr("SUB_STEPS") = Painter::kSubSteps;
  m.attr("DTIME") = Painter::kDtime;
  m.def("setting_names", &Painter::SettingNames,
        "Canonical names of libmypaint's brush settings.");

  py::class_<PyPainter>(m, "Painter",
                        "A libmypaint brush painting on a square canvas.")
      .def(py::init<int, std::string, const std::string&>(), py::arg("width"),
           py::arg("brush_json"), py::arg("background") = "white",
           "width >= 16 pixels; brush_json is the text of a .myb file; "
           "background is 'white' or 'transparent'.")
      .def("set_base_value", &PyPainter::SetBaseValue, py::arg("name"),
           py::arg("value"), "Sets a brush setting's base value by name.")
      .def("get_base_value", &PyPainter::GetBaseValue, py::arg("name"))
      .def("bezier_to", &PyPainter::BezierTo, py::arg("control_x"),
           py::arg("control_y"), py::arg("end_x"), py::arg("end_y"),
           py::arg("pressure"),
           "Paints a quadratic Bezier from the pen position (50 sub-steps, "
           "dtime 0.1, pressure interpolated from the last pressure).")
      .def("move_to", &PyPainter::MoveTo, py::arg("x"), py::arg("y"),
           py::kw_only(), py::arg("legacy_move_bug") = false,
           "Lifts the pen and moves it to (x, y) without painting.")
      .def("reset", &PyPainter::Reset,
           "Clears the canvas, reloads the brush and puts the pen at (0, 0).")
      .def("clear", &PyPainter::Clear, "Clears the canvas only.")
      .def("read", &PyPainter::Read, py::arg("out"),
           "Copies the canvas into a C-contiguous [W, W, C] array (C: 4 RGBA, "
           "3 RGB, 1 red), colours un-premultiplied and rounded to 8 bits: "
           "uint8 0..255, or float32 holding those values / 255.")
      .def_property_readonly("width", &PyPainter::width)
      .def_property_readonly("background", &PyPainter::background)
      .def_property_readonly("position", &PyPainter::position)
      .def_property_readonly("pressure", &PyPainter::pressure)
      .def_property_readonly("painting", &PyPainter::painting);
}
