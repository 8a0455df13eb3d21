/**
 * Progress of long CLI work (model pulls, composing the sample) on stderr: a bar redrawn in place on a
 * terminal; a line per quarter otherwise, so logs and CI keep a trace without thousands of lines.
 */
export function progress(label: string, text: (done: number, total: number | undefined) => string): (done: number, total: number | undefined) => void {
  const tty = process.stderr.isTTY;
  let lastQuarter = -1;
  return (done, total) => {
    const frac = total ? Math.min(1, done / total) : 0;
    const line = `${total ? `${(frac * 100).toFixed(0).padStart(3)}%  ` : ''}${text(done, total)}`;
    if (tty) {
      const bar = '#'.repeat(Math.round(frac * 30)).padEnd(30, '-');
      process.stderr.write(`\r${label}  [${bar}] ${line}   ${total && done >= total ? '\n' : ''}`);
    } else if (Math.floor(frac * 4) > lastQuarter) {
      lastQuarter = Math.floor(frac * 4);
      process.stderr.write(`${label}: ${line}\n`);
    }
  };
}
