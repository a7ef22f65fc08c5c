// The page's entry: two views (live training, generator), the run index polled every 2 s so that
// runs started after the page opened appear. The generator's code (TensorFlow.js and its
// backends) is a separate chunk, loaded when that view is first opened.
import type { PageIndex } from '../page-api.js';
import { $ } from './dom.js';
import { LiveView } from './live.js';
import type { GeneratorPanel } from './generator-panel.js';

const live = new LiveView($('#live-view'));
let index: PageIndex | null = null;
let generator: Promise<GeneratorPanel> | null = null;

async function refreshIndex(): Promise<void> {
  const res = await fetch('/api/index');
  if (!res.ok) throw new Error(`/api/index: HTTP ${res.status}`);
  index = (await res.json()) as PageIndex;
  live.setIndex(index);
  void generator?.then((g) => g.setSources(index!));
}

function openGenerator(): void {
  if (generator || !index) return;
  const first = index;
  generator = import('./generator-panel.js').then((m) => m.GeneratorPanel.create(first));
  generator.catch((e: Error) => { $('#gen-status').textContent = e.message; });
}

function show(view: 'live' | 'generator'): void {
  $('#live-view').hidden = view !== 'live';
  $('#generator-view').hidden = view !== 'generator';
  document.querySelectorAll<HTMLElement>('nav button').forEach((b) => b.classList.toggle('active', b.dataset.view === view));
  if (view === 'generator') openGenerator();
  else window.dispatchEvent(new Event('resize')); // charts drawn while hidden get their size
  history.replaceState(null, '', `${location.search}#${view}`);
}

document.querySelectorAll<HTMLElement>('nav button').forEach((b) => b.addEventListener('click', () => show(b.dataset.view as 'live' | 'generator')));
$('#live-view').addEventListener('checkpoint', (e) => {
  const run = index?.runs.find((r) => r.id === (e as CustomEvent<string>).detail);
  if (run) void generator?.then((g) => g.checkpointChanged(run.files));
});

refreshIndex()
  .then(() => show(location.hash === '#generator' ? 'generator' : 'live'))
  .catch((e: Error) => { $('#status').textContent = e.message; });
setInterval(() => void refreshIndex().catch(() => undefined), 2000);
