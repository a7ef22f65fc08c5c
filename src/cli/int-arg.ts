// A command-line integer, checked: `--name value` must be an integer >= min.
export function intArg(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} ${v}: expected an integer >= ${min}`);
  return n;
}
