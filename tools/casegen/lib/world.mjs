// The fixed "world" the cases live in: accounts, principals, repositories, actions,
// policy-document builders and realistic request contexts (policy-semantics.md §5.7 setup, §6).

export const A = '111122223333';
export const B = '444455556666';
export const REGION = 'us-east-1';
export const V12 = '2012-10-17';
export const V08 = '2008-10-17';

export const repoArn = (name, acct = A, region = REGION) => `arn:aws:ecr:${region}:${acct}:repository/${name}`;
export const REPO = repoArn('app');
export const userArn = (name, acct = A, path = '') => `arn:aws:iam::${acct}:user/${path}${name}`;
export const roleArn = (name, acct = A) => `arn:aws:iam::${acct}:role/${name}`;
export const sessArn = (role, sess, acct = A) => `arn:aws:sts::${acct}:assumed-role/${role}/${sess}`;
export const rootArn = (acct) => `arn:aws:iam::${acct}:root`;

// ---------------------------------------------------------------- principals
// kind: user | session | root | federated | service
export const P = {
  alice: { kind: 'user', arn: userArn('alice'), account: A, name: 'alice', userid: 'AIDAALICEEXAMPLE0001', tags: { team: 'core', dept: 'eng' } },
  admin: { kind: 'user', arn: userArn('admin'), account: A, name: 'admin', userid: 'AIDAADMINEXAMPLE0002', tags: { team: 'platform' } },
  carol: { kind: 'user', arn: userArn('carol', A, 'dev/'), account: A, name: 'carol', userid: 'AIDACAROLEXAMPLE0003', tags: { team: 'a', env: 'dev' } },
  erin: { kind: 'user', arn: userArn('erin'), account: A, name: 'erin', userid: 'AIDAERINEXAMPLE00004', tags: {} },
  ciRun1: { kind: 'session', arn: sessArn('ci', 'run1'), roleArn: roleArn('ci'), account: A, sessionName: 'run1', userid: 'AROACIROLEEXAMPLE001:run1', tags: { team: 'a', env: 'ci' } },
  ciRun2: { kind: 'session', arn: sessArn('ci', 'run2'), roleArn: roleArn('ci'), account: A, sessionName: 'run2', userid: 'AROACIROLEEXAMPLE001:run2', tags: { team: 'a', env: 'ci' } },
  deploy: { kind: 'session', arn: sessArn('deploy', 'build-7'), roleArn: roleArn('deploy'), account: A, sessionName: 'build-7', userid: 'AROADEPLOYEXAMPLE002:build-7', tags: { team: 'platform' } },
  rootA: { kind: 'root', arn: rootArn(A), account: A, userid: A, tags: {} },
  bob: { kind: 'user', arn: userArn('bob', B), account: B, name: 'bob', userid: 'AIDABOBEXAMPLE000005', tags: { team: 'ext' } },
  dave: { kind: 'user', arn: userArn('dave', B), account: B, name: 'dave', userid: 'AIDADAVEEXAMPLE00006', tags: { team: 'core' } },
  extS1: { kind: 'session', arn: sessArn('ext', 's1', B), roleArn: roleArn('ext', B), account: B, sessionName: 's1', userid: 'AROAEXTROLEEXAMPLE03:s1', tags: { team: 'ext' } },
  rootB: { kind: 'root', arn: rootArn(B), account: B, userid: B, tags: {} },
  dana: { kind: 'federated', arn: `arn:aws:sts::${A}:federated-user/dana`, parentArn: userArn('dana'), account: A, userid: `${A}:dana`, tags: {} },
  codebuild: { kind: 'service', arn: 'codebuild.amazonaws.com', service: 'codebuild.amazonaws.com', tags: {} },
  lambda: { kind: 'service', arn: 'lambda.amazonaws.com', service: 'lambda.amazonaws.com', tags: {} },
  pipeline: { kind: 'service', arn: 'codepipeline.amazonaws.com', service: 'codepipeline.amazonaws.com', tags: {} }
};
export const USERS_A = [P.alice, P.admin, P.carol, P.erin];
export const SESSIONS_A = [P.ciRun1, P.ciRun2, P.deploy];
export const PRINCIPALS_A = [...USERS_A, ...SESSIONS_A];
export const PRINCIPALS_B = [P.bob, P.dave, P.extS1];
export const SERVICES = [P.codebuild, P.lambda, P.pipeline];

// ---------------------------------------------------------------- repositories (tags = current repository tags)
export const REPOS = [
  { name: 'app', account: A, tags: { env: 'prod', team: 'core' } },
  { name: 'team-a/app', account: A, tags: { team: 'a', env: 'dev' } },
  { name: 'team-a/web', account: A, tags: { team: 'a', env: 'prod', owner: 'carol' } },
  { name: 'team-b/api', account: A, tags: { team: 'b' } },
  { name: 'prod/db', account: A, tags: { env: 'prod', team: 'platform' } },
  { name: 'tools', account: A, tags: {} },
  { name: 'alice', account: A, tags: { owner: 'alice' } },
  { name: 'shared/base', account: B, tags: { team: 'ext', env: 'prod' } }
];
export const REPOS_A = REPOS.filter((r) => r.account === A);
export const repoOf = (name, acct = A) => REPOS.find((r) => r.name === name && r.account === acct);

// ---------------------------------------------------------------- actions (§6.1)
export const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
export const PUSH = ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:BatchCheckLayerAvailability'];
export const REPO_ACTIONS = [
  'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:PutImage',
  'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:DescribeImages',
  'ecr:DescribeRepositories', 'ecr:ListImages', 'ecr:DeleteRepository', 'ecr:BatchDeleteImage',
  'ecr:GetRepositoryPolicy', 'ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy', 'ecr:GetLifecyclePolicy',
  'ecr:PutLifecyclePolicy', 'ecr:StartImageScan', 'ecr:DescribeImageScanFindings', 'ecr:PutImageTagMutability',
  'ecr:ListTagsForResource', 'ecr:ReplicateImage', 'ecr:BatchImportUpstreamImage', 'ecr:GetLifecyclePolicyPreview',
  'ecr:StartLifecyclePolicyPreview', 'ecr:PutImageScanningConfiguration', 'ecr:DescribeImageReplicationStatus'
];
export const TAG_ACTIONS = ['ecr:TagResource', 'ecr:UntagResource', 'ecr:CreateRepository'];
export const WILDCARD_ONLY = [
  'ecr:GetAuthorizationToken', 'ecr:DescribeRegistry', 'ecr:GetRegistryPolicy', 'ecr:PutRegistryPolicy',
  'ecr:DescribePullThroughCacheRules', 'ecr:CreatePullThroughCacheRule', 'ecr:PutReplicationConfiguration',
  'ecr:GetRegistryScanningConfiguration'
];
export const ALL_REPO_ACTIONS = [...REPO_ACTIONS, ...TAG_ACTIONS];
export const isWildcardOnly = (a) => WILDCARD_ONLY.includes(a);

// ---------------------------------------------------------------- policy builders
export const doc = (...Statement) => ({ Version: V12, Statement });
export const allow = (Action, Resource = '*', extra = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });
export const deny = (Action, Resource = '*', extra = {}) => ({ Effect: 'Deny', Action, Resource, ...extra });
// ECR repository policies have no Resource element (R24/R25).
export const rAllow = (Principal, Action, extra = {}) => ({ Effect: 'Allow', Principal, Action, ...extra });
export const rDeny = (Principal, Action, extra = {}) => ({ Effect: 'Deny', Principal, Action, ...extra });
// RCPs: Deny statements with Principal "*" (R24).
export const rcpDeny = (Action, extra = {}) => ({ Effect: 'Deny', Principal: '*', Action, Resource: '*', ...extra });
export const FULL = doc(allow('*', '*'));
export const ECR_ALL = doc(allow('ecr:*', '*'));

// ---------------------------------------------------------------- request context
const TIMES = ['2024-06-01T12:00:00Z', '2024-01-15T08:30:00Z', '2025-03-10T23:59:59Z', '2023-11-20T06:00:00Z'];
const IPS = ['203.0.113.25', '198.51.100.7', '10.0.12.34', '192.0.2.200', '2001:db8:1::25'];

/**
 * Realistic context for principal p acting on resource (repo object or '*') with action.
 * Every key is given explicitly (the engine derives nothing). Options:
 *   tags: principal tag override, reqTags: request tags (tagging actions only), vpce: request via endpoint.
 */
export function baseContext(rng, p, action, repo, opts = {}) {
  const ctx = {};
  if (p.kind === 'service') {
    ctx['aws:PrincipalIsAWSService'] = 'true';
    ctx['aws:PrincipalServiceName'] = p.service;
  } else {
    ctx['aws:PrincipalArn'] = p.kind === 'session' ? p.roleArn : p.arn;
    ctx['aws:PrincipalAccount'] = p.account;
    ctx['aws:PrincipalType'] = { user: 'User', session: 'AssumedRole', root: 'Account', federated: 'FederatedUser' }[p.kind];
    ctx['aws:userid'] = p.userid;
    if (p.kind === 'user') ctx['aws:username'] = p.name;
    ctx['aws:PrincipalIsAWSService'] = 'false';
    ctx['aws:ViaAWSService'] = 'false';
    const tags = opts.tags ?? p.tags ?? {};
    for (const [k, v] of Object.entries(tags)) ctx[`aws:PrincipalTag/${k}`] = v;
    if (opts.orgId !== undefined) {
      if (opts.orgId) ctx['aws:PrincipalOrgID'] = opts.orgId;
    }
    if (opts.vpce) {
      ctx['aws:SourceVpce'] = 'vpce-0a1b2c3d4e5f60718';
      ctx['aws:SourceVpc'] = 'vpc-0a1b2c3d';
      ctx['aws:VpcSourceIp'] = '10.0.7.9';
    } else {
      ctx['aws:SourceIp'] = opts.ip ?? rng.pick(IPS);
    }
  }
  ctx['aws:SecureTransport'] = opts.tls === false ? 'false' : 'true';
  ctx['aws:CurrentTime'] = opts.time ?? rng.pick(TIMES);
  ctx['aws:RequestedRegion'] = REGION;
  if (repo && repo !== '*') {
    ctx['aws:ResourceAccount'] = repo.account;
    if (action !== 'ecr:CreateRepository') {
      // existing repository: current tags (R140: both prefixes are supplied)
      for (const [k, v] of Object.entries(opts.resTags ?? repo.tags)) {
        ctx[`aws:ResourceTag/${k}`] = v;
        ctx[`ecr:ResourceTag/${k}`] = v;
      }
    }
    if (action === 'ecr:CreateRepository' || action === 'ecr:TagResource') {
      // TagResource always carries at least one tag (API); CreateRepository may carry none
      const rt = opts.reqTags ?? (action === 'ecr:TagResource' ? { [rng.pick(['team', 'env', 'owner'])]: rng.pick(['a', 'dev', 'alice']) } : {});
      for (const [k, v] of Object.entries(rt)) ctx[`aws:RequestTag/${k}`] = v;
      if (Object.keys(rt).length > 0) ctx['aws:TagKeys'] = Object.keys(rt);
    } else if (action === 'ecr:UntagResource') {
      const keys = opts.untagKeys ?? [rng.pick(['team', 'env', 'owner'])];
      if (keys.length > 0) ctx['aws:TagKeys'] = keys;
    }
  }
  return ctx;
}

/** Build the oracle-format case. */
export function mkCase({ identity = [], resource = null, pb = null, scps = null, rcps = null, session = null, principal, action, res, resourceAccount, context }) {
  const request = { principal: principal.arn ?? principal, action, resource: res };
  if (resourceAccount) request.resourceAccount = resourceAccount;
  request.context = context;
  return {
    identityPolicies: identity,
    resourcePolicy: resource,
    permissionBoundaries: pb,
    scps,
    rcps,
    sessionPolicy: session,
    request
  };
}
