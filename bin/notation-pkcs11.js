#!/usr/bin/env node
// notation-pkcs11: the notation-ts PKCS#11 signer as a notation plugin (RAW signing).
// Usage: notation-pkcs11 <get-plugin-metadata|describe-key|generate-signature> (request JSON on stdin),
// or `notation-pkcs11 launcher [--name <plugin name>] > notation-pkcs11` to make the file
// `notation plugin install --file` needs (this .js file only runs from inside the package).
import { realpathSync } from 'node:fs';

const MAX_STDIN_BYTES = 64 * 1024 * 1024;

async function readStdin() {
  if (process.stdin.isTTY) return '';
  const chunks = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += c.length;
    if (size > MAX_STDIN_BYTES) throw new Error(`request larger than ${MAX_STDIN_BYTES} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function fail(message) {
  process.stderr.write(JSON.stringify({ errorCode: 'ERROR', errorMessage: message }));
  process.exitCode = 1;
}

let mod;
try {
  mod = await import('../dist/plugins/pkcs11/plugin-main.js');
} catch (e) {
  fail(`notation-pkcs11 cannot load its code (${e && e.message}); run it from the notation-ts package, or install the output of \`notation-pkcs11 launcher\` as the plugin`);
}
if (mod) {
  const argv = process.argv.slice(2);
  try {
    const stdin = argv[0] === 'launcher' ? '' : await readStdin();
    const r = await mod.runPkcs11Plugin(argv, stdin, {
      env: process.env,
      nodePath: process.execPath,
      scriptPath: realpathSync(process.argv[1]),
    });
    if (r.stdout) process.stdout.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
    process.exitCode = r.exitCode;
  } catch (e) {
    fail(String(e && e.message));
  }
}
