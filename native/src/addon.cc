// Node-API surface: conv kernels over Float32Arrays (typically views of the wasm backend's heap,
// so no copies), with the geometry as an Int32Array of 15 numbers in ConvGeometry's order.
#include <node_api.h>

#include <cstdint>
#include <string>

#include "adam.h"
#include "bn.h"
#include "activation.h"
#include "conv.h"
#include "pool.h"
#include "reduce.h"
#include "pool2d.h"
#include "peak.h"

namespace {

using pegasus::ConvGeometry;

bool fail(napi_env env, const std::string& msg) {
  napi_throw_error(env, nullptr, ("pegasus native: " + msg).c_str());
  return false;
}

bool floats(napi_env env, napi_value v, float** data, size_t* length, const char* name) {
  napi_typedarray_type type;
  void* p;
  napi_value buffer;
  size_t offset;
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is || napi_get_typedarray_info(env, v, &type, length, &p, &buffer, &offset) != napi_ok || type != napi_float32_array) {
    return fail(env, std::string(name) + " must be a Float32Array");
  }
  *data = static_cast<float*>(p);
  return true;
}

// An Int32Array of exactly n numbers, in place; else the error "<name> must be an Int32Array of n".
bool int32s(napi_env env, napi_value v, size_t n, const char* name, const int32_t** out) {
  napi_typedarray_type type;
  size_t length;
  void* p;
  napi_value buffer;
  size_t offset;
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is || napi_get_typedarray_info(env, v, &type, &length, &p, &buffer, &offset) != napi_ok || type != napi_int32_array || length != n) {
    return fail(env, std::string(name) + " must be an Int32Array of " + std::to_string(n));
  }
  *out = static_cast<const int32_t*>(p);
  return true;
}

bool geometry(napi_env env, napi_value v, ConvGeometry* g) {
  const int32_t* a;
  if (!int32s(env, v, 15, "geometry", &a)) return false;
  *g = ConvGeometry{a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]};
  for (int i = 0; i < 15; i++) {
    if (a[i] < 0 || (i != 11 && i != 12 && a[i] == 0)) return fail(env, "geometry has a zero or negative size");
  }
  return true;
}

// Sizes of x, w, y for a geometry.
size_t xSize(const ConvGeometry& g) { return static_cast<size_t>(g.n) * g.h * g.w * g.ci; }
size_t wSize(const ConvGeometry& g) { return static_cast<size_t>(g.kh) * g.kw * g.ci * g.co; }
size_t ySize(const ConvGeometry& g) { return static_cast<size_t>(g.n) * g.oh * g.ow * g.co; }

enum class Op { Forward, BackpropInput, BackpropFilter };

template <Op op>
napi_value conv(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != 4) {
    fail(env, "expected (a, b, out, geometry)");
    return nullptr;
  }
  ConvGeometry g;
  float *a, *b, *out;
  size_t na, nb, nout;
  if (!geometry(env, args[3], &g) || !floats(env, args[0], &a, &na, "input 1") || !floats(env, args[1], &b, &nb, "input 2") ||
      !floats(env, args[2], &out, &nout, "output")) {
    return nullptr;
  }
  // (a, b, out) are (x, w, y), (dy, w, dx) and (x, dy, dw).
  const size_t want[3][3] = {{xSize(g), wSize(g), ySize(g)}, {ySize(g), wSize(g), xSize(g)}, {xSize(g), ySize(g), wSize(g)}};
  const size_t* need = want[static_cast<int>(op)];
  if (na != need[0] || nb != need[1] || nout != need[2]) {
    fail(env, "array lengths do not match the geometry");
    return nullptr;
  }
  if (op == Op::Forward) pegasus::conv2d_forward(g, a, b, out);
  if (op == Op::BackpropInput) pegasus::conv2d_backprop_input(g, a, b, out);
  if (op == Op::BackpropFilter) pegasus::conv2d_backprop_filter(g, a, b, out);
  return nullptr;
}

// sumRows(x, rows, cols, scale, out): out[c] = scale * sum_r x[r * cols + c]
napi_value sumRows(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != 5) {
    fail(env, "expected (x, rows, cols, scale, out)");
    return nullptr;
  }
  float *x, *out;
  size_t nx, nout;
  int64_t rows, cols;
  double scale;
  if (!floats(env, args[0], &x, &nx, "x") || !floats(env, args[4], &out, &nout, "out")) return nullptr;
  if (napi_get_value_int64(env, args[1], &rows) != napi_ok || napi_get_value_int64(env, args[2], &cols) != napi_ok ||
      napi_get_value_double(env, args[3], &scale) != napi_ok || rows < 1 || cols < 1) {
    fail(env, "rows and cols must be positive integers, scale a number");
    return nullptr;
  }
  if (nx != static_cast<size_t>(rows * cols) || nout != static_cast<size_t>(cols)) {
    fail(env, "array lengths do not match rows x cols");
    return nullptr;
  }
  pegasus::sum_rows(x, rows, cols, static_cast<float>(scale), out);
  return nullptr;
}

// maxPool2x2(x, dims Int32Array [n, h, w, c], y) and maxPool2x2Grad(x, dy, dims, dx)
bool dims4(napi_env env, napi_value v, int64_t d[4]) {
  const int32_t* a;
  if (!int32s(env, v, 4, "dims", &a)) return false;
  for (int i = 0; i < 4; i++) d[i] = a[i];
  if (d[0] < 1 || d[1] < 2 || d[2] < 2 || d[3] < 1) return fail(env, "max pool 2x2 needs a batch, channels and height and width of at least 2");
  return true;
}

napi_value maxPool2x2(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  int64_t d[4];
  float *x, *y;
  size_t nx, ny;
  if (argc != 3 || !dims4(env, args[1], d) || !floats(env, args[0], &x, &nx, "x") || !floats(env, args[2], &y, &ny, "y")) return nullptr;
  if (nx != static_cast<size_t>(d[0] * d[1] * d[2] * d[3]) || ny != static_cast<size_t>(d[0] * (d[1] / 2) * (d[2] / 2) * d[3])) {
    fail(env, "array lengths do not match the dims");
    return nullptr;
  }
  pegasus::max_pool_2x2(x, d[0], d[1], d[2], d[3], y);
  return nullptr;
}

napi_value maxPool2x2Grad(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  int64_t d[4];
  float *x, *dy, *dx;
  size_t nx, ndy, ndx;
  if (argc != 4 || !dims4(env, args[2], d) || !floats(env, args[0], &x, &nx, "x") || !floats(env, args[1], &dy, &ndy, "dy") ||
      !floats(env, args[3], &dx, &ndx, "dx")) {
    return nullptr;
  }
  if (nx != static_cast<size_t>(d[0] * d[1] * d[2] * d[3]) || ndx != nx || ndy != static_cast<size_t>(d[0] * (d[1] / 2) * (d[2] / 2) * d[3])) {
    fail(env, "array lengths do not match the dims");
    return nullptr;
  }
  pegasus::max_pool_2x2_grad(x, dy, d[0], d[1], d[2], d[3], dx);
  return nullptr;
}

// Float32Arrays args[0..n) named by names into a; lengths into len. False (with an error) if not.
bool floatArgs(napi_env env, const napi_value* args, int n, const char* const* names, float** a, size_t* len) {
  for (int i = 0; i < n; i++) {
    if (!floats(env, args[i], &a[i], &len[i], names[i])) return false;
  }
  return true;
}

// adam(p, m, v, g, p1, m1, v1, stepSize, beta1, 1 - beta1, beta2, 1 - beta2, c2, eps): see adam.h
napi_value adam(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value args[14];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != 14) return fail(env, "expected (p, m, v, g, p1, m1, v1, stepSize, beta1, 1 - beta1, beta2, 1 - beta2, c2, eps)"), nullptr;
  static const char* const names[7] = {"p", "m", "v", "g", "p1", "m1", "v1"};
  float* a[7];
  size_t len[7];
  if (!floatArgs(env, args, 7, names, a, len)) return nullptr;
  for (int i = 1; i < 7; i++) {
    if (len[i] != len[0]) return fail(env, std::string(names[i]) + " has another length than p"), nullptr;
  }
  float hy[7];
  for (int i = 0; i < 7; i++) {
    double d;
    if (napi_get_value_double(env, args[7 + i], &d) != napi_ok) return fail(env, "the Adam constants must be numbers"), nullptr;
    hy[i] = static_cast<float>(d);
  }
  const pegasus::AdamHyper h{hy[0], hy[1], hy[2], hy[3], hy[4], hy[5], hy[6]};
  pegasus::adam_step(h, static_cast<int64_t>(len[0]), a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
  return nullptr;
}

// The arguments of the batch-norm kernels: Float32Arrays named by `names`, then channels, eps and
// slope. kinds[i] is 'x' for a full-size array (as long as the first one) and 'c' for a per-channel
// one; the full size must be a positive multiple of the channels.
struct BnArgs {
  float* a[9];
  size_t len[9];
  int64_t rows, C;
  float eps, slope;
};

bool bnArgs(napi_env env, napi_callback_info info, const char* const* names, const char* kinds, const char* usage, BnArgs* b) {
  const int n = static_cast<int>(std::string(kinds).size());
  size_t argc = 12;
  napi_value args[12];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != static_cast<size_t>(n + 3)) return fail(env, std::string("expected ") + usage);
  if (!floatArgs(env, args, n, names, b->a, b->len)) return false;
  double e, sl;
  if (napi_get_value_int64(env, args[n], &b->C) != napi_ok || napi_get_value_double(env, args[n + 1], &e) != napi_ok ||
      napi_get_value_double(env, args[n + 2], &sl) != napi_ok || b->C < 1) {
    return fail(env, "channels must be a positive integer, eps and slope numbers");
  }
  const size_t full = b->len[0], C = static_cast<size_t>(b->C);
  if (full == 0 || full % C != 0) return fail(env, "the tensor's length is not a positive multiple of the channels");
  for (int i = 0; i < n; i++) {
    if (b->len[i] != (kinds[i] == 'x' ? full : C)) return fail(env, std::string(names[i]) + " has the wrong length");
  }
  b->rows = static_cast<int64_t>(full / C);
  b->eps = static_cast<float>(e);
  b->slope = static_cast<float>(sl);
  return true;
}

// bnLeaky(x, gamma, beta, y, mean, var, C, eps, slope): see bn.h
napi_value bnLeaky(napi_env env, napi_callback_info info) {
  static const char* const names[6] = {"x", "gamma", "beta", "y", "mean", "var"};
  BnArgs b;
  if (!bnArgs(env, info, names, "xccxcc", "(x, gamma, beta, y, mean, var, channels, eps, slope)", &b)) return nullptr;
  pegasus::bn_leaky_forward(b.a[0], b.rows, b.C, b.a[1], b.a[2], b.eps, b.slope, b.a[3], b.a[4], b.a[5]);
  return nullptr;
}

// bnLeakyGrad(dy, x, gamma, beta, mean, var, dx, dgamma, dbeta, C, eps, slope): see bn.h
napi_value bnLeakyGrad(napi_env env, napi_callback_info info) {
  static const char* const names[9] = {"dy", "x", "gamma", "beta", "mean", "var", "dx", "dgamma", "dbeta"};
  BnArgs b;
  if (!bnArgs(env, info, names, "xxccccxcc", "(dy, x, gamma, beta, mean, var, dx, dgamma, dbeta, channels, eps, slope)", &b)) return nullptr;
  pegasus::bn_leaky_backward(b.a[0], b.a[1], b.rows, b.C, b.a[2], b.a[3], b.a[4], b.a[5], b.eps, b.slope, b.a[6], b.a[7], b.a[8]);
  return nullptr;
}

// Element-wise activations (see activation.h): leakyRelu(x, y, slope), leakyReluGrad(x, dy, dx,
// slope), tanh(x, y), tanhGrad(y, dy, dx). Arrays of one length; the leaky ones take the slope last.
enum class Act { Leaky, LeakyGrad, Tanh, TanhGrad };

template <Act op>
napi_value activation(napi_env env, napi_callback_info info) {
  constexpr bool grad = op == Act::LeakyGrad || op == Act::TanhGrad;
  constexpr bool leaky = op == Act::Leaky || op == Act::LeakyGrad;
  constexpr int arrays = grad ? 3 : 2;
  constexpr size_t expected = arrays + (leaky ? 1 : 0);
  static const char* const names[3] = {op == Act::TanhGrad ? "y" : "x", grad ? "dy" : "y", "dx"};
  static const char* const usage[4] = {"expected (x, y, slope)", "expected (x, dy, dx, slope)", "expected (x, y)", "expected (y, dy, dx)"};
  size_t argc = expected;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc != expected) return fail(env, usage[static_cast<int>(op)]), nullptr;
  float* a[3];
  size_t len[3];
  double slope = 0;
  if (!floatArgs(env, args, arrays, names, a, len)) return nullptr;
  if (leaky && napi_get_value_double(env, args[arrays], &slope) != napi_ok) return fail(env, "slope must be a number"), nullptr;
  for (int i = 1; i < arrays; i++) {
    if (len[i] != len[0]) return fail(env, std::string(names[i]) + " has another length than " + names[0]), nullptr;
  }
  const int64_t n = static_cast<int64_t>(len[0]);
  switch (op) {
    case Act::Leaky: pegasus::leaky_relu(a[0], n, static_cast<float>(slope), a[1]); break;
    case Act::LeakyGrad: pegasus::leaky_relu_grad(a[0], a[1], n, static_cast<float>(slope), a[2]); break;
    case Act::Tanh: pegasus::tanh_forward(a[0], n, a[1]); break;
    case Act::TanhGrad: pegasus::tanh_grad(a[0], a[1], n, a[2]); break;
  }
  return nullptr;
}

napi_value setThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  int32_t n = 1;
  if (argc != 1 || napi_get_value_int32(env, arg, &n) != napi_ok || n < 1 || n > 256) {
    fail(env, "setThreads expects an integer in 1..256");
    return nullptr;
  }
  pegasus::set_threads(n);
  return nullptr;
}

napi_value threads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, pegasus::threads(), &v);
  return v;
}

napi_value peakGflops(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_double(env, pegasus::fma_peak_gflops(), &v);
  return v;
}

void define(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  napi_set_named_property(env, exports, name, fn);
}

napi_value init(napi_env env, napi_value exports) {
  define(env, exports, "conv2d", conv<Op::Forward>);
  define(env, exports, "conv2dBackpropInput", conv<Op::BackpropInput>);
  define(env, exports, "conv2dBackpropFilter", conv<Op::BackpropFilter>);
  define(env, exports, "sumRows", sumRows);
  define(env, exports, "maxPool2x2", maxPool2x2);
  define(env, exports, "maxPool2x2Grad", maxPool2x2Grad);
  define(env, exports, "adam", adam);
  define(env, exports, "bnLeaky", bnLeaky);
  define(env, exports, "bnLeakyGrad", bnLeakyGrad);
  define(env, exports, "leakyRelu", activation<Act::Leaky>);
  define(env, exports, "leakyReluGrad", activation<Act::LeakyGrad>);
  define(env, exports, "tanh", activation<Act::Tanh>);
  define(env, exports, "tanhGrad", activation<Act::TanhGrad>);
  define(env, exports, "setThreads", setThreads);
  define(env, exports, "threads", threads);
  define(env, exports, "peakGflops", peakGflops);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
