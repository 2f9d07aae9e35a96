/**
 * Questions for a person at a terminal, and only for one: every prompt has a flag/env twin, and
 * off a TTY (CI, pipes) or with ARCHIVE_NO_PROMPT set a missing value is a usage error naming
 * that twin instead of a hang. Prompts go to stderr so stdout stays clean.
 */
import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/** The two streams a prompt talks through: questions on stderr so stdout stays clean. */
export interface Terminal {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export function canPrompt(env: Readonly<NodeJS.ProcessEnv>, term: Terminal): boolean {
  return !!term.stdin.isTTY && !!term.stderr.isTTY && !env.ARCHIVE_NO_PROMPT && !env.CI;
}

function ask(question: string, hidden: boolean, term: Terminal): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: term.stdin, output: term.stderr, terminal: true });
    let muted = false;
    // readline echoes through _writeToOutput; muting it hides a secret as it is typed.
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    out._writeToOutput = (s: string) => {
      if (!muted) term.stderr.write(s);
      else if (/[\r\n]/.test(s)) term.stderr.write('\n');
    };
    rl.on('SIGINT', () => {
      rl.close();
      term.stderr.write('\n');
      reject(new UsageError('cancelled'));
    });
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer.trim());
    });
    muted = hidden;
  });
}

export async function promptText(term: Terminal, question: string, def?: string): Promise<string> {
  const a = await ask(`${question}${def ? ` [${def}]` : ''}: `, false, term);
  return a || def || '';
}

export async function promptSecret(term: Terminal, question: string): Promise<string> {
  return ask(`${question} (input hidden): `, true, term);
}

export async function promptChoice<T extends string>(term: Terminal, question: string, choices: readonly T[], def?: T): Promise<T> {
  for (;;) {
    const a = await promptText(term, `${question} (${choices.join(', ')})`, def);
    if ((choices as readonly string[]).includes(a)) return a as T;
    term.stderr.write(`please answer one of: ${choices.join(', ')}\n`);
  }
}

/** All of stdin, without the trailing newline(s) a shell `echo`/heredoc adds. */
export async function readStdinSecret(term: Terminal): Promise<string> {
  if (term.stdin.isTTY) return promptSecret(term, 'secret');
  const chunks: Buffer[] = [];
  for await (const c of term.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/[\r\n]+$/, '');
}

export async function readSecretFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).replace(/[\r\n]+$/, '');
  } catch (e) {
    throw new UsageError(`cannot read the secret file ${path}`, {
      serviceCode: (e as NodeJS.ErrnoException).code,
      hint: 'check the path and that you can read it',
    });
  }
}
