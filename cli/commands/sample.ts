import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configPath, loadConfig } from '../../config/load.js';
import { progress } from '../progress.js';
import { ensureSampleVideo, SAMPLE_SCENE, SAMPLE_TRUTH, sampleVideoPath } from '../../sample/scene.js';

export const summary = 'sample [--config FILE]: compose the sample street video (a car parking in the no-parking zone) into the data dir';

const USAGE = `usage: weisu sample [--config FILE]
  Composes the sample camera's video from the real media (WEISU_MEDIA_DIR, default ../shared/media) into
  <data_dir>/sample/${SAMPLE_SCENE.name}.mp4, once per data dir; \`npm start\` runs it before \`weisu serve\`.`;

const mmss = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const cfg = loadConfig(configPath(values.config));
  const path = sampleVideoPath(resolve(cfg.data_dir));
  const { built } = await ensureSampleVideo(path, progress('weisu sample: composing', (done, total) => `${done}/${total} frames`));
  const users = cfg.cameras.filter((c) => resolve(c.url) === path).map((c) => c.id);
  console.log(
    `weisu sample: ${built ? 'composed' : 'up to date'} ${path}: a car parks on the hard shoulder at ${mmss(SAMPLE_TRUTH.stoppedS)} and leaves at ` +
      `${mmss(SAMPLE_TRUTH.leftS)} of every ${mmss(SAMPLE_SCENE.durationS)} loop; ` +
      (users.length ? `camera(s) ${users.join(', ')} play it` : 'no camera of this config plays it (set a camera url to this path)'),
  );
  return 0;
}
