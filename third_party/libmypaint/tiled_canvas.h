// A square libmypaint tiled surface whose tiles live in memory we own.
//
// libmypaint's MyPaintTiledSurface renders dabs tile by tile and asks its
// owner for tile buffers through two callbacks. Owning the buffers lets us
// clear the canvas with a fill and read pixels back straight into a caller's
// uint8 array, with no Python-side conversion.

#ifndef SPIRAL_ACME_THIRD_PARTY_LIBMYPAINT_TILED_CANVAS_H_
#define SPIRAL_ACME_THIRD_PARTY_LIBMYPAINT_TILED_CANVAS_H_

#include <cstdint>
#include <vector>

extern "C" {
#include <mypaint-tiled-surface.h>
}

namespace spiral_acme {

enum class Background { kWhite, kTransparent };

class TiledCanvas {
 public:
  // `width` is the side of the square canvas in pixels (>= 16).
  TiledCanvas(int width, Background background);
  ~TiledCanvas();

  TiledCanvas(const TiledCanvas&) = delete;
  TiledCanvas& operator=(const TiledCanvas&) = delete;

  // The surface the brush paints on.
  MyPaintSurface* surface() { return &wrapper_.base.parent; }

  int width() const { return width_; }
  Background background() const { return background_; }

  // Fills every pixel with the background.
  void Clear();

  // Writes the canvas into `out`, a C-contiguous [width, width, channels]
  // buffer. channels: 4 = RGBA, 3 = RGB, 1 = red only. Colours are
  // un-premultiplied and rounded to 8 bits; fully transparent pixels read as
  // 0. The float version writes those 8-bit values divided by 255, so
  // environments get float observations without a second pass.
  void Read(uint8_t* out, int channels) const;
  void Read(float* out, int channels) const;

 private:
  template <typename T, typename Store>
  void ReadImpl(T* out, int channels, Store store) const;

  // libmypaint sees only `base`; `owner` leads back to this object.
  struct Wrapper {
    MyPaintTiledSurface base;
    TiledCanvas* owner;
  };

  static void TileRequestStart(MyPaintTiledSurface* surface,
                               MyPaintTileRequest* request);
  static void TileRequestEnd(MyPaintTiledSurface* surface,
                             MyPaintTileRequest* request);

  uint16_t* TileAt(int tx, int ty);
  void FillTile(uint16_t* tile) const;

  int width_;
  int tiles_per_side_;
  Background background_;
  std::vector<uint16_t> tiles_;
  // Dabs that spill past the canvas land here; it is refilled with the
  // background on every request so what lies outside never depends on
  // history.
  std::vector<uint16_t> scratch_;
  Wrapper wrapper_;
};

}  // namespace spiral_acme

#endif  // SPIRAL_ACME_THIRD_PARTY_LIBMYPAINT_TILED_CANVAS_H_
