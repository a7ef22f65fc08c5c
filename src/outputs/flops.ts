// Analytic FLOP count of one DCGAN training step, the convention of shared/probes/flops.py:
//
// - Only convolutions and transposed convolutions count (BatchNorm, activations, losses and Adam
//   are elementwise and ignored). One multiply-add = 2 FLOPs.
// - Forward F of a conv: 2 * batch * Hout^2 * Cout * Cin * K^2; of a transposed conv (each input
//   pixel scatters K^2 * Cout values): 2 * batch * Hin^2 * Cin * Cout * K^2.
// - The input gradient (dX) and the weight gradient (dW) of a layer each cost F of that layer.
//   The first layer of a network needs no dX (its input is data or noise).
//
// One step, in the PyTorch DCGAN example's order:
//   fake = G(z)                                   F_G
//   D(real): forward + backward (dW all, dX 2..L) F_D + F_D + (F_D - F_D1)
//   D(fake.detach()): the same                    F_D + F_D + (F_D - F_D1)
//   G step: D(fake) forward + dX through all of D F_D + F_D
//           G backward (dW all, dX 2..L)          F_G + (F_G - F_G1)
//   'tutorial' also counts D's weight gradients in the G step (PyTorch computes them because D's
//   parameters still require grad): + F_D. 'minimal' (D frozen in the G step, as a tfjs minimize
//   over G's variables does) leaves them out.
// At batch 64, ngf = ndf = 64: tutorial 26.886 GFLOP (32 px) and 158.865 GFLOP (64 px);
// minimal 24.637 and 145.576.

export interface ConvLayer {
  kind: 'conv' | 'convT';
  cin: number;
  cout: number;
  k: number;
  hin: number;
  hout: number;
}

export interface DcganFlopsOptions {
  /** Latent size; default 100. */
  nz?: number;
  /** Image channels; default 3. */
  nc?: number;
  /** 'tutorial' (default; what the PyTorch reference does) or 'minimal' (no D weight gradients in the G step). */
  variant?: 'tutorial' | 'minimal';
}

/** Layer geometry of the DCGAN generator and discriminator (4x4 kernels, stride 2 except the ends). */
export function dcganLayers(size: 32 | 64, ngf = 64, ndf = 64, nz = 100, nc = 3): { G: ConvLayer[]; D: ConvLayer[] } {
  if (size !== 32 && size !== 64) throw new Error(`DCGAN image size must be 32 or 64, got ${size}`);
  const mult = size === 64 ? [8, 4, 2, 1] : [4, 2, 1];
  const gCh = [nz, ...mult.map((m) => m * ngf), nc];
  const dCh = [nc, ...[...mult].reverse().map((m) => m * ndf), 1];
  const G: ConvLayer[] = [];
  const D: ConvLayer[] = [];
  const L = gCh.length - 1;
  for (let i = 0; i < L; i++) {
    const hin = i === 0 ? 1 : 4 << (i - 1);
    G.push({ kind: 'convT', cin: gCh[i]!, cout: gCh[i + 1]!, k: 4, hin, hout: 4 << i });
    const dhin = size >> i;
    D.push({ kind: 'conv', cin: dCh[i]!, cout: dCh[i + 1]!, k: 4, hin: dhin, hout: i === L - 1 ? 1 : dhin >> 1 });
  }
  return { G, D };
}

/** Forward FLOPs of one layer for a batch (multiply-add = 2). */
export function layerForwardFlops(l: ConvLayer, batch: number): number {
  const macs = l.kind === 'conv'
    ? batch * l.hout * l.hout * l.cout * l.cin * l.k * l.k
    : batch * l.hin * l.hin * l.cin * l.cout * l.k * l.k;
  return 2 * macs;
}

/** FLOPs of one DCGAN training step (D step on a real and a fake batch + G step); see the file header. */
export function dcganStepFlops(size: 32 | 64, batch = 64, ngf = 64, ndf = 64, opts: DcganFlopsOptions = {}): number {
  const { G, D } = dcganLayers(size, ngf, ndf, opts.nz ?? 100, opts.nc ?? 3);
  const fG = G.map((l) => layerForwardFlops(l, batch));
  const fD = D.map((l) => layerForwardFlops(l, batch));
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
  const FG = sum(fG), FD = sum(fD);
  const dStep = 2 * (FD + FD + (FD - fD[0]!));
  const gStep = FD + FD + (FG + FG - fG[0]!);
  const minimal = FG + dStep + gStep;
  return (opts.variant ?? 'tutorial') === 'tutorial' ? minimal + FD : minimal;
}
