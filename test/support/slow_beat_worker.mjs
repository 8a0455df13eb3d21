// A stand-in for cli/worker_process.ts, speaking its IPC protocol (queue/worker_pool.ts): it starts at once
// and then beats only every BEAT_MS (from argv-free env: WEISU_TEST_BEAT_MS), holding one camera. Used to
// show that `workers.watchdog` decides when serve's pool calls a worker stuck. Plain JS: forked without tsx.
const beatMs = Number(process.env.WEISU_TEST_BEAT_MS ?? 5000);
const beat = () => process.connected && process.send({ type: 'beat', holding: ['slow-cam'], metrics: '' });
process.on('message', (m) => {
  if (m.type === 'start') {
    process.send({ type: 'ready' });
    beat();
  } else if (m.type === 'stop') process.exit(0);
});
setInterval(beat, beatMs);
process.on('disconnect', () => process.exit(0));
