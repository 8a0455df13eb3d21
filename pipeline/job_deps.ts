import type { ViewMatch } from '../align/align.js';
import type { ReferencePicture } from '../align/aligner.js';
import type { BinObservation, Detections, SampledFrame, IncidentMessage } from '../core/types.js';
import { log } from '../core/log.js';
import { sourceOptions, type SampledCamera } from '../queue/cameras.js';
import type { WorkerMetrics } from '../queue/worker_metrics.js';
import type { BinSiteZone } from '../rules/schema.js';
import { nextHealth, type BackoffPolicy, type CameraHealth } from '../streams/health.js';
import type { sourceDefaults, StreamsConfig } from '../streams/schema.js';
import { StreamError, type Source, type SourceOptions } from '../streams/source.js';
import { DetectError } from './errors.js';
import type { FrameEyes } from './frame_step.js';
import type { SamplePorts } from './ports.js';

/**
 * What the sampling and recheck jobs run on: the ports to the shared state (pipeline/ports.ts), the
 * sources, the models as the worker runs them, and the fleet's stream settings from the config file.
 */
export interface SampleDeps {
  ports: SamplePorts;
  openSource(opts: SourceOptions): Source;
  /** The config's `streams` settings every source is opened with (timeouts, JPEG quality). */
  sourceDefaults: ReturnType<typeof sourceDefaults>;
  /**
   * The fleet's URL policy settings: every camera is judged by them, for its origin, before it is
   * contacted. Absent: the defaults (any network; local targets for config-file cameras only).
   */
  streams?: Pick<StreamsConfig, 'allow_networks' | 'allow_local_from_api'>;
  /** The config's `streams.retry`: how long a failing camera is left alone. */
  backoff: BackoffPolicy;
  /** One frame's detections; the caller batches concurrent calls into one detector run. */
  detect(frame: SampledFrame, camera: SampledCamera): Promise<Detections>;
  /** Fill state of the camera's bin sites in this frame (with the sites' calibration when there is one). */
  observeBins?(frame: SampledFrame, zones: BinSiteZone[], calibration?: SampledCamera['calibration']): Promise<Record<string, BinObservation>>;
  /** The frame against the camera's reference views (align/); absent: views are not checked. */
  checkView?(frame: SampledFrame, references: readonly ReferencePicture[]): Promise<ViewMatch>;
  /** The plate of a confirmed parking incident, read from its evidence frames; absent when plate reading is off. */
  readPlate?(msg: IncidentMessage): Promise<NonNullable<IncidentMessage['plate']>>;
  metrics: WorkerMetrics;
  /** Long side of the scaled copy sources decode for inference (the detector's input). */
  inferenceLongSide?: number;
  /**
   * The detector reads every frame's full-resolution picture (inference regions): sources then make the
   * JPEG with the inference copy, in one decode, instead of leaving it for the rare sample that is evidence.
   */
  fullPictures?: boolean;
  workerId: string;
}

const DEFAULT_URL_POLICY = { allow_networks: [], allow_local_from_api: false };

/** The job's models, as the per-frame step runs them; a detector failure is a `DetectError`. */
export function jobEyes(deps: SampleDeps): FrameEyes<SampledCamera> {
  return {
    detect: (frame, camera) =>
      deps.detect(frame, camera).catch((e: unknown) => {
        throw new DetectError(e);
      }),
    ...(deps.observeBins ? { observeBins: deps.observeBins } : {}),
    ...(deps.checkView ? { checkView: deps.checkView } : {}),
  };
}

/** One frame of the camera, or why not (recorded in the camera's health either way). */
export async function grabFrame(deps: SampleDeps, camera: SampledCamera, prev: CameraHealth | undefined, signal?: AbortSignal): Promise<{ frame: SampledFrame } | { reason: string }> {
  let source: Source | undefined;
  try {
    // Opening may refuse the URL outright (bad URL, missing file): that is the camera's health too.
    source = deps.openSource({ ...deps.sourceDefaults, ...sourceOptions(camera, deps.streams ?? DEFAULT_URL_POLICY, deps.inferenceLongSide) });
    // Bin sites are cropped from the full-resolution picture every sample: it is made in the same decode.
    const full = deps.fullPictures || camera.zones.some((z) => z.kind === 'bin_site');
    const frame = full ? await source.grab(signal) : await source.sample(signal);
    const info = source.lastGrab;
    await saveHealth(deps, camera.id, nextHealth(prev, { ok: true, at: Date.now(), frame, codec: info?.codec, latencyMs: info?.latencyMs }, Math.random, deps.backoff));
    return { frame };
  } catch (e) {
    if (!(e instanceof StreamError)) throw e;
    await saveHealth(deps, camera.id, nextHealth(prev, { ok: false, at: Date.now(), error: e }, Math.random, deps.backoff));
    log.info({ camera: camera.id, reason: e.reason, err: e.message }, 'camera gave no frame');
    return { reason: e.reason };
  } finally {
    await source?.close().catch(() => undefined);
  }
}

async function saveHealth(deps: SampleDeps, cameraId: string, health: CameraHealth): Promise<void> {
  await deps.ports.health.save(cameraId, health);
  deps.metrics.cameraHealth(cameraId, health.state);
}
