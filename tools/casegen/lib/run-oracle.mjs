// Run the external oracle (a separate process; nothing of it is linked or copied).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ORACLE_FIELDS = ['id', 'identityPolicies', 'resourcePolicy', 'permissionBoundaries', 'scps', 'rcps', 'sessionPolicy', 'deriveContext', 'request'];

export function oracleInfo(dir) {
  dir = resolve(dir);
  const script = join(dir, 'oracle.mjs');
  if (!existsSync(script)) throw new Error(`no oracle at ${script} (pass --oracle DIR or set ORACLE_DIR)`);
  let version = 'unknown';
  try {
    version = JSON.parse(readFileSync(join(dir, 'node_modules/@cloud-copilot/iam-simulate/package.json'), 'utf8')).version;
  } catch {
    /* not installed? the run below will fail loudly */
  }
  return { dir, script, version };
}

/** Run cases (objects) through the oracle; returns one result object per case, same order. */
export function runOracle(dir, cases) {
  const { script } = oracleInfo(dir);
  const input = cases.map((c, i) => {
    const o = {};
    for (const f of ORACLE_FIELDS) if (c[f] !== undefined) o[f] = c[f];
    o.id = i; // positional id, mapped back below
    return JSON.stringify(o);
  }).join('\n') + '\n';
  const r = spawnSync(process.execPath, [script], { cwd: dirOf(script), input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`oracle failed (${r.status}): ${r.stderr}`);
  const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  if (out.length !== cases.length) throw new Error(`oracle returned ${out.length} lines for ${cases.length} cases`);
  out.forEach((o, i) => {
    if (o.id !== i) throw new Error(`oracle output out of order at ${i}`);
  });
  return out;
}
const dirOf = (p) => p.slice(0, p.lastIndexOf('/')) || '/';

/** "Allow" | "ExplicitDeny" | "ImplicitDeny" | "error" */
export const answerOf = (o) => (o.error ? 'error' : o.decision);
