/**
 * The currencies passed between stages. Every stage speaks these and nothing else, so a stage can be
 * replaced (another source, another model, another case system) without the others noticing.
 */

/** Box in pixels of the full-resolution frame: [x1, y1, x2, y2]. */
export type BBox = [number, number, number, number];

/** Tightly packed interleaved 8-bit RGB pixels. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

/** One sampled picture of one camera. Lives in memory only. */
export interface Frame {
  cameraId: string;
  /** Milliseconds of source time: media time for files, capture time for live sources. Never read from the wall clock by rules. */
  ts: number;
  /** Full-resolution size. */
  width: number;
  height: number;
  /** Full-resolution JPEG, kept for evidence. */
  jpeg: Buffer;
  /** Optional copy already scaled for inference (decoded once by the source, so the detector need not decode the JPEG). */
  pixels?: RawImage;
}

/**
 * A sampled picture whose full-resolution JPEG may not be encoded yet: the sampling job needs it only when
 * a sample becomes evidence (a stay begins, an event), so a keyframe source skips encoding it, which costs
 * about as much CPU as decoding the keyframe, and `encodeJpeg` makes it from the very same picture when
 * asked (core/frames.ts `fullJpeg`). Every `Frame` is one, its JPEG at hand.
 */
export type SampledFrame = Omit<Frame, 'jpeg'> & { jpeg?: Buffer; encodeJpeg?: () => Promise<Buffer> };

/** weisu's own categories; models' labels map onto them through their manifests. */
export type Category = 'vehicle' | 'person' | 'bin' | 'other';

export interface Detection {
  box: BBox;
  score: number;
  classId: number;
  label: string;
  category: Category;
  /** Set by the tracker. */
  trackId?: number;
  /** Mean RGB (0..1) of the middle of the box (detector/appearance.ts): tells two vehicles in one spot apart. */
  appearance?: [number, number, number];
}

/** What a detector says about one frame. */
export interface Detections {
  cameraId: string;
  ts: number;
  width: number;
  height: number;
  items: Detection[];
}

/** Fill state of a bin site as judged by a classifier (or per-site calibration). */
export interface BinObservation {
  ts: number;
  /** `skipped`: crop too dark or badly exposed to judge. */
  state: 'overflowing' | 'normal' | 'skipped';
  score: number;
  decidedBy: 'generic' | 'calibration' | 'exposure';
  /** The crop judged, in pixels of the full frame. */
  box?: BBox;
  /** Mean luma of the crop, 0 (black) .. 1 (white): why a crop was skipped. */
  brightness?: number;
}

export type IncidentKind = 'no_parking' | 'bin_overflow';

/**
 * An event a rule emits. Pure data: rules know nothing of frames or IO.
 * `incidentId` is deterministic (camera, zone, start of the stay), so a replayed or re-delivered event
 * maps onto the same incident and never files a second ticket.
 */
export interface RuleEvent {
  type: 'confirmed' | 'cleared';
  incidentId: string;
  cameraId: string;
  zoneId: string;
  kind: IncidentKind;
  /** Source-time milliseconds. */
  firstSeen: number;
  confirmedAt: number;
  lastSeen: number;
  ts: number;
  subject: { box: BBox; label: string; score: number; trackId?: number };
  frameSize: { width: number; height: number };
}

/** A JPEG carried with an event for evidence (base64 so it can travel through a JSON queue). */
export interface EvidenceFrame {
  ts: number;
  jpegBase64: string;
  /** What the frame shows: the first sighting or the confirming one. */
  role: 'first_seen' | 'confirmed' | 'recheck';
  /** Boxes (pixels of this frame) of people other than the subject: blurred in evidence for privacy. */
  people?: BBox[];
}

/** What the detection worker sends to the alerts side over the `incidents` queue. */
export interface IncidentMessage {
  event: RuleEvent;
  frames: EvidenceFrame[];
  /** Filled in by plate reading for parking incidents, when read. */
  plate?: { text: string; confidence: number; format?: string; votes?: number } | { unread: true; reason: string };
}

/**
 * A camera's view left its reference views (align/: moved, covered…) or came back to one: what the worker
 * that saw it sends to the alerts side over the `view_changes` queue, so crews' webhooks are told.
 */
export interface ViewChangeMessage {
  /** The same for every sending of one change (camera, event, the last sample before it): a re-sent message is dropped. */
  id: string;
  cameraId: string;
  event: 'camera.view_changed' | 'camera.view_restored';
  state: 'aligned' | 'view_changed' | 'obstructed';
  /** Why not aligned: no_match, moved, too_dark, covered, defocused. */
  reason?: string;
  /** When the new state began (ms epoch). */
  since: number;
  /** The state left behind; absent for a camera's first check. */
  was?: { state: string; reason?: string; since: number };
  preset?: string;
  /** How far the view moved from its reference, in fractions of the picture. */
  shift?: number;
  /** The picture that showed the change (JPEG). */
  jpegBase64: string;
}
