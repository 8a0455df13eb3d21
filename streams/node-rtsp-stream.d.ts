/** Types for the part of node-rtsp-stream weisu uses (the package ships none). */
declare module 'node-rtsp-stream/mpeg1muxer.js' {
  import type { ChildProcess } from 'node:child_process';
  import type { EventEmitter } from 'node:events';

  interface Mpeg1MuxerOptions {
    url: string;
    ffmpegPath: string;
    /** Output options, in order: `{ '-b:v': '1000k', '-an': '' }`. */
    ffmpegOptions?: Record<string, string>;
  }

  /** Spawns `ffmpeg -i URL -f mpegts -codec:v mpeg1video OPTIONS -` and emits 'mpeg1data' (Buffer), 'ffmpegStderr', 'exitWithError'. */
  class Mpeg1Muxer extends EventEmitter {
    constructor(options: Mpeg1MuxerOptions);
    stream: ChildProcess;
  }
  export default Mpeg1Muxer;
}
