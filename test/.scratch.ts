import { startProvider } from './support/providers.js';
import { runInProcess } from './support/io.js';
const p = await startProvider(process.argv[2] as 'azure' | 's3');
const names = process.argv[2] === 's3'
  ? ['esc\x1b]0;pwned\x07.log', 'clear\x1b[2J.log', 'cr\rover.log', 'rtl\u202egol.log', 'new\nline.log', 'tab\tx.log', `quo'te "dq".log`, 'back\\slash.log', 'end\\', 'star*.log', 'starX.log', 'br[1].log', 'br1.log', 'com,ma.log', 'del\x7f.log', 'c1\u0085.log']
  : ['cr\rover.log', 'rtl\u202egol.log', 'new\nline.log', 'tab\tx.log', `quo'te "dq".log`, 'star*.log', 'starX.log', 'br[1].log', 'br1.log', 'com,ma.log'];
await p.seed('hostile', names.map((n, i) => ({ key: `logs/2026/12/01/00/${n}`, body: Buffer.from(`{"i":${i},"ua":"curl \\u001b]0;OWNED\\u0007 \\u001b[2J"}\n`) })));
const env = { ...p.env, ARCHIVE_FORCE_TTY: '1', COLUMNS: '80' };
for (const args of [['list', p.loc('hostile', 'logs/')], ['list', p.loc('hostile', 'logs/'), '--long'], ['query', p.loc('hostile', 'logs/'), 'SELECT i, ua, _key FROM logs ORDER BY i LIMIT 3'], ['list', p.loc('hostile', 'logs/'), '--urls'], ['list', p.loc('hostile', 'logs/'), '--paths']]) {
  const r = await runInProcess(args, { env });
  console.log('$', args.join(' '), r.code);
  console.log(JSON.stringify(r.stdout).slice(0, 3000));
  console.log(r.stdout);
  console.log(JSON.stringify(r.stderr));
}
await p.stop();
