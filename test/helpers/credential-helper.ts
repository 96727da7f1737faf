/**
 * A real `docker-credential-<name>` helper executable for tests, backed by a JSON
 * file (get / store / erase / list), as `pass` or `secretservice` would be.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeCredentialHelper(binDir: string, name: string, storeFile: string): string {
  const script = join(binDir, `docker-credential-${name}`);
  writeFileSync(
    script,
    `#!${process.execPath}
const fs = require('fs');
const file = ${JSON.stringify(storeFile)};
const load = () => { try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return {}; } };
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const db = load();
  const action = process.argv[2];
  const key = input.trim();
  if (action === 'get' || action === 'erase') {
    if (!db[key]) { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); }
    if (action === 'get') process.stdout.write(JSON.stringify({ ServerURL: key, Username: db[key].Username, Secret: db[key].Secret }));
    else { delete db[key]; fs.writeFileSync(file, JSON.stringify(db)); }
  } else if (action === 'store') {
    const c = JSON.parse(input);
    db[c.ServerURL] = { Username: c.Username, Secret: c.Secret };
    fs.writeFileSync(file, JSON.stringify(db));
  } else if (action === 'list') {
    process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(db).map(([k, v]) => [k, v.Username]))));
  } else { process.stdout.write('unknown action'); process.exit(1); }
});
`,
  );
  chmodSync(script, 0o755);
  return script;
}
