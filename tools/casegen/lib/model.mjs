// An independent, deliberately small reading of docs/policy-semantics.md (§2-§5) used ONLY to
// cross-check the oracle while generating cases. It covers the subset of the language the
// generator emits. evaluate() returns { decision } or { divergence: 'R<n>: ...' } when the case
// touches a known divergence between the spec and iam-simulate 0.1.173 (R197), or
// { unsupported: '...' } for shapes it does not model. Cases whose model decision differs from
// the oracle's are dropped by gen.mjs (and counted), never "fixed".

const NEGATED = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike'
};
const POSITIVE = new Set([
  'StringEquals', 'StringEqualsIgnoreCase', 'StringLike',
  'NumericEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'DateEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
  'Bool', 'BinaryEquals', 'IpAddress', 'ArnEquals', 'ArnLike'
]);
export const BASE_OPERATORS = [...POSITIVE, ...Object.keys(NEGATED)]; // 26

class Divergence extends Error {}
class Unsupported extends Error {}
const div = (m) => {
  throw new Divergence(m);
};
const unsup = (m) => {
  throw new Unsupported(m);
};

const arr = (x) => (Array.isArray(x) ? x : [x]);
const reEsc = (s) => s.replace(/[.*+?^${}()|[\]\\\/-]/g, '\\$&');

// ---------------------------------------------------------------- context
function lookup(ctx, key) {
  const lk = key.toLowerCase();
  for (const [k, v] of Object.entries(ctx)) if (k.toLowerCase() === lk) return v;
  return undefined;
}
const isPresent = (v) => v !== undefined && !(Array.isArray(v) && v.length === 0);

// ---------------------------------------------------------------- variables (R97-R103)
/** Tokenize a value: [{lit}|{glob}], or null when a variable has no value and no default. */
function tokens(text, ctx, version) {
  if (version !== '2012-10-17') {
    if (text.includes('${')) div('R10: ${...} in a 2008-10-17 policy');
    return [{ glob: text }];
  }
  const out = [];
  let i = 0;
  let buf = '';
  while (i < text.length) {
    if (text[i] === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i);
      if (end < 0) unsup('unterminated variable');
      if (buf) out.push({ glob: buf });
      buf = '';
      const inner = text.slice(i + 2, end);
      if (inner === '*' || inner === '?' || inner === '$') out.push({ lit: inner, special: true });
      else {
        const m = /^([^,\s]+)\s*(?:,\s*'([^']*)')?$/.exec(inner);
        if (!m) unsup(`bad variable ${inner}`);
        const v = lookup(ctx, m[1]);
        if (typeof v === 'string') out.push({ lit: v, variable: true });
        else if (m[2] !== undefined) out.push({ lit: m[2], variable: true });
        else return null; // R100/R101: no value
      }
      i = end + 1;
    } else {
      buf += text[i++];
    }
  }
  if (buf) out.push({ glob: buf });
  return out;
}
const tokensToString = (t) => t.map((x) => x.lit ?? x.glob).join('');
function tokensToRegex(t, { crossColon = true } = {}) {
  const any = crossColon ? '.*' : '[^:]*';
  const one = crossColon ? '.' : '[^:]';
  let s = '';
  for (const x of t) {
    if (x.lit !== undefined) s += reEsc(x.lit);
    else for (const ch of x.glob) s += ch === '*' ? any : ch === '?' ? one : reEsc(ch);
  }
  return new RegExp(`^${s}$`, 's');
}
const hasSpecial = (t) => t.some((x) => x.special);

// ---------------------------------------------------------------- base tests
const NUM = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const num = (s) => (NUM.test(s) ? Number(s) : NaN);
function date(s) {
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  if (!/^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/.test(s)) return NaN;
  const t = Date.parse(s.length === 4 ? `${s}-01-01T00:00:00Z` : s.length === 7 ? `${s}-01T00:00:00Z` : s);
  return t;
}
function ip(s) {
  // returns {fam, bits: BigInt, len} for address or CIDR
  const [addr, plen] = s.split('/');
  if (addr.includes(':')) {
    if (/\d+\.\d+\.\d+\.\d+$/.test(addr)) return null; // mapped/embedded IPv4: not modelled
    let parts;
    if (addr.includes('::')) {
      const [l, r] = addr.split('::');
      const L = l ? l.split(':') : [];
      const R = r ? r.split(':') : [];
      parts = [...L, ...Array(8 - L.length - R.length).fill('0'), ...R];
    } else parts = addr.split(':');
    if (parts.length !== 8) return null;
    let bits = 0n;
    for (const p of parts) bits = (bits << 16n) | BigInt(parseInt(p || '0', 16));
    return { fam: 6, bits, len: plen === undefined ? 128 : Number(plen) };
  }
  const o = addr.split('.').map(Number);
  if (o.length !== 4 || o.some((x) => !(x >= 0 && x <= 255))) return null;
  let bits = 0n;
  for (const x of o) bits = (bits << 8n) | BigInt(x);
  return { fam: 4, bits, len: plen === undefined ? 32 : Number(plen) };
}
function ipIn(x, v) {
  const a = ip(x);
  const n = ip(v);
  if (!a || !n) unsup(`ip ${x} / ${v}`);
  if (v === '0.0.0.0/0' || v.endsWith('/0')) div('R86: /0 prefix');
  if (!v.includes('/')) div('R86: bare address in policy');
  if (a.fam !== n.fam) return false;
  const width = a.fam === 4 ? 32n : 128n;
  const shift = width - BigInt(n.len);
  return a.bits >> shift === n.bits >> shift;
}
function arnSplit(s) {
  if (!s.startsWith('arn:')) return null;
  const p = s.split(':');
  if (p.length < 6) return null;
  return [...p.slice(0, 5), p.slice(5).join(':')];
}

/** test(x, v) of the positive base operator; v is the raw policy value (string). */
function baseTest(op, x, v, ctx, version) {
  switch (op) {
    case 'StringEquals':
    case 'StringEqualsIgnoreCase': {
      const t = tokens(v, ctx, version);
      if (t === null) return null;
      if (hasSpecial(t)) div('R103: ${*}/${?}/${$} in an Equals operator');
      const s = tokensToString(t);
      return op === 'StringEquals' ? x === s : x.toLowerCase() === s.toLowerCase();
    }
    case 'StringLike': {
      const t = tokens(v, ctx, version);
      if (t === null) return null;
      return tokensToRegex(t).test(x);
    }
    case 'NumericEquals': case 'NumericLessThan': case 'NumericLessThanEquals':
    case 'NumericGreaterThan': case 'NumericGreaterThanEquals': {
      const a = num(x);
      const b = num(v);
      if (Number.isNaN(b)) div('R78/R79: non-strict numeric policy value');
      if (Number.isNaN(a)) div('R79: non-numeric request value');
      return { NumericEquals: a === b, NumericLessThan: a < b, NumericLessThanEquals: a <= b, NumericGreaterThan: a > b, NumericGreaterThanEquals: a >= b }[op];
    }
    case 'DateEquals': case 'DateLessThan': case 'DateLessThanEquals':
    case 'DateGreaterThan': case 'DateGreaterThanEquals': {
      if (/^\d+$/.test(x) !== /^\d+$/.test(v)) div('R82: mixed epoch/ISO date forms');
      const a = date(x);
      const b = date(v);
      if (Number.isNaN(a) || Number.isNaN(b)) unsup(`date ${x} / ${v}`);
      return { DateEquals: a === b, DateLessThan: a < b, DateLessThanEquals: a <= b, DateGreaterThan: a > b, DateGreaterThanEquals: a >= b }[op];
    }
    case 'Bool': {
      const t = tokens(v, ctx, version);
      if (t === null) return null;
      const s = tokensToString(t).toLowerCase();
      const r = x.toLowerCase();
      if (r !== 'true' && r !== 'false') return false;
      return r === s;
    }
    case 'BinaryEquals': {
      const decoded = Buffer.from(v, 'base64').toString('latin1');
      if ((decoded === x) !== (v === x)) div('R85: BinaryEquals result depends on base64 decoding');
      return decoded === x;
    }
    case 'IpAddress':
      return ipIn(x, v);
    case 'ArnEquals':
    case 'ArnLike': {
      const raw = arnSplit(v);
      if (!raw) unsup(`policy ARN ${v}`);
      if (raw.slice(0, 5).some((seg) => seg.includes('${'))) div('R90/R99: variable in an ARN segment other than the resource part');
      const rparts = arnSplit(x);
      if (!rparts) return false; // R91
      const rt = tokens(raw[5], ctx, version);
      if (rt === null) return null;
      for (let i = 0; i < 5; i++) {
        if (!tokensToRegex([{ glob: raw[i] }], { crossColon: false }).test(rparts[i])) return false;
      }
      return tokensToRegex(rt).test(rparts[5]);
    }
    default:
      unsup(`operator ${op}`);
  }
}

function parseOp(name) {
  const m = /^(?:(ForAllValues|ForAnyValue):)?(.+?)(IfExists)?$/.exec(name);
  let [, qual, base, ifx] = m;
  if (base === 'Null' && ifx) unsup('NullIfExists');
  if (base !== 'Null' && !POSITIVE.has(base) && !NEGATED[base]) div(`R29: unknown operator ${name}`);
  return { qual, base, ifExists: !!ifx };
}

function evalPair(opName, key, rawValues, ctx, version, effect) {
  const { qual, base, ifExists } = parseOp(opName);
  const values = arr(rawValues).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  const req = lookup(ctx, key);
  if (Array.isArray(req) && req.length === 0) div('R60: empty multi-valued key');
  if (base === 'Null') {
    if (qual) div('R73: set qualifier with Null');
    return values.some((v) => (v.toLowerCase() === 'true' ? !isPresent(req) : isPresent(req)));
  }
  const negated = !!NEGATED[base];
  const pos = negated ? NEGATED[base] : base;
  const posMatch = (x) =>
    values.some((v) => {
      const r = baseTest(pos, x, v, ctx, version);
      if (r === null) {
        if (negated) div(`R101: unresolved variable in a negated operator (${effect})`);
        return false; // R101: no value -> matches nothing
      }
      return r;
    });
  if (!isPresent(req)) {
    if (ifExists) {
      if (qual === 'ForAnyValue') div('R72: ForAnyValue:...IfExists on an absent key');
      return true;
    }
    if (qual === 'ForAllValues') return true;
    if (qual === 'ForAnyValue') return false;
    return negated;
  }
  if (qual) {
    const elems = Array.isArray(req) ? req : [req];
    const test = (x) => (negated ? !posMatch(x) : posMatch(x));
    return qual === 'ForAllValues' ? elems.every(test) : elems.some(test);
  }
  if (Array.isArray(req)) div('R66/Q6: plain operator on a multi-valued key');
  return negated ? !posMatch(req) : posMatch(req);
}

function condTrue(cond, ctx, version, effect) {
  if (!cond) return true;
  for (const [op, block] of Object.entries(cond)) {
    for (const [key, vals] of Object.entries(block)) {
      if (!evalPair(op, key, vals, ctx, version, effect)) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------- actions / resources
function actionMatch1(pattern, action) {
  if (pattern === '*') return true;
  const [ps, pa] = pattern.split(':');
  const [as, aa] = action.split(':');
  if (ps.toLowerCase() !== as.toLowerCase()) return false;
  return tokensToRegex([{ glob: pa.toLowerCase() }]).test(aa.toLowerCase());
}
function actionMatch(st, action) {
  if (st.Action !== undefined) return arr(st.Action).some((p) => actionMatch1(p, action));
  return !arr(st.NotAction).some((p) => actionMatch1(p, action));
}

function resourceMatch1(pattern, resource, ctx, version, inNot) {
  if (/^\*+$/.test(pattern)) return true;
  if (resource === '*') return false; // R50
  const pp = pattern.split(':');
  if (pp.length < 6) div('R48: short ARN');
  const head = pp.slice(0, 5);
  const rest = pp.slice(5).join(':');
  if (head.some((s) => s.includes('${'))) div('R99/Q13: variable outside the resource part of an ARN');
  if (head.some((s) => s !== s.toLowerCase())) div('R46: upper case in ARN prefix segments');
  if (/[*?][^/]*\//.test(rest)) div('R45: wildcard before a later "/" in the resource part');
  const rp = arnSplit(resource);
  for (let i = 0; i < 5; i++) {
    if (!tokensToRegex([{ glob: head[i] }], { crossColon: false }).test(rp[i])) return false;
  }
  const t = tokens(rest, ctx, version);
  if (t === null) {
    if (inNot) div('R51: unresolved variable in NotResource');
    return false;
  }
  return tokensToRegex(t).test(rp[5]);
}
function resourceMatch(st, resource, ctx, version) {
  if (st.Resource !== undefined) return arr(st.Resource).some((p) => resourceMatch1(p, resource, ctx, version, false));
  if (st.NotResource !== undefined) return !arr(st.NotResource).some((p) => resourceMatch1(p, resource, ctx, version, true));
  unsup('statement without Resource/NotResource');
}

// ---------------------------------------------------------------- principals
const STRENGTH = { direct: 3, role: 2, account: 1 };
function parsePrincipal(s) {
  if (s === 'anonymous') return { kind: 'anonymous' };
  if (/\.amazonaws\.com$/.test(s)) return { kind: 'service', service: s };
  const p = arnSplit(s);
  const [type, ...rest] = p[5].split('/');
  if (p[2] === 'iam' && p[5] === 'root') return { kind: 'root', arn: s, account: p[4] };
  if (p[2] === 'iam' && type === 'user') return { kind: 'user', arn: s, account: p[4] };
  if (p[2] === 'iam' && type === 'role') return { kind: 'role', arn: s, account: p[4] };
  if (p[2] === 'sts' && type === 'assumed-role')
    return { kind: 'session', arn: s, account: p[4], roleArn: `arn:${p[1]}:iam::${p[4]}:role/${rest[0]}` };
  if (p[2] === 'sts' && type === 'federated-user') return { kind: 'federated', arn: s, account: p[4] };
  unsup(`principal ${s}`);
}
const accountOf = (entry) => {
  if (/^\d{12}$/.test(entry)) return entry;
  const m = /^arn:aws:iam::(\d{12}):root$/.exec(entry);
  return m ? m[1] : null;
};
function entryStrength(entry, pr) {
  if (entry === '*') return 'direct';
  if (entry.includes('*')) unsup('wildcard principal');
  const acct = accountOf(entry);
  if (acct) return pr.account === acct ? 'account' : null;
  if (entry === pr.arn) return 'direct';
  if (pr.kind === 'session') {
    if (entry === pr.roleArn) return 'role';
    if (entry.toLowerCase() === pr.roleArn.toLowerCase()) div('R54: role-name case');
  }
  return null;
}
function principalStrength(st, pr) {
  const P = st.Principal;
  if (P === '*') return 'direct';
  let best = null;
  for (const [k, v] of Object.entries(P)) {
    for (const e of arr(v)) {
      let s = null;
      if (k === 'AWS') s = pr.kind === 'service' ? (e === '*' ? 'direct' : null) : entryStrength(e, pr);
      else if (k === 'Service') s = pr.kind === 'service' && e === pr.service ? 'direct' : null;
      else unsup(`principal key ${k}`);
      if (s && (!best || STRENGTH[s] > STRENGTH[best])) best = s;
    }
  }
  return best;
}
/** NotPrincipal (Deny only): does the statement apply to pr? (R58 layered, R59) */
function notPrincipalApplies(st, pr, hasPB) {
  if (pr.kind === 'service') unsup('NotPrincipal with a service principal');
  const entries = Object.entries(st.NotPrincipal).flatMap(([k, v]) => (k === 'AWS' ? arr(v) : unsup('NotPrincipal key')));
  const layers = [(e) => accountOf(e) === pr.account];
  if (pr.kind === 'user' || pr.kind === 'federated') layers.push((e) => e === pr.arn);
  if (pr.kind === 'session') layers.push((e) => e === pr.roleArn, (e) => e === pr.arn);
  const listed = layers.map((f) => entries.some(f));
  const all = listed.every(Boolean);
  const some = listed.some(Boolean);
  if (hasPB && (pr.kind === 'user' || pr.kind === 'session')) return true; // R59
  if (some && !all) div('R58: NotPrincipal lists only some identity layers of the caller');
  return !all;
}

// ---------------------------------------------------------------- statements and documents
const docOf = (p) => (p && typeof p === 'object' && 'policy' in p && !('Statement' in p) ? p.policy : p);
function statements(d) {
  d = docOf(d);
  if (!d) return [];
  return arr(d.Statement).map((st) => ({ st, version: d.Version ?? '2008-10-17' }));
}
function applies({ st, version }, req, kind) {
  if (!actionMatch(st, req.action)) return false;
  if (kind !== 'rp' && !resourceMatch(st, req.resource, req.ctx, version)) return false;
  return condTrue(st.Condition, req.ctx, version, st.Effect);
}

/** Evaluate one oracle-format case under the spec. */
export function evaluate(c) {
  try {
    return { decision: decide(c) };
  } catch (e) {
    if (e instanceof Divergence) return { divergence: e.message };
    if (e instanceof Unsupported) return { unsupported: e.message };
    throw e;
  }
}

function decide(c) {
  const r = c.request;
  const pr = parsePrincipal(r.principal);
  if (pr.kind === 'anonymous') div('R109: anonymous');
  if (pr.kind === 'role') unsup('role ARN as caller');
  const wildcardOnly = r.resource === '*';
  const resAcct = r.resourceAccount ?? (wildcardOnly ? pr.account : arnSplit(r.resource)[4]);
  const req = { action: r.action, resource: r.resource, ctx: r.context ?? {} };
  const id = (c.identityPolicies ?? []).flatMap(statements);
  const pb = c.permissionBoundaries ? c.permissionBoundaries.flatMap(statements) : null;
  const sp = c.sessionPolicy ? statements(c.sessionPolicy) : null;
  const lvl = (x) => (!x || x.length === 0 ? [] : x.every(Array.isArray) ? x : [x]);
  const scps = lvl(c.scps).map((l) => l.flatMap(statements));
  const rcps = lvl(c.rcps).map((l) => l.flatMap(statements));
  const rp = c.resourcePolicy ? statements(c.resourcePolicy) : [];
  const svc = pr.kind === 'service';

  if (svc && (scps.length || rcps.length || pb || sp)) div('R107/R114: org policies or boundaries with a service principal');
  if (svc && id.length) div('R114: identity policies given for a service principal (iam-simulate applies their denies)');
  if (wildcardOnly && rp.length) div('R117: resource policy with a wildcard-only action');
  if (wildcardOnly && rcps.length) unsup('RCP with a wildcard-only action');
  if (sp && pr.kind !== 'session' && pr.kind !== 'federated') unsup('session policy for a non-session');
  if (pr.kind === 'root' && (pb || sp)) unsup('root with PB/SP');

  const hasPB = !!pb;
  const rpApplies = (x) => {
    const st = x.st;
    if (st.NotPrincipal) {
      if (st.Effect !== 'Deny') unsup('Allow + NotPrincipal');
      if (!notPrincipalApplies(st, pr, hasPB)) return null;
      return applies(x, req, 'rp') ? 'direct' : null;
    }
    const s = principalStrength(st, pr);
    return s && applies(x, req, 'rp') ? s : null;
  };
  const deny = (list, kind) => list.some((x) => x.st.Effect === 'Deny' && applies(x, req, kind));
  const allowIn = (list, kind) => list.some((x) => x.st.Effect === 'Allow' && applies(x, req, kind));

  // R110 explicit deny
  let explicit = false;
  if (!svc) {
    if (pr.kind !== 'root' || id.length) explicit ||= deny(id, 'id');
    if (pb) explicit ||= deny(pb, 'pb');
    if (sp) explicit ||= deny(sp, 'sp');
    for (const l of scps) explicit ||= deny(l, 'scp');
  }
  for (const l of rcps) {
    for (const x of l) {
      if (x.st.Effect === 'Allow') unsup('Allow in an RCP');
      if (x.st.Principal !== '*') unsup('RCP principal');
    }
    explicit ||= deny(l, 'rcp');
  }
  if (!wildcardOnly) explicit ||= rp.some((x) => x.st.Effect === 'Deny' && rpApplies(x));
  if (explicit) return 'ExplicitDeny';

  // R111 (RCPFullAWSAccess is implicit at every level) - R112 SCP gate
  if (!svc) for (const l of scps) if (!allowIn(l, 'scp')) return 'ImplicitDeny';

  let rpBest = null;
  if (!wildcardOnly) {
    for (const x of rp) {
      if (x.st.Effect !== 'Allow') continue;
      const s = rpApplies(x);
      if (s && (!rpBest || STRENGTH[s] > STRENGTH[rpBest])) rpBest = s;
    }
  }
  // R114 service principals
  if (svc) return rpBest === 'direct' ? 'Allow' : 'ImplicitDeny';

  const idAllow = allowIn(id, 'id');
  if (pr.kind === 'root' && !idAllow) div('R118: root user without an identity-policy allow');
  const pbOk = !pb || allowIn(pb, 'pb');
  const spOk = !sp || allowIn(sp, 'sp');
  if (pr.kind === 'federated' && !sp) div('R115.2: federated user without a session policy');
  const same = pr.account === resAcct || wildcardOnly;
  if (same) {
    if (rpBest === 'direct') {
      if (sp) div('R121: session policy with a direct repository-policy grant');
      return 'Allow';
    }
    if (rpBest === 'role' && pbOk && spOk) return 'Allow';
    if (idAllow && pbOk && spOk) return 'Allow';
    return 'ImplicitDeny';
  }
  return rpBest && idAllow && pbOk && spOk ? 'Allow' : 'ImplicitDeny';
}
