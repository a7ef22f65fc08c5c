// The GPU path (src/engine/webgpu.ts) on whatever adapter Dawn finds: here Mesa's software
// OpenGL ES, on a GPU machine the GPU. Conv kernels against the CPU backend and finite
// differences, and a few training steps against the wasm / native path. Skipped only where no
// adapter exists and PEGASUS_REQUIRE_WEBGPU is not set (CI sets it).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { setupWebgpu } from './webgpu.js';
import { CONV_CASES, checkFiniteDifferences, compareWithCpu } from './kernels/cases.js';
import { parseConfig } from '../training/config.js';
import { createSession, sessionTensors } from '../training/session.js';
import { trainStep } from '../training/step.js';

let skip: string | false = false;
before(async () => {
  try {
    const info = await setupWebgpu();
    console.log(`# webgpu adapter: ${info.adapter}`);
  } catch (e) {
    if (process.env.PEGASUS_REQUIRE_WEBGPU === '1') throw e;
    skip = (e as Error).message;
  }
});

test('webgpu conv kernels (forward, dX, dW) match the CPU backend on every case', async (t) => {
  if (skip) return t.skip(skip);
  for (const c of CONV_CASES) {
    const err = await compareWithCpu(c, 'webgpu');
    assert.ok(err < 1e-4, `${c.name}: max rel err ${err}`);
  }
});

test('webgpu conv gradients match finite differences', async (t) => {
  if (skip) return t.skip(skip);
  tf.setBackend('webgpu');
  for (const c of CONV_CASES.slice(0, 4)) await checkFiniteDifferences(c);
});

/** Weights after 3 DCGAN and cbn-proj steps of a tiny model on one backend. */
async function threeSteps(backend: string, arch: 'dcgan' | 'cbn-proj'): Promise<Map<string, Float32Array>> {
  tf.setBackend(backend);
  const config = parseConfig({ seed: 3, model: { arch, imageSize: 32, ngf: 4, ndf: 4 }, train: { batchSize: 8 } }, 'test');
  const s = createSession(config);
  const cond = s.gan.conditional ? tf.tensor2d([0, 1, 0, 1, 0, 1, 0, 1], [8, 1]) : undefined;
  for (let i = 0; i < 3; i++) {
    const x = tf.tidy(() => tf.tanh(tf.randomNormal([8, 32, 32, 3], 0, 1, 'float32', 10 + i)) as tf.Tensor4D);
    await trainStep(s.gan, s.opts, [cond ? { x, cond } : { x }], { batchSize: 8, loss: 'bce', labels: { soft: false, flip: 0 }, seed: 3 }, i);
    x.dispose();
  }
  const out = new Map([...(await sessionTensors(s))].map(([k, v]) => [k, v.data]));
  cond?.dispose();
  s.dispose();
  return out;
}

for (const arch of ['dcgan', 'cbn-proj'] as const) {
  test(`${arch}: three training steps on webgpu give the CPU backend's weights`, async (t) => {
    if (skip) return t.skip(skip);
    const [ref, got] = [await threeSteps('cpu', arch), await threeSteps('webgpu', arch)];
    for (const [name, want] of ref) {
      const have = got.get(name)!;
      let worst = 0;
      want.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - have[i]!)); });
      assert.ok(worst < 1e-3, `${name}: differs by ${worst}`);
    }
  });
}
