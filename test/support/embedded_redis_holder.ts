import { startEmbeddedRedis } from '../../queue/redis.js';

/** Starts the embedded Redis in the data dir given and waits to be killed: a `weisu serve` that dies outright. */
const r = await startEmbeddedRedis(process.argv[2]!, { persist: false });
console.log(`holding redis-server pid ${r.pid}`);
setInterval(() => undefined, 60_000);
