// A libmypaint brush on a TiledCanvas, with SPIRAL's two pen motions.
//
// The painter remembers where the pen is, its last pressure and whether it is
// painting, so a Bezier stroke continues from the previous one and a move
// lifts the pen. All of it runs in C++ so Python pays one call per action.

#ifndef SPIRAL_ACME_THIRD_PARTY_LIBMYPAINT_PAINTER_H_
#define SPIRAL_ACME_THIRD_PARTY_LIBMYPAINT_PAINTER_H_

#include <string>
#include <vector>

extern "C" {
#include <mypaint-brush.h>
}

#include "tiled_canvas.h"

namespace spiral_acme {

class Painter {
 public:
  // Sub-steps per Bezier stroke and the brush time of each (seconds).
  static constexpr int kSubSteps = 50;
  static constexpr double kDtime = 0.1;

  // `brush_json` is the text of a .myb file; it is kept so Reset() can
  // rebuild the brush, which also restarts its random number generator.
  Painter(int width, std::string brush_json, Background background);
  ~Painter();

  Painter(const Painter&) = delete;
  Painter& operator=(const Painter&) = delete;

  // Base values by libmypaint's canonical setting name ("radius_logarithmic",
  // "color_h", ...). Unknown names throw std::invalid_argument.
  void SetBaseValue(const std::string& name, float value);
  float GetBaseValue(const std::string& name) const;
  static std::vector<std::string> SettingNames();

  // Paints a quadratic Bezier from the pen position through (cx, cy) to
  // (ex, ey); pressure goes linearly from the last pressure to `pressure`.
  void BezierTo(float cx, float cy, float ex, float ey, float pressure);

  // Lifts the pen and puts it at (x, y) without painting. With
  // `legacy_move_bug` the next stroke starts at (y, y), as in DeepMind's code.
  void MoveTo(float x, float y, bool legacy_move_bug);

  // Clears the canvas and returns the pen and brush to their initial state.
  void Reset();

  TiledCanvas& canvas() { return canvas_; }
  const TiledCanvas& canvas() const { return canvas_; }
  float x() const { return x_; }
  float y() const { return y_; }
  float pressure() const { return pressure_; }
  bool painting() const { return painting_; }

 private:
  void LoadBrush();
  int SettingId(const std::string& name) const;
  void StrokeTo(float x, float y, float pressure);

  TiledCanvas canvas_;
  std::string brush_json_;
  MyPaintBrush* brush_ = nullptr;
  float x_ = 0.0f;
  float y_ = 0.0f;
  float pressure_ = 0.0f;
  bool painting_ = false;
};

}  // namespace spiral_acme

#endif  // SPIRAL_ACME_THIRD_PARTY_LIBMYPAINT_PAINTER_H_
