import type { EvidenceFrame, IncidentMessage, ViewChangeMessage } from '../../core/types.js';
import type { LastSample, SamplePorts, StoredRuleState } from '../../pipeline/ports.js';
import type { SampledCamera } from '../../queue/cameras.js';
import type { CameraView } from '../../queue/views.js';
import type { PatrolPosition } from '../../onvif/patrol.js';
import type { CameraHealth } from '../../streams/health.js';

/**
 * The sampling job's ports in memory (what queue/sample_ports.ts keeps in Redis), so tests drive the job
 * without Redis. Everything is inspectable; `beforeCommit` lets a test slip another worker's commit in.
 */
export function memoryPorts(cameras: SampledCamera[] = []) {
  const state = {
    cameras: new Map(cameras.map((c) => [c.id, c])),
    leases: new Set<string>(),
    lastSample: new Map<string, LastSample>(),
    rules: new Map<string, StoredRuleState>(),
    firstFrames: new Map<string, Map<string, { ts: number; frame: EvidenceFrame }>>(),
    health: new Map<string, CameraHealth>(),
    views: new Map<string, CameraView>(),
    patrols: new Map<string, PatrolPosition>(),
    viewPictures: new Map<string, Buffer>(),
    emitted: [] as IncidentMessage[],
    announced: [] as ViewChangeMessage[],
    beforeCommit: undefined as ((cameraId: string) => void) | undefined,
  };
  const framesOf = (id: string) => state.firstFrames.get(id) ?? state.firstFrames.set(id, new Map()).get(id)!;
  const ports: SamplePorts = {
    cameras: {
      read: async (id) => state.cameras.get(id),
      async lease(id) {
        if (state.leases.has(id)) return null;
        state.leases.add(id);
        return { release: async () => void state.leases.delete(id) };
      },
      recordSample: async (id, last) => void state.lastSample.set(id, last),
    },
    ruleState: {
      load: async (id) => structuredClone(state.rules.get(id) ?? { version: 0, rules: undefined, pending: [] }),
      async commit(id, expected, next) {
        state.beforeCommit?.(id);
        const version = state.rules.get(id)?.version ?? 0;
        if (version !== expected) return null;
        state.rules.set(id, structuredClone({ version: version + 1, ...next, pendingAt: next.pending.length ? next.pendingAt : undefined }));
        return version + 1;
      },
      async clearPending(id, version, others) {
        const s = state.rules.get(id);
        if (!s || s.version !== version) return false;
        state.rules.set(id, { ...s, pending: others.pending, pendingAt: others.pending.length ? others.pendingAt : undefined });
        return true;
      },
    },
    firstFrames: {
      keep: async (id, ts, frame, incidentIds) => incidentIds.forEach((i) => framesOf(id).set(i, { ts, frame })),
      get: async (id, incidentId) => framesOf(id).get(incidentId)?.frame,
      keepOnly: async (id, open) => [...framesOf(id).keys()].forEach((i) => open.has(i) || framesOf(id).delete(i)),
    },
    health: {
      read: async (id) => state.health.get(id),
      save: async (id, h) => void state.health.set(id, h),
    },
    views: {
      read: async (id) => state.views.get(id),
      async save(id, view, picture) {
        state.views.set(id, view);
        if (view.state === 'aligned') state.viewPictures.delete(id);
        else if (view.since === view.at) state.viewPictures.set(id, await picture());
      },
      announce: async (msg) => void state.announced.push(msg),
    },
    incidents: { emit: async (msg) => void state.emitted.push(msg) },
    patrols: { read: async (id) => state.patrols.get(id) },
  };
  return { ports, state };
}
