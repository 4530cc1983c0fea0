#include "painter.h"

#include <cmath>
#include <stdexcept>
#include <utility>

namespace spiral_acme {
namespace {

void CheckFinite(float value, const char* what) {
  if (!std::isfinite(value)) {
    throw std::invalid_argument(std::string(what) + " must be finite, got " +
                                std::to_string(value));
  }
}

void CheckPressure(float pressure) {
  if (!(pressure >= 0.0f && pressure <= 1.0f)) {
    throw std::invalid_argument("pressure must be in [0, 1], got " +
                                std::to_string(pressure));
  }
}

}  // namespace

Painter::Painter(int width, std::string brush_json, Background background)
    : canvas_(width, background), brush_json_(std::move(brush_json)) {
  LoadBrush();
}

Painter::~Painter() {
  if (brush_ != nullptr) mypaint_brush_unref(brush_);
}

void Painter::LoadBrush() {
  MyPaintBrush* brush = mypaint_brush_new();
  mypaint_brush_from_defaults(brush);
  if (!mypaint_brush_from_string(brush, brush_json_.c_str())) {
    mypaint_brush_unref(brush);
    throw std::invalid_argument(
        "libmypaint could not parse the brush JSON (expected the text of a "
        ".myb file, version 3)");
  }
  if (brush_ != nullptr) mypaint_brush_unref(brush_);
  brush_ = brush;
}

int Painter::SettingId(const std::string& name) const {
  const int id = mypaint_brush_setting_from_cname(name.c_str());
  if (id < 0) {
    throw std::invalid_argument("unknown brush setting '" + name +
                                "'; see setting_names() for valid names");
  }
  return id;
}

std::vector<std::string> Painter::SettingNames() {
  std::vector<std::string> names;
  for (int i = 0; i < MYPAINT_BRUSH_SETTINGS_COUNT; ++i) {
    names.emplace_back(
        mypaint_brush_setting_info(static_cast<MyPaintBrushSetting>(i))->cname);
  }
  return names;
}

void Painter::SetBaseValue(const std::string& name, float value) {
  const int id = SettingId(name);
  CheckFinite(value, name.c_str());
  mypaint_brush_set_base_value(brush_, static_cast<MyPaintBrushSetting>(id),
                               value);
}

float Painter::GetBaseValue(const std::string& name) const {
  return mypaint_brush_get_base_value(
      brush_, static_cast<MyPaintBrushSetting>(SettingId(name)));
}

void Painter::StrokeTo(float x, float y, float pressure) {
  mypaint_brush_stroke_to(brush_, canvas_.surface(), x, y, pressure,
                          /*xtilt=*/0.0f, /*ytilt=*/0.0f, kDtime);
}

void Painter::BezierTo(float cx, float cy, float ex, float ey,
                       float pressure) {
  CheckFinite(cx, "control x");
  CheckFinite(cy, "control y");
  CheckFinite(ex, "end x");
  CheckFinite(ey, "end y");
  CheckPressure(pressure);
  MyPaintSurface* surface = canvas_.surface();
  const float sx = x_, sy = y_, sp = pressure_;
  mypaint_surface_begin_atomic(surface);
  if (!painting_) {
    // A zero-length start puts the pen down here, so the brush does not
    // drag a line from wherever libmypaint last saw it.
    StrokeTo(sx, sy, sp);
  }
  for (int i = 1; i <= kSubSteps; ++i) {
    const float t = static_cast<float>(i) / kSubSteps;
    const float u = 1.0f - t;
    const float x = u * u * sx + 2.0f * u * t * cx + t * t * ex;
    const float y = u * u * sy + 2.0f * u * t * cy + t * t * ey;
    StrokeTo(x, y, sp + (pressure - sp) * t);
  }
  MyPaintRectangle roi;
  mypaint_surface_end_atomic(surface, &roi);
  x_ = ex;
  y_ = ey;
  pressure_ = pressure;
  painting_ = true;
}

void Painter::MoveTo(float x, float y, bool legacy_move_bug) {
  CheckFinite(x, "x");
  CheckFinite(y, "y");
  MyPaintSurface* surface = canvas_.surface();
  mypaint_brush_reset(brush_);
  mypaint_brush_new_stroke(brush_);
  mypaint_surface_begin_atomic(surface);
  StrokeTo(x, y, 0.0f);
  MyPaintRectangle roi;
  mypaint_surface_end_atomic(surface, &roi);
  x_ = legacy_move_bug ? y : x;
  y_ = y;
  pressure_ = 0.0f;
  painting_ = false;
}

void Painter::Reset() {
  canvas_.Clear();
  LoadBrush();
  x_ = 0.0f;
  y_ = 0.0f;
  pressure_ = 0.0f;
  painting_ = false;
}

}  // namespace spiral_acme
