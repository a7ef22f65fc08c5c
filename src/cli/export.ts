// `pegasus export`: a run's generator in a format other programs load.
import { defineCommand } from 'citty';
import { BACKENDS, initBackend, parseBackend } from '../engine/backend.js';
import { exportCheckpoint } from '../outputs/tfjs-export.js';

export const exportCommand = defineCommand({
  meta: { name: 'export', description: 'the generator of a checkpoint as a TF.js GraphModel (model.json + weights.bin) for tf.loadGraphModel' },
  args: {
    checkpoint: { type: 'positional', required: true, description: 'checkpoint.ckpt of a run' },
    tfjs: { type: 'string', required: true, description: 'folder for model.json + weights.bin' },
    float16: { type: 'boolean', default: false, description: 'store the weights as float16 (half the size; the manifest dequantizes them)' },
    live: { type: 'boolean', default: false, description: "the last step's weights instead of the run's EMA average" },
    backend: { type: 'string', default: 'auto', description: BACKENDS.join(' | ') },
  },
  async run({ args }) {
    if (!args.tfjs) throw new Error('--tfjs <folder>: where to write model.json + weights.bin');
    await initBackend(parseBackend(args.backend));
    const r = await exportCheckpoint(args.checkpoint, args.tfjs, { float16: args.float16, live: args.live });
    const m = r.meta;
    console.log(`${r.model}: ${m.arch} generator, ${m.imageSize}x${m.imageSize} px, step ${m.step}${m.averaged ? ', EMA weights' : ''}; ${r.weights}: ${(r.bytes / 1024).toFixed(0)} KiB ${args.float16 ? 'float16' : 'float32'}`);
    console.log(`inputs: ${m.inputs}; output: ${m.output}`);
  },
});
