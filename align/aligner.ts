import type { RawImage } from '../core/types.js';
import { alignView, type AlignOptions, type ReferenceView, type ViewMatch } from './align.js';
import { describeView, type ViewFeatures } from './features.js';
import { loadOpenCv, type OpenCv } from './opencv.js';
import { greyPicture } from './picture.js';

/**
 * What a worker holds to align samples: OpenCV, and the features of the reference views it has met
 * (computed once per view, not per sample). A reference view's id changes whenever it is retaken, so a
 * cached entry never goes stale; the cache is bounded so a fleet's renewals cannot grow it for ever.
 */
export interface ReferencePicture {
  /** Changes whenever the view is retaken (store id). */
  id: string;
  preset?: string;
  /** The reference picture, JPEG in base64 (it travels to workers inside the camera's JSON spec). */
  jpegBase64: string;
}

const CACHED_VIEWS = 512;

export class ViewAligner {
  private readonly cache = new Map<string, ReferenceView>();

  private constructor(private readonly cv: OpenCv) {}

  static async create(): Promise<ViewAligner> {
    return new ViewAligner(await loadOpenCv());
  }

  async describe(picture: Buffer | RawImage): Promise<ViewFeatures> {
    return describeView(this.cv, await greyPicture(picture));
  }

  async reference(ref: ReferencePicture): Promise<ReferenceView> {
    const hit = this.cache.get(ref.id);
    if (hit) {
      // Map order is the recency order: refresh on use, evict the oldest.
      this.cache.delete(ref.id);
      this.cache.set(ref.id, hit);
      return hit;
    }
    const view: ReferenceView = { id: ref.id, ...(ref.preset !== undefined ? { preset: ref.preset } : {}), features: await this.describe(Buffer.from(ref.jpegBase64, 'base64')) };
    this.cache.set(ref.id, view);
    if (this.cache.size > CACHED_VIEWS) this.cache.delete(this.cache.keys().next().value!);
    return view;
  }

  /** Forgets the reference views' features (OpenCV itself stays loaded for the process). */
  async close(): Promise<void> {
    this.cache.clear();
  }

  /** The current picture against the camera's reference views. */
  async check(picture: Buffer | RawImage, references: readonly ReferencePicture[], opts: AlignOptions): Promise<ViewMatch> {
    const refs = await Promise.all(references.map((r) => this.reference(r)));
    return alignView(this.cv, refs, await this.describe(picture), opts);
  }
}
