// The GPU path: tfjs's WebGPU backend in Node through Dawn (the `webgpu` npm package). Dawn takes
// the machine's GPU where it has one (Vulkan); with none it falls back to its OpenGL ES backend on
// Mesa's software rasteriser (llvmpipe): slow, but the same shaders, so correctness can be checked
// anywhere. That fallback needs EGL without a display (EGL_PLATFORM=surfaceless) and WebGPU's
// 'compatibility' feature level. The browser page runs the same backend with the browser's own GPU.
import * as tf from '@tensorflow/tfjs-core';

export interface WebgpuInfo { adapter: string; software: boolean }

type Gpu = { requestAdapter(o?: Record<string, unknown>): Promise<{ info?: Record<string, string> } | null> };

async function dawn(flags: string[], compatibility: boolean): Promise<{ gpu: Gpu; adapter: { info?: Record<string, string> } } | null> {
  const { create } = await import('webgpu');
  const gpu = create(flags) as unknown as Gpu;
  if (compatibility) {
    const request = gpu.requestAdapter.bind(gpu);
    gpu.requestAdapter = (o = {}) => request({ ...o, featureLevel: 'compatibility' });
  }
  const adapter = await gpu.requestAdapter();
  return adapter ? { gpu, adapter } : null;
}

/** Registers and activates tfjs's 'webgpu' backend on Dawn's best adapter. */
export async function setupWebgpu(): Promise<WebgpuInfo> {
  const { globals } = await import('webgpu');
  Object.assign(globalThis, globals); // GPUBufferUsage and friends, as a browser has them
  let found = await dawn([], false);
  const software = !found;
  if (!found) {
    process.env.EGL_PLATFORM ??= 'surfaceless';
    found = await dawn(['backend=opengl'], true);
  }
  if (!found) throw new Error('--backend webgpu: no WebGPU adapter (no GPU through Vulkan, and no OpenGL ES through EGL / Mesa)');
  // Node 20 has no navigator; tfjs-backend-webgpu looks for navigator.gpu
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: found.gpu }, configurable: true, writable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('--backend webgpu: tfjs could not start its WebGPU backend on this adapter');
  const info = found.adapter.info ?? {};
  const adapter = [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ') || 'unnamed adapter';
  return { adapter: software ? `${adapter} (software, Dawn OpenGL ES)` : adapter, software };
}
