#!/usr/bin/env python3
"""PyTorch CPU reference for the pegasus training-step benchmark.

One training step of the DCGAN of pytorch/examples (dcgan/main.py), timed on the CPU:

  D step: D(real) with label 1 -> BCE -> backward; fake = G(z); D(fake.detach()) with label 0
          -> BCE -> backward (gradients accumulate); Adam step on D.
  G step: D(fake) with label 1 -> BCE -> backward through D and G; Adam step on G.
          D's parameters still require grad here, so PyTorch also computes D's weight gradients
          (and discards them at the next zero_grad), exactly as the example does. --freeze-d turns
          that off (the work a tfjs minimize over G's variables does).

Networks (nz = 100, ngf = ndf = 64, nc = 3; every conv is 4x4 without bias; weights N(0, 0.02),
BatchNorm weight N(1, 0.02) and bias 0). The one departure from pytorch/examples: G uses
LeakyReLU(0.2) instead of ReLU, as the pegasus seed model does.

  64 px, 5 layers each:
    G: z [nz,1,1] -> ConvT(nz, 8ngf, s1 p0) 4x4 -> BN LReLU -> ConvT(8ngf, 4ngf, s2 p1) 8x8
       -> BN LReLU -> ConvT(4ngf, 2ngf) 16x16 -> BN LReLU -> ConvT(2ngf, ngf) 32x32 -> BN LReLU
       -> ConvT(ngf, nc) 64x64 -> tanh
    D: x [nc,64,64] -> Conv(nc, ndf, s2 p1) 32x32 -> LReLU -> Conv(ndf, 2ndf) 16x16 -> BN LReLU
       -> Conv(2ndf, 4ndf) 8x8 -> BN LReLU -> Conv(4ndf, 8ndf) 4x4 -> BN LReLU
       -> Conv(8ndf, 1, s1 p0) 1x1 -> sigmoid
  32 px, 4 layers each (the 64 px nets without their widest layer):
    G: z -> ConvT(nz, 4ngf, s1 p0) 4x4 -> BN LReLU -> ConvT(4ngf, 2ngf, s2 p1) 8x8 -> BN LReLU
       -> ConvT(2ngf, ngf) 16x16 -> BN LReLU -> ConvT(ngf, nc) 32x32 -> tanh
       (channels 100 -> 256 -> 128 -> 64 -> 3)
    D: x [nc,32,32] -> Conv(nc, ndf, s2 p1) 16x16 -> LReLU -> Conv(ndf, 2ndf) 8x8 -> BN LReLU
       -> Conv(2ndf, 4ndf) 4x4 -> BN LReLU -> Conv(4ndf, 1, s1 p0) 1x1 -> sigmoid
       (channels 3 -> 64 -> 128 -> 256 -> 1)
  LReLU = LeakyReLU(0.2). Loss BCELoss; Adam lr 2e-4, betas (0.5, 0.999); batch 64.

The real batch is fixed uniform noise in [-1, 1] (data loading is not timed); z is drawn each step.
FLOPs follow src/outputs/flops.ts (= shared/probes/flops.py): conv/convT multiply-adds x 2,
dX and dW of a layer each cost its forward, no dX for a network's first layer.

Usage:
  python3 bench/torch_dcgan.py --size 32 --threads 1 --warmup 3 --steps 10 --json
prints one JSON line:
  {"size": 32, "threads": 1, "ms_per_step": <median>, "torch": "2.x", ...more fields}
"""
import argparse
import json
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Time one DCGAN training step (D step + G step) with PyTorch on the CPU.")
    p.add_argument("--size", type=int, choices=(32, 64), default=32, help="image size (default 32)")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    p.add_argument("--steps", type=int, default=10, help="timed steps (default 10)")
    p.add_argument("--batch", type=int, default=64, help="batch size (default 64)")
    p.add_argument("--nz", type=int, default=100)
    p.add_argument("--ngf", type=int, default=64)
    p.add_argument("--ndf", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--freeze-d", action="store_true",
                   help="no D weight gradients in the G step (default: computed, as pytorch/examples does)")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                   help="cpu (default) or cuda: the reference for pegasus --backend webgpu on a GPU machine")
    p.add_argument("--json", action="store_true", help="print one JSON line instead of text")
    a = p.parse_args(argv)
    for name in ("threads", "steps", "batch", "nz", "ngf", "ndf"):
        if getattr(a, name) < 1:
            p.error(f"--{name} must be >= 1")
    if a.warmup < 0:
        p.error("--warmup must be >= 0")
    return a


def lrelu():
    return nn.LeakyReLU(0.2, inplace=True)


def generator(size, nz=100, ngf=64, nc=3):
    mult = [8, 4, 2, 1] if size == 64 else [4, 2, 1]
    ch = [m * ngf for m in mult]
    layers = [nn.ConvTranspose2d(nz, ch[0], 4, 1, 0, bias=False), nn.BatchNorm2d(ch[0]), lrelu()]
    for cin, cout in zip(ch, ch[1:]):
        layers += [nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), lrelu()]
    layers += [nn.ConvTranspose2d(ch[-1], nc, 4, 2, 1, bias=False), nn.Tanh()]
    return nn.Sequential(*layers)


def discriminator(size, ndf=64, nc=3):
    mult = [1, 2, 4, 8] if size == 64 else [1, 2, 4]
    ch = [m * ndf for m in mult]
    layers = [nn.Conv2d(nc, ch[0], 4, 2, 1, bias=False), lrelu()]
    for cin, cout in zip(ch, ch[1:]):
        layers += [nn.Conv2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), lrelu()]
    layers += [nn.Conv2d(ch[-1], 1, 4, 1, 0, bias=False), nn.Sigmoid()]
    return nn.Sequential(*layers)


def weights_init(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def step_flops(size, batch, nz=100, ngf=64, ndf=64, nc=3, freeze_d=False):
    """FLOPs of one step; the convention of src/outputs/flops.ts (see the module docstring)."""
    mult = [8, 4, 2, 1] if size == 64 else [4, 2, 1]
    g_ch = [nz] + [m * ngf for m in mult] + [nc]
    d_ch = [nc] + [m * ndf for m in reversed(mult)] + [1]
    n = len(g_ch) - 1
    # convT: every input pixel scatters 4x4xCout values; conv: every output pixel gathers 4x4xCin.
    f_g = [2 * batch * (1 if i == 0 else 4 << (i - 1)) ** 2 * g_ch[i] * g_ch[i + 1] * 16 for i in range(n)]
    f_d = [2 * batch * (1 if i == n - 1 else size >> (i + 1)) ** 2 * d_ch[i] * d_ch[i + 1] * 16 for i in range(n)]
    FG, FD = sum(f_g), sum(f_d)
    d_step = 2 * (FD + FD + (FD - f_d[0]))
    g_step = FD + FD + (FG + FG - f_g[0])
    minimal = FG + d_step + g_step
    return minimal if freeze_d else minimal + FD


def main(argv=None):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set (only allowed before any parallel work)
    torch.manual_seed(a.seed)
    if a.device == "cuda" and not torch.cuda.is_available():
        print("--device cuda: this torch has no CUDA device", file=sys.stderr)
        return 1
    dev = torch.device(a.device)

    net_g = generator(a.size, a.nz, a.ngf).to(dev)
    net_d = discriminator(a.size, a.ndf).to(dev)
    net_g.apply(weights_init)
    net_d.apply(weights_init)
    criterion = nn.BCELoss()
    opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(a.batch, 3, a.size, a.size, device=dev) * 2 - 1
    ones = torch.full((a.batch,), 1.0, device=dev)
    zeros = torch.full((a.batch,), 0.0, device=dev)

    def step():
        # (1) D: maximize log D(x) + log(1 - D(G(z))), real and fake as separate batches.
        net_d.zero_grad()
        err_real = criterion(net_d(real).view(-1), ones)
        err_real.backward()
        fake = net_g(torch.randn(a.batch, a.nz, 1, 1, device=dev))
        err_fake = criterion(net_d(fake.detach()).view(-1), zeros)
        err_fake.backward()
        opt_d.step()
        # (2) G: maximize log D(G(z)).
        net_g.zero_grad()
        if a.freeze_d:
            net_d.requires_grad_(False)
        err_g = criterion(net_d(fake).view(-1), ones)
        err_g.backward()
        opt_g.step()
        if a.freeze_d:
            net_d.requires_grad_(True)
        return (err_real + err_fake).item(), err_g.item()  # .item() waits for the device

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        loss_d, loss_g = step()
        times.append((time.perf_counter() - t0) * 1000.0)
    if not (math.isfinite(loss_d) and math.isfinite(loss_g)):
        print(f"non-finite losses: Loss_D={loss_d} Loss_G={loss_g}", file=sys.stderr)
        return 1

    med = statistics.median(times)
    flops = step_flops(a.size, a.batch, a.nz, a.ngf, a.ndf, freeze_d=a.freeze_d)
    result = {
        "size": a.size,
        "threads": torch.get_num_threads(),
        "device": a.device,
        "ms_per_step": round(med, 2),
        "torch": torch.__version__,
        "batch": a.batch,
        "warmup": a.warmup,
        "steps": a.steps,
        "ms_mean": round(statistics.mean(times), 2),
        "ms_min": round(min(times), 2),
        "ms_max": round(max(times), 2),
        "freeze_d": a.freeze_d,
        "gflop_per_step": round(flops / 1e9, 3),
        "gflops": round(flops / 1e9 / (med / 1000.0), 2),
        "loss_d": round(loss_d, 4),
        "loss_g": round(loss_g, 4),
        # peak resident memory of this process (Linux reports KiB)
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if a.json:
        print(json.dumps(result, separators=(",", ":")))
    else:
        print(f"torch {result['torch']}, {result['threads']} thread(s), {a.size} px, batch {a.batch}, "
              f"freeze_d={a.freeze_d}")
        print(f"ms/step median {med:.1f}  mean {result['ms_mean']:.1f}  min {result['ms_min']:.1f}  "
              f"max {result['ms_max']:.1f}  ({a.steps} steps after {a.warmup} warm-up)")
        print(f"{result['gflop_per_step']:.3f} GFLOP/step -> {result['gflops']:.1f} GFLOP/s; "
              f"Loss_D {loss_d:.4f} Loss_G {loss_g:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
