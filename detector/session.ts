import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { WeisuError } from '../core/errors.js';
import { log } from '../core/log.js';
import { resolveLabels, type Manifest } from '../models/manifest.js';
import { loadRegistry, requireModelFile } from '../models/registry.js';
import type { Timings } from './timings.js';

/**
 * One ONNX Runtime session per model, created once with explicit threads, and checked against the model's
 * manifest before first use: a model whose inputs or outputs differ from what the manifest promises is
 * refused at load time with expected vs found, instead of producing garbage boxes later.
 */
export interface ModelSession {
  manifest: Manifest;
  session: ort.InferenceSession;
  /** The input takes any number of pictures per run (a symbolic or -1 batch dimension). */
  dynamicBatch: boolean;
}

/** What every model runner (detector, classifier) exposes besides its own call. */
export interface ModelRunner<M extends Manifest> {
  readonly modelId: string;
  readonly manifest: M;
  /** Cumulative time spent per stage, for benchmarks and metrics. */
  readonly timings: Timings;
  close(): Promise<void>;
}

type Dim = number | string;

const fmt = (shape: readonly Dim[]) => `[${shape.join(', ')}]`;
const isFree = (d: Dim | undefined) => typeof d === 'string' || d === -1 || d === undefined;

/** Does `found` fit `expected`? `null` in expected = anything; a symbolic dim in found fits anything. */
function fits(found: readonly Dim[], expected: readonly (number | null)[]): boolean {
  return found.length === expected.length && expected.every((e, i) => e === null || isFree(found[i]) || found[i] === e);
}

function tensorMeta(list: readonly ort.InferenceSession.ValueMetadata[], name: string): { shape: readonly Dim[]; type: string } | undefined {
  const m = list.find((v) => v.name === name);
  return m && m.isTensor ? { shape: m.shape as readonly Dim[], type: m.type } : undefined;
}

/** weisu feeds float32 pictures and reads float32 outputs; fp16 or uint8 exports are refused by name. */
const typeProblem = (what: string, t: string) => (t === 'float32' ? [] : [`${what} is ${t}, weisu needs float32 (export the model in fp32, e.g. without half=True)`]);

/** Expected shapes of the manifest's outputs (null = any size). */
function expectedOutputs(m: Manifest): { name: string; shape: (number | null)[]; why: string }[] {
  const nc = resolveLabels(m.labels).length;
  if (m.task === 'detect') {
    const d = m.decoder;
    switch (d.kind) {
      case 'yolox': {
        const rows = d.strides.reduce((s, st) => s + Math.floor(m.input.width / st) * Math.floor(m.input.height / st), 0);
        return [{ name: d.output, shape: [null, rows, 5 + nc], why: `yolox, ${nc} labels, strides ${d.strides.join('/')}` }];
      }
      case 'yolov5':
        return [{ name: d.output, shape: [null, null, 5 + nc], why: `yolov5, ${nc} labels` }];
      case 'yolov8':
        return [{ name: d.output, shape: [null, 4 + nc, null], why: `yolov8, ${nc} labels` }];
    }
  }
  const outs = [{ name: m.decoder.output, shape: [null, nc], why: `${nc} labels` }];
  if (m.decoder.embedding_output) outs.push({ name: m.decoder.embedding_output, shape: [null, null], why: 'embedding' });
  return outs;
}

export function checkModelIo(m: Manifest, s: Pick<ort.InferenceSession, 'inputMetadata' | 'outputMetadata' | 'inputNames' | 'outputNames'>): { dynamicBatch: boolean } {
  const problems: string[] = [];
  const inMeta = tensorMeta(s.inputMetadata, m.input.name);
  const wantIn = [null, 3, m.input.height, m.input.width];
  if (!inMeta) problems.push(`input "${m.input.name}" expected, found inputs ${s.inputNames.map((n) => `"${n}"`).join(', ')}`);
  else if (!fits(inMeta.shape, wantIn)) problems.push(`input "${m.input.name}" expected [batch, 3, ${m.input.height}, ${m.input.width}], found ${fmt(inMeta.shape)}`);
  else problems.push(...typeProblem(`input "${m.input.name}"`, inMeta.type));
  if (s.inputNames.length > 1) problems.push(`only one input ("${m.input.name}") expected, found ${s.inputNames.map((n) => `"${n}"`).join(', ')} (exports with extra inputs such as scale_factor are not supported)`);
  for (const o of expectedOutputs(m)) {
    const meta = tensorMeta(s.outputMetadata, o.name);
    const want = fmt(o.shape.map((d, i) => d ?? (i === 0 ? 'batch' : 'any')));
    if (!meta) problems.push(`output "${o.name}" expected, found outputs ${s.outputNames.map((n) => `"${n}"`).join(', ')}`);
    else if (!fits(meta.shape, o.shape)) problems.push(`output "${o.name}" expected ${want} (${o.why}), found ${fmt(meta.shape)}`);
    else problems.push(...typeProblem(`output "${o.name}"`, meta.type));
  }
  if (problems.length) {
    throw new WeisuError('model_mismatch', `model ${m.id} (${m.file}) does not match its manifest: ${problems.join('; ')}`, {
      field: 'detector.model',
      fix: 'use the model file the manifest was written for, or correct the manifest (input size, decoder kind, labels)',
    });
  }
  return { dynamicBatch: isFree(inMeta!.shape[0]) };
}

/** Loads the manifest `model` from the registry and opens its checked session. */
export async function openModel(opts: { modelsDir: string; model: string; threads?: number; task: Manifest['task'][] }): Promise<ModelSession> {
  const reg = loadRegistry(opts.modelsDir);
  const manifest = reg.get(opts.model);
  if (!opts.task.includes(manifest.task)) {
    throw new WeisuError('model_wrong_task', `model ${manifest.id} is a ${manifest.task} model, not ${opts.task.join(' or ')}`, { field: 'model', fix: `choose a ${opts.task[0]} model (weisu models list)` });
  }
  const path = requireModelFile(reg, manifest);
  const threads = opts.threads ?? 2;
  const bytes = readFileSync(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== manifest.sha256) {
    // Not refused: a site may have retrained its model in place. But it is not the model the manifest pins.
    log.warn({ model: manifest.id, file: path, expected: manifest.sha256, found: sha256 }, 'model file differs from its manifest sha256 (weisu models list shows it; update the manifest if this is deliberate)');
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
  } catch (e) {
    throw new WeisuError('model_invalid', `model file ${path} (model ${manifest.id}) is not a loadable ONNX model: ${(e as Error).message.split('\n')[0]}`, {
      field: 'detector.model',
      fix: `download it again: weisu models pull ${manifest.id} (it is checked against its sha256)`,
      cause: e,
    });
  }
  try {
    return { manifest, session, ...checkModelIo(manifest, session) };
  } catch (e) {
    await session.release();
    throw e;
  }
}
