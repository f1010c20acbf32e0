/**
 * Recording and printing benchmark figures: `BENCH <name> <median> <unit>` per figure and
 * `BENCH <name> ratio <ours/theirs>` per comparison, each next to its goal; the same figures go to
 * bench/results.json. Goals are reported, never enforced.
 */
import { writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The goal from the issues, in words (e.g. "< 0.5 ms"), and whether the figure meets it. */
  readonly goal?: string;
  readonly met?: boolean;
  readonly note?: string;
}

export interface Skip {
  readonly name: string;
  readonly reason: string;
}

const figures: Figure[] = [];
const skips: Skip[] = [];

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/** Records and prints one figure. */
export function report(figure: Figure): void {
  figures.push(figure);
  const goal = figure.goal ? `  goal ${figure.goal}: ${figure.met ? 'met' : 'NOT met'}` : '';
  const note = figure.note ? `  (${figure.note})` : '';
  const shown = figure.unit === 'ratio' ? `ratio ${fmt(figure.value)}` : `${fmt(figure.value)} ${figure.unit}`;
  console.log(`BENCH ${figure.name} ${shown}${goal}${note}`);
}

/** Records and prints a benchmark that could not run, with the reason. */
export function skip(name: string, reason: string): void {
  skips.push({ name, reason });
  console.log(`BENCH ${name} skipped: ${reason}`);
}

/** Writes bench/results.json atomically. */
export function writeResults(file: string): void {
  const doc = {
    takenAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.type()} ${os.release()}`,
      node: process.version,
    },
    figures,
    skipped: skips,
  };
  writeFileSync(`${file}.tmp`, `${JSON.stringify(doc, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
