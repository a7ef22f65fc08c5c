// A generator as a TF.js GraphModel (model.json + weights.bin), loadable with tf.loadGraphModel of
// @tensorflow/tfjs-converter 4.22 by the page or any TF.js user:
//
//   const m = await tf.loadGraphModel('model/model.json');
//   const images = m.execute({ z, c });   // z [n, nz], c [n, 1] (conditional models) -> [n, size, size, 3]
//
// modelTopology is a TensorFlow GraphDef in JSON. A graph of TF ops rather than Keras layers,
// because the conditional generators (class-bit Linear, conditional batch-norm) have no clean Keras
// form. Batch-norm runs in inference mode (running statistics, as `generate(.., running = true)`),
// each one folded at export time into a per-channel scale and shift:
//   scale = gamma / sqrt(var + eps), shift = beta - mean * scale,  y = x * scale + shift
// and for conditional batch-norm ([2, C] rows per class) y = x * ([1 - c, c] S) + [1 - c, c] B.
//
// The parameters are read from a generator built by the shared model code (src/models), by their
// names; every one of them must be used, so a change to the models that this file does not know
// fails the export instead of writing a wrong graph. Graph building (pure) is separate from the
// file writing (atomic, weights.bin first and model.json last).
import path from 'node:path';
import { BN_EPS, LEAKY_SLOPE } from '../models/layers.js';
import type { Gan } from '../models/gan.js';
import { encodeHalf } from '../training/float16.js';
import { loadCheckpoint } from '../training/checkpoint.js';
import { loadGenerator } from '../training/generator-view.js';
import { writeFileAtomic } from './atomic.js';

type AttrValue =
  | { type: string }
  | { s: string }
  | { f: number }
  | { i: string }
  | { b: boolean }
  | { list: { i?: string[]; s?: string[] } }
  | { shape: TensorShape }
  | { tensor: { dtype: string; tensorShape: TensorShape } };
interface TensorShape { dim?: { size: string }[] }

export interface NodeDef { name: string; op: string; input: string[]; attr: Record<string, AttrValue> }
export interface WeightSpec { name: string; shape: number[]; dtype: 'float32' | 'int32'; quantization?: { dtype: 'float16' } }
interface TensorInfo { name: string; dtype: string; tensorShape: TensorShape }

/** model.json as tf.loadGraphModel reads it. */
export interface TfjsModelJson {
  format: 'graph-model';
  generatedBy: string;
  convertedBy: string;
  modelTopology: { node: NodeDef[]; library: Record<string, never>; versions: { producer: number; minConsumer: number } };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  signature: { inputs: Record<string, TensorInfo>; outputs: Record<string, TensorInfo> };
  userDefinedMetadata: { pegasus: ExportMetadata };
}

/** What a user of the export needs to know besides the signature. */
export interface ExportMetadata {
  arch: string;
  imageSize: number;
  nz: number;
  conditional: boolean;
  /** Conditional models: classes[0] is c = 0, classes[1] is c = 1. */
  classes?: string[];
  step?: number;
  /** true when the weights are the run's EMA average. */
  averaged?: boolean;
  inputs: string;
  output: string;
}

export interface TfjsArtifacts { modelJson: TfjsModelJson; weightData: Uint8Array }

export interface ExportInfo { arch: string; classes?: string[]; step?: number; averaged?: boolean }

export const WEIGHTS_FILE = 'weights.bin';
export const MODEL_FILE = 'model.json';

const shapeOf = (dims: number[]): TensorShape => (dims.length ? { dim: dims.map((d) => ({ size: String(d) })) } : {});
const ints = (v: number[]): AttrValue => ({ list: { i: v.map(String) } });
const str = (v: string): AttrValue => ({ s: Buffer.from(v).toString('base64') });
const T: Record<string, AttrValue> = { T: { type: 'DT_FLOAT' } };

/** A GraphDef under construction with its Const tensors. */
class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  readonly weights: { spec: WeightSpec; data: Float32Array | Int32Array }[] = [];
  private readonly names = new Set<string>();

  private add(node: NodeDef): string {
    if (this.names.has(node.name)) throw new Error(`tfjs export: node ${node.name} defined twice`);
    this.names.add(node.name);
    this.nodes.push(node);
    return node.name;
  }

  placeholder(name: string, shape: number[]): string {
    return this.add({ name, op: 'Placeholder', input: [], attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: shapeOf(shape) } } });
  }

  const(name: string, data: Float32Array | Int32Array, shape: number[]): string {
    const dtype = data instanceof Int32Array ? 'int32' : 'float32';
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`tfjs export: ${name} has ${data.length} values for shape [${shape.join(', ')}]`);
    const tfType = dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    this.weights.push({ spec: { name, shape, dtype }, data });
    return this.add({ name, op: 'Const', input: [], attr: { value: { tensor: { dtype: tfType, tensorShape: shapeOf(shape) } }, dtype: { type: tfType } } });
  }

  op(name: string, op: string, input: string[], attr: Record<string, AttrValue> = {}): string {
    return this.add({ name, op, input, attr });
  }
}

/** Reads a generator's parameters by name and remembers which ones were used. */
class ParamReader {
  private readonly used = new Set<string>();
  constructor(private readonly gan: Gan) {}

  has(name: string): boolean {
    return this.gan.g.params.has(name);
  }

  read(name: string): { shape: number[]; data: Float32Array } {
    const v = this.gan.g.params.get(name).variable;
    this.used.add(name);
    return { shape: v.shape.slice(), data: Float32Array.from(v.dataSync() as Float32Array) };
  }

  /** Every parameter of G must have gone into the graph. */
  checkAllUsed(arch: string): void {
    const left = this.gan.g.params.all().map((p) => p.name).filter((n) => !this.used.has(n));
    if (left.length) throw new Error(`tfjs export: ${arch} G has parameters the exporter does not know: ${left.join(', ')}`);
  }
}

/** Batch-norm in inference mode as y = x * scale + shift, per row of gamma/beta ([C] or [2, C]). */
function foldBatchNorm(gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array): { scale: Float32Array; shift: Float32Array } {
  const c = mean.length;
  const scale = new Float32Array(gamma.length), shift = new Float32Array(gamma.length);
  for (let k = 0; k < gamma.length; k++) {
    const j = k % c;
    const s = gamma[k]! / Math.sqrt(variance[j]! + BN_EPS);
    scale[k] = s;
    shift[k] = beta[k]! - mean[j]! * s;
  }
  return { scale, shift };
}

/**
 * The generator of `gan` as a TF.js GraphModel: inputs z [-1, nz] (and c [-1, 1] for conditional
 * models), output images [-1, size, size, 3] in [-1, 1], batch-norm on running statistics.
 */
export function generatorGraph(gan: Gan, info: ExportInfo, o: { float16?: boolean } = {}): TfjsArtifacts {
  const g = new GraphBuilder();
  const p = new ParamReader(gan);
  const nz = gan.g.nz;

  const z = g.placeholder('z', [-1, nz]);
  const c = gan.conditional ? g.placeholder('c', [-1, 1]) : null;
  // The batch size as an int32 [1], for the output shapes of the transposed convolutions.
  const batch = g.op('batch', 'StridedSlice', [
    g.op('z_shape', 'Shape', [z], { T: { type: 'DT_FLOAT' }, out_type: { type: 'DT_INT32' } }),
    g.const('batch/begin', Int32Array.of(0), [1]),
    g.const('batch/end', Int32Array.of(1), [1]),
    g.const('batch/strides', Int32Array.of(1), [1]),
  ], { T: { type: 'DT_INT32' }, Index: { type: 'DT_INT32' }, begin_mask: { i: '0' }, end_mask: { i: '0' }, ellipsis_mask: { i: '0' }, new_axis_mask: { i: '0' }, shrink_axis_mask: { i: '0' } });
  const concat = (name: string, inputs: string[], axis: number, type = 'DT_FLOAT') =>
    g.op(name, 'ConcatV2', [...inputs, g.const(`${name}/axis`, Int32Array.of(axis), [])], { T: { type }, N: { i: String(inputs.length) }, Tidx: { type: 'DT_INT32' } });
  const matMul = (name: string, a: string, b: string) => g.op(name, 'MatMul', [a, b], { ...T, transpose_a: { b: false }, transpose_b: { b: false } });
  const reshape = (name: string, x: string, shape: number[]) =>
    g.op(name, 'Reshape', [x, g.const(`${name}/shape`, Int32Array.from(shape), [shape.length])], { ...T, Tshape: { type: 'DT_INT32' } });

  let needCond = false;
  // The seed's conditional DCGAN: [z, c] -> emb Linear -> the DCGAN body.
  let x2d = z;
  if (p.has('G.emb.w')) {
    if (!c) throw new Error(`tfjs export: ${info.arch} G has an emb Linear but is not conditional`);
    const w = p.read('G.emb.w'), b = p.read('G.emb.b');
    x2d = g.op('G/emb', 'AddV2', [matMul('G/emb/matmul', concat('G/emb/input', [z, c], 1), g.const('G/emb/w', w.data, w.shape)), g.const('G/emb/b', b.data, b.shape)], T);
    needCond = true;
  }
  // Class mixing weights [1 - c, c] for conditional batch-norm, made when first needed.
  let mix: string | null = null;
  const classMix = (): string => {
    if (!c) throw new Error(`tfjs export: ${info.arch} G has conditional batch-norm but is not conditional`);
    mix ??= concat('G/mix', [g.op('G/mix/one_minus_c', 'Sub', [g.const('G/mix/one', Float32Array.of(1), []), c], T), c], 1);
    needCond = true;
    return mix;
  };

  let x = '';
  let h = 1, wd = 1, channels = 0;
  const count = (() => { let n = 0; while (p.has(`G.${n}.w`)) n++; return n; })();
  if (count === 0) throw new Error(`tfjs export: ${info.arch} G has no layers named G.0.w, G.1.w, ...`);
  for (let i = 0; i < count; i++) {
    const w = p.read(`G.${i}.w`); // [kh, kw, out, in]: tfjs's transposed-conv layout = TF's Conv2DBackpropInput filter
    const [kh, kw, cout, cin] = w.shape as [number, number, number, number];
    if (i === 0) {
      x = reshape('G/input', x2d, [-1, 1, 1, cin]); // as generatorBody: [n, k] -> [n, 1, 1, k]
      channels = cin;
    }
    if (cin !== channels) throw new Error(`tfjs export: G.${i}.w takes ${cin} channels, the layer below gives ${channels}`);
    // generatorBody: 1x1 -> kh x kw ('valid', stride 1), then stride 2 'same' doublings.
    const stride = i === 0 ? 1 : 2;
    [h, wd] = i === 0 ? [h + kh - 1, wd + kw - 1] : [h * 2, wd * 2];
    channels = cout;
    const outShape = concat(`G/${i}/output_shape`, [batch, g.const(`G/${i}/output_hwc`, Int32Array.of(h, wd, cout), [3])], 0, 'DT_INT32');
    x = g.op(`G/${i}/conv_transpose`, 'Conv2DBackpropInput', [outShape, g.const(`G/${i}/w`, w.data, w.shape), x], {
      ...T, strides: ints([1, stride, stride, 1]), padding: str(stride === 1 ? 'VALID' : 'SAME'), data_format: str('NHWC'),
      dilations: ints([1, 1, 1, 1]), explicit_paddings: ints([]), use_cudnn_on_gpu: { b: true },
    });
    const last = i + 1 === count;
    const bn = `G.${i}.bn`, cbn = `G.${i}.cbn`;
    if (p.has(`${bn}.gamma`)) {
      const { scale, shift } = foldBatchNorm(p.read(`${bn}.gamma`).data, p.read(`${bn}.beta`).data, p.read(`${bn}.running_mean`).data, p.read(`${bn}.running_var`).data);
      x = g.op(`G/${i}/bn`, 'AddV2', [g.op(`G/${i}/bn/scaled`, 'Mul', [x, g.const(`G/${i}/bn/scale`, scale, [cout])], T), g.const(`G/${i}/bn/shift`, shift, [cout])], T);
    } else if (p.has(`${cbn}.gamma`)) {
      const gamma = p.read(`${cbn}.gamma`);
      const rows = gamma.shape[0]!;
      const { scale, shift } = foldBatchNorm(gamma.data, p.read(`${cbn}.beta`).data, p.read(`${cbn}.running_mean`).data, p.read(`${cbn}.running_var`).data);
      const m = classMix();
      const perImage = (what: 'scale' | 'shift', v: Float32Array) =>
        reshape(`G/${i}/cbn/${what}`, matMul(`G/${i}/cbn/${what}_mix`, m, g.const(`G/${i}/cbn/${what}_rows`, v, [rows, cout])), [-1, 1, 1, cout]);
      x = g.op(`G/${i}/cbn`, 'AddV2', [g.op(`G/${i}/cbn/scaled`, 'Mul', [x, perImage('scale', scale)], T), perImage('shift', shift)], T);
    } else if (!last) {
      throw new Error(`tfjs export: ${info.arch} G layer ${i} has no batch-norm the exporter knows`);
    }
    x = last ? g.op(`G/${i}/tanh`, 'Tanh', [x], T) : g.op(`G/${i}/lrelu`, 'LeakyRelu', [x], { ...T, alpha: { f: LEAKY_SLOPE } });
  }
  const images = g.op('images', 'Identity', [x], T);
  if (h !== gan.g.imageSize || wd !== gan.g.imageSize || channels !== 3) {
    throw new Error(`tfjs export: the graph gives ${h}x${wd}x${channels} images, G draws ${gan.g.imageSize}x${gan.g.imageSize}x3`);
  }
  if (c && !needCond) throw new Error(`tfjs export: ${info.arch} G is conditional but the exporter found no use of the class bit`);
  p.checkAllUsed(info.arch);

  const f32 = (dims: number[]): TensorInfo => ({ name: '', dtype: 'DT_FLOAT', tensorShape: shapeOf(dims) });
  const inputs: Record<string, TensorInfo> = { z: { ...f32([-1, nz]), name: `${z}:0` } };
  if (c) inputs.c = { ...f32([-1, 1]), name: `${c}:0` };
  const size = gan.g.imageSize;

  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const { spec, data } of g.weights) {
    if (o.float16 && spec.dtype === 'float32') {
      specs.push({ ...spec, quantization: { dtype: 'float16' } });
      const half = encodeHalf(data as Float32Array);
      chunks.push(new Uint8Array(half.buffer, half.byteOffset, half.byteLength));
    } else {
      specs.push(spec);
      chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  }
  const weightData = new Uint8Array(chunks.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of chunks) { weightData.set(b, at); at += b.byteLength; }

  const meta: ExportMetadata = {
    arch: info.arch, imageSize: size, nz, conditional: gan.conditional,
    ...(gan.conditional && info.classes ? { classes: info.classes } : {}),
    ...(info.step !== undefined ? { step: info.step } : {}),
    ...(info.averaged !== undefined ? { averaged: info.averaged } : {}),
    inputs: gan.conditional
      ? `z float32 [n, ${nz}] (standard normal); c float32 [n, 1], class bit in [0, 1] (0 = ${info.classes?.[0] ?? 'first class'}, 1 = ${info.classes?.[1] ?? 'second class'})`
      : `z float32 [n, ${nz}] (standard normal)`,
    output: `images float32 [n, ${size}, ${size}, 3] (NHWC) in [-1, 1]`,
  };
  const modelJson: TfjsModelJson = {
    format: 'graph-model',
    generatedBy: 'pegasus 0.1.0',
    convertedBy: 'pegasus export --tfjs (TF.js GraphModel for @tensorflow/tfjs-converter 4.22)',
    modelTopology: { node: g.nodes, library: {}, versions: { producer: 1, minConsumer: 0 } },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
    signature: { inputs, outputs: { images: { ...f32([-1, size, size, 3]), name: `${images}:0` } } },
    userDefinedMetadata: { pegasus: meta },
  };
  return { modelJson, weightData };
}

/** Byte length of the weights a manifest describes (float16-quantized floats take 2 bytes). */
export function manifestByteLength(m: TfjsModelJson): number {
  let n = 0;
  for (const group of m.weightsManifest) {
    for (const w of group.weights) n += w.shape.reduce((a, b) => a * b, 1) * (w.quantization?.dtype === 'float16' ? 2 : 4);
  }
  return n;
}

/**
 * Writes <folder>/weights.bin then <folder>/model.json, each atomically (temp file + rename): a
 * failure leaves no partial file, and model.json, the entry point, is only replaced once its
 * weights are in place.
 */
export async function writeTfjsModel(folder: string, a: TfjsArtifacts): Promise<{ model: string; weights: string }> {
  const weights = path.join(folder, WEIGHTS_FILE), model = path.join(folder, MODEL_FILE);
  if (manifestByteLength(a.modelJson) !== a.weightData.byteLength) {
    throw new Error(`${model}: the manifest describes ${manifestByteLength(a.modelJson)} bytes, the weights are ${a.weightData.byteLength}`);
  }
  await writeFileAtomic(weights, a.weightData);
  await writeFileAtomic(model, `${JSON.stringify(a.modelJson)}\n`);
  return { model, weights };
}

/** A run checkpoint's generator (its EMA average when it kept one, unless `live`) as <folder>/model.json + weights.bin. */
export async function exportCheckpoint(file: string, folder: string, o: { float16?: boolean; live?: boolean } = {}): Promise<{ model: string; weights: string; bytes: number; meta: ExportMetadata }> {
  const { gan, spec, step, averaged } = loadGenerator(loadCheckpoint(file), file, { live: o.live });
  try {
    const a = generatorGraph(gan, { arch: spec.model.arch, classes: spec.classes, step, averaged }, o);
    const paths = await writeTfjsModel(folder, a);
    return { ...paths, bytes: a.weightData.byteLength, meta: a.modelJson.userDefinedMetadata.pegasus };
  } finally {
    gan.dispose();
  }
}
