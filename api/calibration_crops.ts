import sharp from 'sharp';
import { cropSites } from '../detector/bin_observer.js';
import { createClassifier, type Classifier } from '../detector/classifier.js';
import { checkedSize } from '../detector/image.js';
import { defaultModelsDir } from '../models/registry.js';
import type { BinSiteZone } from '../rules/schema.js';

/**
 * Turns a frame into a calibration example of one bin site: the zone's crop, cut exactly as the bin
 * observer cuts it, and the embedding the zone's classifier gives that crop (what the site's own
 * examples are compared on). Classifiers are loaded on first use and kept, one per model.
 */
export class CalibrationCropper {
  private readonly classifiers = new Map<string, Promise<Classifier>>();

  constructor(private readonly modelsDir = defaultModelsDir()) {}

  async example(frameJpeg: Buffer, zone: BinSiteZone): Promise<{ crop: Buffer; embedding: Float32Array; model: string }> {
    // Header first: an upload declaring more pixels than any camera has is refused before anything decodes it.
    const size = await checkedSize(frameJpeg);
    const [raw] = await cropSites({ cameraId: 'calibration', ts: 0, width: size.width, height: size.height, jpeg: frameJpeg }, [zone]);
    const classifier = await this.classifier(zone.model);
    const [c] = await classifier.classify([raw!]);
    const crop = await sharp(raw!.data, { raw: { width: raw!.width, height: raw!.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    return { crop, embedding: c?.embedding ?? new Float32Array(), model: zone.model };
  }

  private classifier(model: string): Promise<Classifier> {
    let c = this.classifiers.get(model);
    if (!c) {
      c = createClassifier({ modelsDir: this.modelsDir, model, threads: 1 });
      // A failed load is not cached: the operator may install the model and try again.
      c.catch(() => this.classifiers.delete(model));
      this.classifiers.set(model, c);
    }
    return c;
  }

  async close(): Promise<void> {
    for (const c of this.classifiers.values()) await (await c.catch(() => undefined))?.close();
    this.classifiers.clear();
  }
}
