#include "tiled_canvas.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace spiral_acme {
namespace {

constexpr int kTile = MYPAINT_TILE_SIZE;
constexpr uint32_t kOne = 1u << 15;  // libmypaint's fix15 1.0.
constexpr size_t kTileValues = static_cast<size_t>(kTile) * kTile * 4;

// fix15 [0, 1<<15] -> uint8 [0, 255], rounded to nearest.
inline uint8_t Fix15ToByte(uint32_t v) {
  return static_cast<uint8_t>((v * 255u + kOne / 2) >> 15);
}

// Premultiplied fix15 colour -> straight uint8 colour.
inline uint8_t Unpremultiply(uint32_t c, uint32_t a) {
  if (a >= kOne) return Fix15ToByte(c);
  if (a == 0) return 0;
  return static_cast<uint8_t>(std::min<uint32_t>(255u, (c * 255u + a / 2) / a));
}

}  // namespace

TiledCanvas::TiledCanvas(int width, Background background)
    : width_(width), background_(background) {
  if (width < 16) {
    throw std::invalid_argument("canvas width must be >= 16 pixels, got " +
                                std::to_string(width));
  }
  if (width > 16384) {
    throw std::invalid_argument("canvas width must be <= 16384 pixels, got " +
                                std::to_string(width));
  }
  tiles_per_side_ = (width + kTile - 1) / kTile;
  tiles_.resize(kTileValues * tiles_per_side_ * tiles_per_side_);
  scratch_.resize(kTileValues);
  mypaint_tiled_surface_init(&wrapper_.base, &TiledCanvas::TileRequestStart,
                             &TiledCanvas::TileRequestEnd);
  // One thread per canvas: parallel tile processing would fight the other
  // environments for cores and buys nothing on small canvases.
  wrapper_.base.threadsafe_tile_requests = FALSE;
  wrapper_.owner = this;
  Clear();
}

TiledCanvas::~TiledCanvas() { mypaint_tiled_surface_destroy(&wrapper_.base); }

void TiledCanvas::FillTile(uint16_t* tile) const {
  const uint16_t value = background_ == Background::kWhite ? kOne : 0;
  std::fill(tile, tile + kTileValues, value);
}

void TiledCanvas::Clear() {
  const uint16_t value = background_ == Background::kWhite ? kOne : 0;
  std::fill(tiles_.begin(), tiles_.end(), value);
  FillTile(scratch_.data());
}

uint16_t* TiledCanvas::TileAt(int tx, int ty) {
  if (tx < 0 || ty < 0 || tx >= tiles_per_side_ || ty >= tiles_per_side_) {
    FillTile(scratch_.data());
    return scratch_.data();
  }
  return tiles_.data() +
         kTileValues * (static_cast<size_t>(ty) * tiles_per_side_ + tx);
}

void TiledCanvas::TileRequestStart(MyPaintTiledSurface* surface,
                                   MyPaintTileRequest* request) {
  TiledCanvas* self = reinterpret_cast<Wrapper*>(surface)->owner;
  request->buffer = self->TileAt(request->tx, request->ty);
}

void TiledCanvas::TileRequestEnd(MyPaintTiledSurface*, MyPaintTileRequest*) {
  // Tiles are edited in place; nothing to hand back.
}

template <typename T, typename Store>
void TiledCanvas::ReadImpl(T* out, int channels, Store store) const {
  if (channels != 1 && channels != 3 && channels != 4) {
    throw std::invalid_argument("channels must be 1, 3 or 4, got " +
                                std::to_string(channels));
  }
  for (int y = 0; y < width_; ++y) {
    const int ty = y / kTile;
    const int row_in_tile = y % kTile;
    for (int tx = 0; tx < tiles_per_side_; ++tx) {
      const uint16_t* src =
          tiles_.data() +
          kTileValues * (static_cast<size_t>(ty) * tiles_per_side_ + tx) +
          static_cast<size_t>(row_in_tile) * kTile * 4;
      const int x0 = tx * kTile;
      const int x1 = std::min(width_, x0 + kTile);
      T* dst = out + (static_cast<size_t>(y) * width_ + x0) * channels;
      for (int x = x0; x < x1; ++x, src += 4, dst += channels) {
        const uint32_t a = src[3];
        store(dst, Unpremultiply(src[0], a));
        if (channels >= 3) {
          store(dst + 1, Unpremultiply(src[1], a));
          store(dst + 2, Unpremultiply(src[2], a));
        }
        if (channels == 4) store(dst + 3, Fix15ToByte(a));
      }
    }
  }
}

void TiledCanvas::Read(uint8_t* out, int channels) const {
  ReadImpl(out, channels, [](uint8_t* dst, uint8_t v) { *dst = v; });
}

void TiledCanvas::Read(float* out, int channels) const {
  static const std::array<float, 256> kByteToFloat = [] {
    std::array<float, 256> table{};
    for (int i = 0; i < 256; ++i) table[i] = static_cast<float>(i) / 255.0f;
    return table;
  }();
  ReadImpl(out, channels,
           [](float* dst, uint8_t v) { *dst = kByteToFloat[v]; });
}

}  // namespace spiral_acme
