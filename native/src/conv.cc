// Convolutions as GEMMs C[M x N] = A[M x K] * B[K x N], blocked and packed as in BLIS (Goto's
// algorithm): B in KC x NC blocks of NR-wide strips, A in MC x KC blocks of MR-tall strips, and a
// register-tiled MR x NR micro-kernel written with GCC vector extensions (AVX-512 with
// -march=native on this project's machines, narrower SIMD elsewhere). The im2col matrix is never
// built: packing reads the image directly. Threads split M; each one packs its own panels. Where C
// is larger than the cache, each MC-row block of C is finished over all of K before the next one
// (B packed whole, up front), so C is not swept from memory once per KC block; the C tile is
// prefetched while the micro-kernel runs. The first KC block of K stores into C, the others add,
// so C needs no zeroing pass (col2im's dx does: neighbouring pixels' taps overlap there).
//
//   forward  y   [n*oh*ow, co]      = im2col(x) [n*oh*ow, kh*kw*ci] * w [kh*kw*ci, co]
//   dx       col [n*oh*ow, kh*kw*ci] = dy [n*oh*ow, co] * w^T, scattered back (col2im) into dx
//   dw       dw  [kh*kw*ci, co]     = im2col(x)^T [kh*kw*ci, n*oh*ow] * dy [n*oh*ow, co]
#include "conv.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

#include "pool.h"

namespace pegasus {
namespace {

typedef float v16 __attribute__((vector_size(64)));

constexpr int MR = 12;
constexpr int NR = 32;
constexpr int KC = 192;
constexpr int MC = 144;  // 12 strips of MR
constexpr int NC = 2048;
static_assert(MC % MR == 0, "an A block is whole strips");
// Bytes of C that can be swept once per KC block while it stays in cache (both cores' L2). The
// choice of loop order depends on the whole C, never on the thread split: col2im's sums would
// otherwise come out in another order, and other bits, on another thread count.
constexpr size_t C_IN_CACHE = 2 << 20;

// Short runs (a filter row of a 3-channel layer: 12 floats; channel runs inside a strip: up to
// MR) are most of the copies of packing and col2im: one masked AVX-512 load and store each, where
// a memcpy call or a scalar loop costs several times that.
inline void copy_run(float* __restrict d, const float* __restrict s, int len) {
#ifdef __AVX512F__
  for (; len >= 16; len -= 16, d += 16, s += 16) _mm512_storeu_ps(d, _mm512_loadu_ps(s));
  if (len) {
    const __mmask16 m = static_cast<__mmask16>((1u << len) - 1);
    _mm512_mask_storeu_ps(d, m, _mm512_maskz_loadu_ps(m, s));
  }
#else
  std::memcpy(d, s, sizeof(float) * len);
#endif
}

inline void zero_run(float* d, int len) {
#ifdef __AVX512F__
  for (; len >= 16; len -= 16, d += 16) _mm512_storeu_ps(d, _mm512_setzero_ps());
  if (len) _mm512_mask_storeu_ps(d, static_cast<__mmask16>((1u << len) - 1), _mm512_setzero_ps());
#else
  std::memset(d, 0, sizeof(float) * len);
#endif
}

// d[i] += t[i], i < len
inline void add_run(float* __restrict d, const float* __restrict t, int len) {
#ifdef __AVX512F__
  for (; len >= 16; len -= 16, d += 16, t += 16) _mm512_storeu_ps(d, _mm512_add_ps(_mm512_loadu_ps(d), _mm512_loadu_ps(t)));
  if (len) {
    const __mmask16 m = static_cast<__mmask16>((1u << len) - 1);
    _mm512_mask_storeu_ps(d, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, d), _mm512_maskz_loadu_ps(m, t)));
  }
#else
  for (int i = 0; i < len; i++) d[i] += t[i];
#endif
}

// Per-thread packing buffers, 64-byte aligned, grown on demand and kept.
struct Scratch {
  float* a = nullptr;
  float* b = nullptr;
  size_t bCap = 0;
  Scratch() { a = static_cast<float*>(std::aligned_alloc(64, sizeof(float) * MC * KC)); }
  float* bBuf(size_t n) {
    if (n > bCap) {
      std::free(b);
      bCap = (n + 15) / 16 * 16;
      b = static_cast<float*>(std::aligned_alloc(64, sizeof(float) * bCap));
    }
    return b;
  }
};
thread_local Scratch scratch;

// How a packed MR x kc strip of A lies in memory. KMajor: a[k * MR + r], the MR values of one k
// together (for packers that read MR neighbours at once: im2col^T). RowMajor: a[r * KC + k], each
// row contiguous (for packers that copy whole runs of a row with memcpy: im2col, plain matrices).
// The micro-kernel runs at the same speed on either. Strips always take MR * KC floats.
enum class Strip { KMajor, RowMajor };

// tile[r][j] = sum_k a(r, k) * b[k][j] over one packed MR strip of A and NR strip of B.
template <Strip S>
inline void micro_kernel(int kc, const float* __restrict a, const float* __restrict b, float* __restrict tile) {
  v16 c0[MR], c1[MR];
#pragma GCC unroll 12
  for (int r = 0; r < MR; r++) c0[r] = c1[r] = v16{};
  for (int k = 0; k < kc; k++) {
    const v16 b0 = *reinterpret_cast<const v16*>(b + k * NR);
    const v16 b1 = *reinterpret_cast<const v16*>(b + k * NR + 16);
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++) {
      const float ar = S == Strip::KMajor ? a[k * MR + r] : a[r * KC + k];
      c0[r] += ar * b0;
      c1[r] += ar * b1;
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < MR; r++) {
    *reinterpret_cast<v16*>(tile + r * NR) = c0[r];
    *reinterpret_cast<v16*>(tile + r * NR + 16) = c1[r];
  }
}

// Where a filter tap k = (ky, kx, c) of the im2col matrix reads from, relative to an output pixel.
struct Tap { int dy, dx, c; };

std::vector<Tap> taps(const ConvGeometry& g) {
  std::vector<Tap> t(static_cast<size_t>(g.kh) * g.kw * g.ci);
  size_t i = 0;
  for (int y = 0; y < g.kh; y++)
    for (int x = 0; x < g.kw; x++)
      for (int c = 0; c < g.ci; c++) t[i++] = {y * g.dh, x * g.dw, c};
  return t;
}

// An output pixel m = (image, oy, ox) as the origin of its receptive field.
struct Pixel { int n, y0, x0; };

inline Pixel pixel(const ConvGeometry& g, int64_t m) {
  const int ox = static_cast<int>(m % g.ow);
  const int64_t r = m / g.ow;
  const int oy = static_cast<int>(r % g.oh);
  return {static_cast<int>(r / g.oh), oy * g.sh - g.pt, ox * g.sw - g.pl};
}

// Address of tap t of output pixel p in x, or null where the tap falls into the padding.
inline const float* source(const ConvGeometry& g, const float* x, const Pixel& p, const Tap& t) {
  const int y = p.y0 + t.dy, xx = p.x0 + t.dx;
  if (y < 0 || y >= g.h || xx < 0 || xx >= g.w) return nullptr;
  return x + ((static_cast<int64_t>(p.n) * g.h + y) * g.w + xx) * g.ci + t.c;
}

// Taps are ordered (ky, kx, c): from tap k, the taps up to the next multiple of ci read one
// contiguous run of channels. Packing and col2im move whole runs.
inline int64_t run_end(const ConvGeometry& g, int64_t k) { return (k / g.ci + 1) * g.ci; }

// For a pixel whose receptive field lies inside the image horizontally (and no dilation), the
// taps of one filter row are one contiguous run (kw * ci floats): a 3-channel layer then copies
// 12 floats at once instead of 3.
inline int64_t run_end(const ConvGeometry& g, const Pixel& p, int64_t k) {
  if (g.dw == 1 && p.x0 >= 0 && p.x0 + g.kw <= g.w) {
    const int64_t row = static_cast<int64_t>(g.kw) * g.ci;
    return (k / row + 1) * row;
  }
  return run_end(g, k);
}

// ---- A operands: fill a packed MC x KC block of MR-row strips (Strip says how a strip lies) ----

inline float* strip_of(float* dst, int r) { return dst + static_cast<int64_t>(r / MR) * MR * KC; }

// Rows mc..MR of the last strip: zero, so no garbage (NaN) reaches the unused tile rows.
template <Strip S>
inline void zero_tail(float* dst, int mc, int kc) {
  for (int r = mc; r % MR; r++) {
    float* d = strip_of(dst, r);
    for (int k = 0; k < kc; k++) (S == Strip::KMajor ? d[k * MR + r % MR] : d[(r % MR) * KC + k]) = 0.f;
  }
}

// A = im2col(x): rows are output pixels, columns filter taps; each row is copied run by run.
struct Im2col {
  static constexpr Strip strip = Strip::RowMajor;
  const ConvGeometry& g;
  const float* x;
  const std::vector<Tap>& tap;
  void pack(float* dst, int64_t m0, int mc, int64_t k0, int kc) const {
    for (int r = 0; r < mc; r++) {
      const Pixel p = pixel(g, m0 + r);
      float* d = strip_of(dst, r) + (r % MR) * KC;
      for (int64_t k = k0; k < k0 + kc;) {
        const int len = static_cast<int>(std::min(k0 + kc, run_end(g, p, k)) - k);
        const float* src = source(g, x, p, tap[k]);
        if (src) {
          copy_run(d + (k - k0), src, len);
        } else {
          zero_run(d + (k - k0), len);
        }
        k += len;
      }
    }
    zero_tail<strip>(dst, mc, kc);
  }
};

// A = im2col(x)^T: rows are filter taps, columns output pixels. For one pixel, up to MR taps of a
// strip are neighbouring channels: they are copied together into the k-major strip.
struct Im2colT {
  static constexpr Strip strip = Strip::KMajor;
  const ConvGeometry& g;
  const float* x;
  const std::vector<Tap>& tap;
  void pack(float* dst, int64_t m0, int mc, int64_t k0, int kc) const {
    for (int k = 0; k < kc; k++) {
      const Pixel p = pixel(g, k0 + k);
      for (int r = 0; r < mc;) {
        // a run of taps, cut where the packed strip of MR rows ends
        const int len = static_cast<int>(std::min<int64_t>({run_end(g, p, m0 + r) - (m0 + r), mc - r, MR - r % MR}));
        const float* src = source(g, x, p, tap[m0 + r]);
        float* d = strip_of(dst, r) + k * MR + r % MR;
        if (src) {
          copy_run(d, src, len);
        } else {
          zero_run(d, len);
        }
        r += len;
      }
    }
    zero_tail<strip>(dst, mc, kc);
  }
};

// A = a plain row-major matrix, copied row by row.
struct RowMajor {
  static constexpr Strip strip = Strip::RowMajor;
  const float* p;
  int64_t ld;
  void pack(float* dst, int64_t m0, int mc, int64_t k0, int kc) const {
    for (int r = 0; r < mc; r++) std::memcpy(strip_of(dst, r) + (r % MR) * KC, p + (m0 + r) * ld + k0, sizeof(float) * kc);
    zero_tail<strip>(dst, mc, kc);
  }
};

// ---- B operand: element (k, j) at p[k * rowStride + j * colStride], packed in NR-wide strips ----
// B = a row-major matrix (rows k, columns j), packed into NR-wide strips, zero-padded. Row by
// row: rows are often a power of two apart (w's and dy's: co floats), and reading one strip's
// column of rows at a time would keep evicting the lines that the next strip needs.
struct RowMajorB {
  const float* p;
  int64_t ld;
  void pack(float* dst, int64_t k0, int kc, int64_t j0, int nc) const {
    for (int k = 0; k < kc; k++) {
      const float* src = p + (k0 + k) * ld + j0;
      for (int s = 0; s < nc; s += NR) {
        const int w = std::min(NR, nc - s);
        float* d = dst + static_cast<int64_t>(s) * kc + k * NR;
        copy_run(d, src + s, w);
        if (w < NR) zero_run(d + w, NR - w);
      }
    }
  }
};

// B = the transpose of a row-major matrix: B(k, j) = p[j * ld + k], gathered into NR-wide strips.
// (Transposing it once up front, shared by the threads, was slower: at 64 px w^T is 8 MB with
// rows 16 KB apart, and the transpose alone took longer than both threads' gathers.)
struct TransposedB {
  const float* p;
  int64_t ld;
  void pack(float* dst, int64_t k0, int kc, int64_t j0, int nc) const {
    for (int s = 0; s < nc; s += NR) {
      const int w = std::min(NR, nc - s);
      float* d = dst + static_cast<int64_t>(s) * kc;
      for (int k = 0; k < kc; k++) {
        const float* src = p + (j0 + s) * ld + k0 + k;
        float* dk = d + k * NR;
        for (int j = 0; j < w; j++) dk[j] = src[j * ld];
        if (w < NR) zero_run(dk + w, NR - w);
      }
    }
  }
};

// ---- C stores: put a tile (rows m0.., columns j0..) into the destination: stored where it holds
// the first KC block of K (first), added after that ----
struct AddRowMajor {
  float* c;
  int64_t ld;
  // The tile's rows of C, fetched while the micro-kernel runs: C is read-modified-written once per
  // KC block and rarely still in cache, so without this the adds wait on memory (17% of a conv).
  void prefetch(int64_t m0, int mr, int64_t j0, int nr) const {
    for (int r = 0; r < mr; r++) {
      const float* d = c + (m0 + r) * ld + j0;
      __builtin_prefetch(d, 1);
      __builtin_prefetch(d + nr - 1, 1);
    }
  }
  void put(const float* tile, int64_t m0, int mr, int64_t j0, int nr, bool first) const {
    for (int r = 0; r < mr; r++) {
      float* d = c + (m0 + r) * ld + j0;
      const float* t = tile + r * NR;
      if (first) {
        copy_run(d, t, nr);
      } else {
        add_run(d, t, nr);
      }
    }
  }
};

// col2im: column j of row m is filter tap j of output pixel m; add it where that tap read from.
struct AddCol2im {
  const ConvGeometry& g;
  float* dx;
  const std::vector<Tap>& tap;
  const std::vector<Pixel>& pix;  // pixel(g, m) for every row: two divisions per row and tile otherwise
  // Where each row's first run of the tile will be added (see AddRowMajor::prefetch).
  void prefetch(int64_t m0, int mr, int64_t j0, int nr) const {
    const int len = static_cast<int>(std::min<int64_t>(nr, run_end(g, j0) - j0));  // the first run of any row
    for (int r = 0; r < mr; r++) {
      const float* d = source(g, dx, pix[m0 + r], tap[j0]);
      if (d) {
        __builtin_prefetch(d, 1);
        __builtin_prefetch(d + len - 1, 1);
      }
    }
  }
  // Always added (taps of neighbouring pixels overlap in dx, which starts at zero). Row by row, so
  // that every element of dx gets its rows' sums in row order, whatever rows share a tile (which
  // depends on the thread split).
  void put(const float* tile, int64_t m0, int mr, int64_t j0, int nr, bool) const {
    for (int r = 0; r < mr; r++) {
      for (int64_t j = j0; j < j0 + nr;) {
        const int len = static_cast<int>(std::min(j0 + nr, run_end(g, pix[m0 + r], j)) - j);
        float* d = const_cast<float*>(source(g, dx, pix[m0 + r], tap[j]));
        if (d) add_run(d, tile + r * NR + (j - j0), len);
        j += len;
      }
    }
  }
};

// C[ic:ic+mc, jc:jc+nc] += A[ic:ic+mc, pc:pc+kc] * B (packed panel bp), tile by tile.
template <class A, class C>
void block(const A& a, const C& c, int64_t ic, int mc, int64_t pc, int kc, const float* bp, int64_t jc, int nc) {
  alignas(64) float tile[MR * NR];
  float* ap = scratch.a;
  a.pack(ap, ic, mc, pc, kc);
  for (int jr = 0; jr < nc; jr += NR) {
    const int nr = std::min(NR, nc - jr);
    for (int ir = 0; ir < mc; ir += MR) {
      c.prefetch(ic + ir, std::min(MR, mc - ir), jc + jr, nr);
      micro_kernel<A::strip>(kc, ap + static_cast<int64_t>(ir) * KC, bp + static_cast<int64_t>(jr) * kc, tile);
      c.put(tile, ic + ir, std::min(MR, mc - ir), jc + jr, nr, pc == 0);
    }
  }
}

// Row blocks lie on one global grid of MC rows (cut at m0 and m1), so the order in which col2im
// adds into an element is the same for any split of rows between threads.
template <class F>
void row_blocks(int64_t m0, int64_t m1, const F& f) {
  for (int64_t ic = m0, next; ic < m1; ic = next) {
    next = std::min(m1, (ic / MC + 1) * MC);
    f(ic, static_cast<int>(next - ic));
  }
}

// C[m0:m1, :] += A[m0:m1, :] * B on this thread. Each element of C gets its KC-block sums in the
// order of K either way, so both loop orders give the same bits.
template <class A, class B, class C>
void gemm_rows(int64_t m0, int64_t m1, int64_t M, int64_t N, int64_t K, const A& a, const B& b, const C& c) {
  const int64_t panels = (K + KC - 1) / KC;
  auto kc_at = [K](int64_t pc) { return static_cast<int>(std::min<int64_t>(KC, K - pc)); };
  for (int64_t jc = 0; jc < N; jc += NC) {
    const int nc = static_cast<int>(std::min<int64_t>(NC, N - jc));
    const int64_t panel = static_cast<int64_t>((nc + NR - 1) / NR * NR) * KC;
    if (M * nc * sizeof(float) > C_IN_CACHE) {
      // C larger than L2 (a forward conv's output, col2im's columns): pack all of B's K rows up front, then finish each
      // MC-row block of C over the whole of K while it is in L2, instead of sweeping all of C
      // (often larger than L2) once per KC block.
      float* bAll = scratch.bBuf(static_cast<size_t>(panel * panels));
      for (int64_t pc = 0; pc < K; pc += KC) b.pack(bAll + pc / KC * panel, pc, kc_at(pc), jc, nc);
      row_blocks(m0, m1, [&](int64_t ic, int mc) {
        for (int64_t pc = 0; pc < K; pc += KC) block(a, c, ic, mc, pc, kc_at(pc), bAll + pc / KC * panel, jc, nc);
      });
    } else {
      // C fits in L2 (a filter gradient): one KC panel of B at a time, used by every row block
      // while it is in L2.
      float* bp = scratch.bBuf(static_cast<size_t>(panel));
      for (int64_t pc = 0; pc < K; pc += KC) {
        b.pack(bp, pc, kc_at(pc), jc, nc);
        row_blocks(m0, m1, [&](int64_t ic, int mc) { block(a, c, ic, mc, pc, kc_at(pc), bp, jc, nc); });
      }
    }
  }
}

// Splits rows [0, M) into one contiguous range per thread, each a multiple of `unit` rows
// (whole images where the store scatters within an image).
template <class F>
void split_rows(int64_t M, int64_t unit, const F& f) {
  const int64_t units = (M + unit - 1) / unit;
  parallel([&](int t, int T) {
    const int64_t u0 = units * t / T, u1 = units * (t + 1) / T;
    const int64_t m0 = std::min(M, u0 * unit), m1 = std::min(M, u1 * unit);
    if (m0 < m1) f(m0, m1);
  });
}

}  // namespace

void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, float* y) {
  const int64_t M = static_cast<int64_t>(g.n) * g.oh * g.ow, N = g.co, K = static_cast<int64_t>(g.kh) * g.kw * g.ci;
  const auto tap = taps(g);
  const Im2col a{g, x, tap};
  const RowMajorB b{w, g.co};
  const AddRowMajor c{y, g.co};
  split_rows(M, MR, [&](int64_t m0, int64_t m1) { gemm_rows(m0, m1, M, N, K, a, b, c); });
}

void conv2d_backprop_input(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const int64_t M = static_cast<int64_t>(g.n) * g.oh * g.ow, N = static_cast<int64_t>(g.kh) * g.kw * g.ci, K = g.co;
  std::memset(dx, 0, sizeof(float) * g.n * g.h * g.w * g.ci);
  const auto tap = taps(g);
  const RowMajor a{dy, g.co};
  // B(k = co, j = tap) = w[tap * co + k]
  const TransposedB b{w, g.co};
  std::vector<Pixel> pix(static_cast<size_t>(M));
  for (int64_t m = 0; m < M; m++) pix[m] = pixel(g, m);
  const AddCol2im c{g, dx, tap, pix};
  // Each thread owns whole images, so no two threads add into the same dx element.
  split_rows(M, static_cast<int64_t>(g.oh) * g.ow, [&](int64_t m0, int64_t m1) { gemm_rows(m0, m1, M, N, K, a, b, c); });
}

void conv2d_backprop_filter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const int64_t M = static_cast<int64_t>(g.kh) * g.kw * g.ci, N = g.co, K = static_cast<int64_t>(g.n) * g.oh * g.ow;
  const auto tap = taps(g);
  const Im2colT a{g, x, tap};
  const RowMajorB b{dy, g.co};
  const AddRowMajor c{dw, g.co};
  split_rows(M, MR, [&](int64_t m0, int64_t m1) { gemm_rows(m0, m1, M, N, K, a, b, c); });
}

}  // namespace pegasus
