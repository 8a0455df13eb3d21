import { createRequire } from 'node:module';

/**
 * The one importer of OpenCV's WebAssembly build (`@techstark/opencv-js`). Typed narrowly here: the
 * package's own typings pull in a browser toolkit weisu does not need, and only these calls are used.
 * Loaded once per process on first use (about 0.3 s and 100 MB), so processes that never align pay nothing.
 */

export interface CvMat {
  rows: number;
  cols: number;
  data: Uint8Array;
  data64F: Float64Array;
  empty(): boolean;
  delete(): void;
}

interface CvKeyPoint {
  pt: { x: number; y: number };
}
interface CvVector<T> {
  size(): number;
  get(i: number): T;
  delete(): void;
}
interface CvDMatch {
  queryIdx: number;
  trainIdx: number;
  distance: number;
}

export interface OpenCv {
  CV_8UC1: number;
  CV_32FC2: number;
  NORM_HAMMING: number;
  RANSAC: number;
  Mat: new () => CvMat;
  matFromArray(rows: number, cols: number, type: number, data: ArrayLike<number>): CvMat;
  ORB: new (nfeatures: number) => { detectAndCompute(img: CvMat, mask: CvMat, kp: CvVector<CvKeyPoint>, desc: CvMat): void; delete(): void };
  KeyPointVector: new () => CvVector<CvKeyPoint>;
  DMatchVectorVector: new () => CvVector<CvVector<CvDMatch>>;
  BFMatcher: new (norm: number, crossCheck: boolean) => {
    knnMatch(query: CvMat, train: CvMat, out: CvVector<CvVector<CvDMatch>>, k: number): void;
    delete(): void;
  };
  findHomography(src: CvMat, dst: CvMat, method: number, reprojThreshold: number, mask: CvMat): CvMat;
}

let loading: Promise<OpenCv> | undefined;

export function loadOpenCv(): Promise<OpenCv> {
  loading ??= new Promise<OpenCv>((resolve, reject) => {
    const require = createRequire(import.meta.url);
    // The Emscripten build installs process-wide handlers in Node: one rethrows every uncaught exception
    // (printing the whole 8 MB script), one aborts the WebAssembly runtime on any unhandled rejection
    // anywhere in the process. weisu's own handling of both stays in charge: the build's are removed.
    const before = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
    const cv = require('@techstark/opencv-js') as OpenCv & { onRuntimeInitialized?: () => void; then?: unknown };
    // The Emscripten module is itself a thenable whose `then` hands back the module: a promise resolved
    // with it would adopt it forever. Removed, the module is a plain object.
    for (const l of process.listeners('uncaughtException')) if (!before.uncaughtException.includes(l)) process.off('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!before.unhandledRejection.includes(l)) process.off('unhandledRejection', l);
    const ready = () => {
      delete cv.then;
      resolve(cv);
    };
    // The WebAssembly module compiles asynchronously; the build signals readiness through this hook.
    if (typeof cv.Mat === 'function') return ready();
    const timer = setTimeout(() => reject(new Error('OpenCV WebAssembly did not initialise within 60 s')), 60_000);
    timer.unref();
    cv.onRuntimeInitialized = () => {
      clearTimeout(timer);
      ready();
    };
  });
  return loading;
}
