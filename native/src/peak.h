#pragma once

namespace pegasus {
// The FP32 rate this machine reaches on the pool's threads with the conv micro-kernel's vector
// width: independent fused multiply-adds and nothing else (no loads). The best of a few short
// runs, in GFLOP/s: the ceiling for "% of peak" in the bench.
double fma_peak_gflops();
}  // namespace pegasus
