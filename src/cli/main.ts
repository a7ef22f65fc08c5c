// `pegasus`: the command line. Each command is a thin layer over the pipeline's modules.
import { defineCommand, runCommand, showUsage, type CommandDef } from 'citty';
import { trainCommand } from './train.js';
import { startCommand } from './start.js';
import { shipCommand } from './ship.js';
import { presetsCommand } from './presets.js';
import { classifierCommand } from './classifier.js';
import { evalCommand, pickCommand } from './eval.js';
import { interpolateCommand } from './interpolate.js';
import { sampleCommand } from './sample.js';
import { reportCommand } from './report.js';
import { exportCommand } from './export.js';
import { serveCommand } from './serve.js';
import { benchCommand } from './bench.js';
import { dataCommand } from '../data/commands.js';

const main = defineCommand({
  meta: { name: 'pegasus', version: '0.1.0', description: 'A GAN studio: DCGAN / SN-DCGAN on CIFAR-10 horses and wings, until they draw a pegasus' },
  subCommands: { start: startCommand, train: trainCommand, presets: presetsCommand, bench: benchCommand, data: dataCommand, classifier: classifierCommand, eval: evalCommand, pick: pickCommand, interpolate: interpolateCommand, sample: sampleCommand, report: reportCommand, export: exportCommand, ship: shipCommand, serve: serveCommand },
});

/** Finds the (sub)command the arguments name, for --help. */
async function resolve(cmd: CommandDef, args: string[]): Promise<[CommandDef, CommandDef | undefined]> {
  const subs = typeof cmd.subCommands === 'function' ? await cmd.subCommands() : await cmd.subCommands;
  const name = args.find((a) => !a.startsWith('-'));
  const sub = name && subs ? subs[name] : undefined;
  if (!sub) return [cmd, undefined];
  const resolved = (typeof sub === 'function' ? await sub() : await sub) as CommandDef;
  const [inner, parent] = await resolve(resolved, args.slice(args.indexOf(name!) + 1));
  return [inner, parent ?? cmd];
}

export async function run(argv: string[]): Promise<void> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    const [cmd, parent] = await resolve(main as CommandDef, argv);
    await showUsage(cmd, parent);
    return;
  }
  if (argv[0] === '--version') {
    console.log('0.1.0');
    return;
  }
  await runCommand(main, { rawArgs: argv });
}

run(process.argv.slice(2)).catch((err: unknown) => {
  // One line naming the problem; stacks only on request.
  const msg = err instanceof Error ? err.message : String(err);
  console.error(`pegasus: ${msg.split('\n')[0]}`);
  if (process.env.PEGASUS_DEBUG && err instanceof Error) console.error(err.stack);
  process.exit(1);
});
