import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WeisuError } from '../core/errors.js';

/**
 * `weisu COMMAND ...`. Each file in cli/commands/ is one top-level command exporting
 * `summary` (one line for help) and `run(argv)` returning the exit code; adding a command is adding a file.
 */
export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const commandsDir = new URL('./commands/', import.meta.url);

function commandNames(): string[] {
  return readdirSync(fileURLToPath(commandsDir))
    .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.(js|ts)$/, ''))
    .sort();
}

async function load(name: string): Promise<Command> {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return (await import(new URL(`${name}.${ext}`, commandsDir).href)) as Command;
}

async function help(): Promise<void> {
  const lines = ['weisu — camera-found city cases, handled before anyone reports them', '', 'commands:'];
  for (const name of commandNames()) lines.push(`  ${name.padEnd(10)} ${(await load(name)).summary}`);
  lines.push('', 'weisu COMMAND --help for a command\'s options');
  console.log(lines.join('\n'));
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await help();
    return name ? 0 : 1;
  }
  if (!commandNames().includes(name)) {
    console.error(`weisu: unknown command "${name}" (weisu --help lists them)`);
    return 2;
  }
  const command = await load(name);
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof WeisuError) {
      console.error(`weisu ${name}: ${e.describe()}`);
      return 1;
    }
    // node:util parseArgs refusing an option: a usage error, not a crash (and --help always answers).
    if (typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('ERR_PARSE_ARGS')) {
      const asked = rest.includes('--help') || rest.includes('-h');
      (asked ? console.log : console.error)(`${asked ? '' : `weisu ${name}: ${(e as Error).message.split('. ')[0]}\n`}usage: weisu ${command.summary}`);
      return asked ? 0 : 2;
    }
    throw e;
  }
}

// `weisu detect ... | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
