// The Kubernetes examples under examples/k8s are documentation people copy: this reads them as Kubernetes
// would, runs their shell scripts with sh, and checks the vaekit command lines against the built CLI
// (apps/cli/dist, which `pnpm test` builds first), so an example cannot name a flag that does not exist or
// a port that does not match.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { readTfConfig } from '@vaekit/distributed';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLES = join(PACKAGE, 'examples', 'k8s');
const CLI = join(PACKAGE, '..', '..', 'apps', 'cli', 'dist', 'bin.js');
const SCRIPT = join(EXAMPLES, 'tf-config-from-ordinal.sh');
const TF_PORT = 2222;

// ---- reading parsed YAML without trusting its shape: every step says where it failed ----

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path` (keys and array indices), or a thrown error naming the first missing step. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const [i, key] of path.entries()) {
    const next = typeof key === 'number' ? (Array.isArray(current) ? current[key] : undefined) : isRecord(current) ? current[key] : undefined;
    if (next === undefined) throw new Error(`no ${path.slice(0, i + 1).join('.')}`);
    current = next;
  }
  return current;
}

function str(value: unknown, ...path: (string | number)[]): string {
  const found = at(value, ...path);
  if (typeof found !== 'string') throw new Error(`${path.join('.')} is ${JSON.stringify(found)}, not a string`);
  return found;
}

function list(value: unknown, ...path: (string | number)[]): unknown[] {
  const found = at(value, ...path);
  if (!Array.isArray(found)) throw new Error(`${path.join('.')} is not a list`);
  return found;
}

/** Every document of a YAML file, as plain data; a file with any YAML error or warning fails. */
function readManifest(file: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(join(EXAMPLES, file), 'utf8')).map((doc, i) => {
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) throw new Error(`${file}, document ${i}: ${problems.map(String).join('; ')}`);
    const js: unknown = doc.toJS();
    if (!isRecord(js)) throw new Error(`${file}, document ${i} is not a mapping`);
    return js;
  });
}

function ofKind(docs: readonly Record<string, unknown>[], kind: string): Record<string, unknown> {
  const found = docs.filter((doc) => doc['kind'] === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
}

/** The single container of a pod template. */
function containerOf(template: unknown): Record<string, unknown> {
  const containers = list(template, 'spec', 'containers');
  expect(containers).toHaveLength(1);
  const container = containers[0];
  if (!isRecord(container)) throw new Error('the container is not a mapping');
  return container;
}

/** A container's env as name -> literal value, or `fieldRef:<path>` for downward-API values. */
function envOf(container: Record<string, unknown>): Map<string, string> {
  return new Map(
    list(container, 'env').map((entry) => [
      str(entry, 'name'),
      isRecord(entry) && entry['value'] !== undefined ? str(entry, 'value') : `fieldRef:${str(entry, 'valueFrom', 'fieldRef', 'fieldPath')}`,
    ]),
  );
}

/** The shell script a container runs: `command: [/bin/sh, -c]` with the script as its one argument. */
function scriptOf(container: Record<string, unknown>): string {
  expect(at(container, 'command')).toEqual(['/bin/sh', '-c']);
  const args = list(container, 'args');
  expect(args).toHaveLength(1);
  return str(args, 0);
}

// ---- running the examples' shell ----

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runSh(args: readonly string[], env: Record<string, string>): Ran {
  // Only what is given: TF_CONFIG or POD_NAME from the test's own environment must not leak in.
  const result = spawnSync('sh', args, { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let scratch = '';
let stubBin = '';

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'vaekit-k8s-'));
  stubBin = join(scratch, 'bin');
  // A stand-in for the image's vaekit: records the arguments and TF_CONFIG the container script ends with.
  mkdirSync(stubBin);
  writeFileSync(
    join(stubBin, 'vaekit'),
    '#!/bin/sh\nprintf \'%s\\n\' "$@" > "$STUB_ARGV"\nprintf \'%s\' "$TF_CONFIG" > "$STUB_TF_CONFIG"\n',
  );
  chmodSync(join(stubBin, 'vaekit'), 0o755);
});

afterAll(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

interface Launch {
  argv: string[];
  tfConfig: string;
}

/**
 * Runs a container's script as the pod would, with its env (downward-API values filled in for `pod`), its
 * run folder moved to a scratch folder and, when `withCheckpoint`, a checkpoint already there. Paths the
 * script reads from mounted volumes are mapped by `mounts` to files here.
 */
function launch(container: Record<string, unknown>, pod: string, withCheckpoint: boolean, mounts: ReadonlyMap<string, string> = new Map()): Launch {
  let script = scriptOf(container);
  for (const [mounted, local] of mounts) {
    expect(script, `the script reads ${mounted}`).toContain(mounted);
    script = script.replaceAll(mounted, local);
  }
  const env: Record<string, string> = {};
  for (const [name, value] of envOf(container)) {
    if (value === 'fieldRef:metadata.name') env[name] = pod;
    else if (value === 'fieldRef:metadata.namespace') env[name] = 'ml';
    else if (value.startsWith('fieldRef:')) throw new Error(`the test does not know ${value}`);
    else env[name] = value;
  }
  const runDir = mkdtempSync(join(scratch, 'run-'));
  if (withCheckpoint) writeFileSync(join(runDir, 'checkpoint.vaekit'), '');
  const argvFile = join(scratch, 'argv');
  const tfConfigFile = join(scratch, 'tf-config');
  rmSync(argvFile, { force: true });
  const ran = runSh(['-c', script], {
    ...env,
    RUN_DIR: runDir,
    PATH: `${stubBin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    STUB_ARGV: argvFile,
    STUB_TF_CONFIG: tfConfigFile,
  });
  expect(ran.stderr).toBe('');
  expect(ran.status).toBe(0);
  const argv = readFileSync(argvFile, 'utf8').split('\n').slice(0, -1);
  // The run folder is the one the manifest names, moved here: put the manifest's back for the comparisons.
  const out = argv.indexOf('--out');
  expect(argv[out + 1]).toBe(runDir);
  return { argv: argv.map((arg) => (arg === runDir ? '$RUN_DIR' : arg)), tfConfig: readFileSync(tfConfigFile, 'utf8') };
}

/** The flags of `vaekit train`, from the built CLI's own help: the lines of its option column. */
function trainFlags(): Set<string> {
  const help = spawnSync(process.execPath, [CLI, 'train', '--help'], { encoding: 'utf8', timeout: 60_000 });
  expect(help.status, `${CLI} train --help (run \`pnpm turbo run build\` first): ${help.stderr}`).toBe(0);
  const flags = new Set([...help.stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z0-9-]*)/gm)].map((match) => match[1]!));
  // The help's shape changing would otherwise make every flag look unknown, or none.
  expect([...flags]).toEqual(expect.arrayContaining(['--distributed', '--out', '--resume', '--batch-size', '--backend']));
  return flags;
}

/**
 * Checks a launch's command line against the built CLI: a train with --distributed whose every flag
 * exists, and which the CLI parses in full; with TF_CONFIG unset it must get as far as asking for it.
 */
function checkCommandLine(argv: readonly string[], flags: ReadonlySet<string>, workers: number): void {
  expect(argv[0]).toBe('train');
  expect(argv).toContain('--distributed');
  expect(argv[argv.indexOf('--backend') + 1]).toBe('native');
  const used = argv.filter((arg) => arg.startsWith('--'));
  expect(used.filter((flag) => !flags.has(flag))).toEqual([]);
  const batch = Number(argv[argv.indexOf('--batch-size') + 1]);
  expect(Number.isInteger(batch) && batch % workers === 0, `--batch-size ${batch} is a multiple of ${workers} workers`).toBe(true);

  const folder = mkdtempSync(join(scratch, 'parse-'));
  const args = argv.map((arg) => (arg === '$RUN_DIR' ? folder : arg));
  const cli = spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, encoding: 'utf8', timeout: 60_000 });
  expect(cli.stderr).toMatch(/^error: --distributed: TF_CONFIG is not set/);
  expect(cli.status).toBe(2);
}

// ---- the examples ----

describe('tf-config-from-ordinal.sh', () => {
  const base = { VAEKIT_WORKERS: '3', VAEKIT_SERVICE: 'vaekit', POD_NAMESPACE: 'ml' };
  const addresses = [0, 1, 2].map((i) => `vaekit-${i}.vaekit.ml.svc.cluster.local:${TF_PORT}`);

  it('gives pods vaekit-0..2 the same cluster and their own task, which readTfConfig takes', () => {
    for (const i of [0, 1, 2]) {
      const ran = runSh([SCRIPT], { ...base, POD_NAME: `vaekit-${i}` });
      expect(ran.stderr).toBe('');
      expect(ran.status).toBe(0);
      const config = readTfConfig({ TF_CONFIG: ran.stdout });
      expect(config.tasks.map((task) => [task.job, task.index, task.address])).toEqual(addresses.map((a, j) => ['worker', j, a]));
      expect(config.self).toMatchObject({ job: 'worker', index: i, rank: i, address: addresses[i] });
      expect(config.leader.address).toBe(addresses[0]);
    }
  });

  it('reads the ordinal from the host name when POD_NAME is not set, and takes the port and domain', () => {
    const uname = join(scratch, 'uname-bin');
    mkdirSync(uname, { recursive: true });
    writeFileSync(join(uname, 'uname'), '#!/bin/sh\necho vaekit-2\n');
    chmodSync(join(uname, 'uname'), 0o755);
    const ran = runSh([SCRIPT], {
      ...base,
      VAEKIT_PORT: '23456',
      VAEKIT_CLUSTER_DOMAIN: 'example.internal',
      PATH: `${uname}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    });
    expect(ran.stderr).toBe('');
    const config = readTfConfig({ TF_CONFIG: ran.stdout });
    expect(config.self).toMatchObject({ index: 2, address: 'vaekit-2.vaekit.ml.svc.example.internal:23456' });
  });

  it('fails with one line saying what is wrong, and prints no TF_CONFIG', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ POD_NAME: 'vaekit' }, /pod name 'vaekit' is not <statefulset>-<ordinal> \(such as vaekit-0\)/],
      [{ POD_NAME: 'vaekit-x' }, /pod name 'vaekit-x' is not <statefulset>-<ordinal>/],
      [{ POD_NAME: 'vaekit-01' }, /pod name 'vaekit-01' is not <statefulset>-<ordinal>/],
      [{ POD_NAME: 'vaekit-3' }, /ordinal 3, but VAEKIT_WORKERS is 3 \(ordinals 0 to 2\)/],
      [{ POD_NAME: 'vaekit-0', VAEKIT_WORKERS: '' }, /VAEKIT_WORKERS is ''; set it to the StatefulSet's replicas/],
      [{ POD_NAME: 'vaekit-0', VAEKIT_WORKERS: '0' }, /VAEKIT_WORKERS is '0'/],
      [{ POD_NAME: 'vaekit-0', VAEKIT_SERVICE: '' }, /VAEKIT_SERVICE is ''/],
      [{ POD_NAME: 'vaekit-0', POD_NAMESPACE: 'My_NS' }, /POD_NAMESPACE is 'My_NS'; set it from metadata.namespace/],
      [{ POD_NAME: 'vaekit-0', VAEKIT_PORT: '70000' }, /VAEKIT_PORT is '70000', not a port from 1 to 65535/],
    ];
    for (const [env, message] of cases) {
      const ran = runSh([SCRIPT], { ...base, ...env });
      expect(ran.status, JSON.stringify(env)).toBe(1);
      expect(ran.stdout).toBe('');
      expect(ran.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(ran.stderr).toMatch(/^tf-config-from-ordinal\.sh: /);
      expect(ran.stderr).toMatch(message);
    }
  });
});

describe('the example manifests', () => {
  let flags = new Set<string>();
  beforeAll(() => {
    flags = trainFlags();
  });

  const tfjob = readManifest('tfjob.yaml');
  const statefulset = readManifest('statefulset.yaml');
  const policies = readManifest('networkpolicy.yaml');

  it('hold the expected kinds', () => {
    expect(tfjob.map((doc) => [doc['apiVersion'], doc['kind']])).toEqual([
      ['v1', 'PersistentVolumeClaim'],
      ['kubeflow.org/v1', 'TFJob'],
    ]);
    expect(statefulset.map((doc) => [doc['apiVersion'], doc['kind']])).toEqual([
      ['v1', 'PersistentVolumeClaim'],
      ['v1', 'ConfigMap'],
      ['v1', 'Service'],
      ['apps/v1', 'StatefulSet'],
    ]);
    expect(policies.map((doc) => [doc['apiVersion'], doc['kind']])).toEqual([
      ['networking.k8s.io/v1', 'NetworkPolicy'],
      ['networking.k8s.io/v1', 'NetworkPolicy'],
    ]);
    // The same claim in both, so applying both examples leaves one volume as it was.
    expect(ofKind(tfjob, 'PersistentVolumeClaim')).toEqual(ofKind(statefulset, 'PersistentVolumeClaim'));
    expect(at(ofKind(tfjob, 'PersistentVolumeClaim'), 'spec', 'accessModes')).toEqual(['ReadWriteMany']);
  });

  describe('tfjob.yaml', () => {
    const specs = at(ofKind(tfjob, 'TFJob'), 'spec', 'tfReplicaSpecs');
    const chief = at(specs, 'Chief', 'template');
    const container = containerOf(chief);

    it('has a chief and workers only, the tasks readTfConfig takes, running the same pod', () => {
      expect(Object.keys(isRecord(specs) ? specs : {}).sort()).toEqual(['Chief', 'Worker']);
      expect(at(specs, 'Chief', 'replicas')).toBe(1);
      expect(at(specs, 'Worker', 'template')).toEqual(chief);
      // What the operator would write for this job: TF_CONFIG's jobs are the replica types in lower case.
      const workers = Number(at(specs, 'Worker', 'replicas'));
      const config = readTfConfig({
        TF_CONFIG: JSON.stringify({
          cluster: {
            chief: [`vaekit-mnist-chief-0.ml.svc:${TF_PORT}`],
            worker: Array.from({ length: workers }, (_, i) => `vaekit-mnist-worker-${i}.ml.svc:${TF_PORT}`),
          },
          task: { type: 'chief', index: 0 },
        }),
      });
      expect(config.self.rank).toBe(0);
      expect(config.tasks).toHaveLength(1 + workers);
    });

    it('serves on port 2222 under the names the operator reads', () => {
      expect(container['name']).toBe('tensorflow');
      expect(at(container, 'ports')).toEqual([{ name: 'tfjob-port', containerPort: TF_PORT }]);
      expect(at(container, 'resources', 'requests')).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    });

    it('keeps the run folder on the shared volume', () => {
      const claim = str(ofKind(tfjob, 'PersistentVolumeClaim'), 'metadata', 'name');
      const volume = list(chief, 'spec', 'volumes').find((v) => at(v, 'persistentVolumeClaim', 'claimName') === claim);
      const mount = list(container, 'volumeMounts').find((m) => at(m, 'name') === at(volume, 'name'));
      expect(envOf(container).get('RUN_DIR')?.startsWith(`${str(mount, 'mountPath')}/`)).toBe(true);
    });

    it('runs vaekit train --distributed with real flags, adding --resume once a checkpoint is there', () => {
      const workers = 1 + Number(at(specs, 'Worker', 'replicas'));
      const first = launch(container, 'vaekit-mnist-chief-0', false);
      expect(first.argv).not.toContain('--resume');
      checkCommandLine(first.argv, flags, workers);
      const again = launch(container, 'vaekit-mnist-chief-0', true);
      expect(again.argv).toEqual([...first.argv, '--resume']);
      checkCommandLine(again.argv, flags, workers);
    });
  });

  describe('statefulset.yaml', () => {
    const service = ofKind(statefulset, 'Service');
    const set = ofKind(statefulset, 'StatefulSet');
    const template = at(set, 'spec', 'template');
    const container = containerOf(template);
    const env = envOf(container);
    const replicas = Number(at(set, 'spec', 'replicas'));
    const setName = str(set, 'metadata', 'name');

    it('starts every worker at once behind a headless Service', () => {
      expect(at(set, 'spec', 'podManagementPolicy')).toBe('Parallel');
      expect(at(service, 'spec', 'clusterIP')).toBe('None');
      expect(at(service, 'spec', 'publishNotReadyAddresses')).toBe(true);
      expect(at(set, 'spec', 'serviceName')).toBe(at(service, 'metadata', 'name'));
      expect(at(service, 'spec', 'selector')).toEqual(at(set, 'spec', 'selector', 'matchLabels'));
      expect(at(template, 'metadata', 'labels')).toEqual(at(set, 'spec', 'selector', 'matchLabels'));
    });

    it('serves on port 2222 everywhere it is named', () => {
      const port = list(container, 'ports');
      expect(port).toEqual([{ name: expect.any(String), containerPort: TF_PORT }]);
      expect(at(service, 'spec', 'ports')).toEqual([{ name: at(port, 0, 'name'), port: TF_PORT, targetPort: at(port, 0, 'name') }]);
      expect(env.get('VAEKIT_PORT')).toBe(String(TF_PORT));
    });

    it('tells the script the replicas and the Service it has', () => {
      expect(env.get('VAEKIT_WORKERS')).toBe(String(replicas));
      expect(env.get('VAEKIT_SERVICE')).toBe(at(service, 'metadata', 'name'));
      expect(env.get('POD_NAME')).toBe('fieldRef:metadata.name');
      expect(env.get('POD_NAMESPACE')).toBe('fieldRef:metadata.namespace');
    });

    it("ships tf-config-from-ordinal.sh unchanged in its ConfigMap", () => {
      const data = at(ofKind(statefulset, 'ConfigMap'), 'data', 'tf-config-from-ordinal.sh');
      expect(data, 'copy tf-config-from-ordinal.sh into the ConfigMap of statefulset.yaml again, indented four spaces').toBe(
        readFileSync(SCRIPT, 'utf8'),
      );
    });

    it('keeps the run folder on the shared volume', () => {
      const claim = str(ofKind(statefulset, 'PersistentVolumeClaim'), 'metadata', 'name');
      expect(at(set, 'spec')).not.toHaveProperty('volumeClaimTemplates');
      const volume = list(template, 'spec', 'volumes').find((v) => isRecord(v) && isRecord(v['persistentVolumeClaim']) && v['persistentVolumeClaim']['claimName'] === claim);
      const mount = list(container, 'volumeMounts').find((m) => at(m, 'name') === at(volume, 'name'));
      expect(env.get('RUN_DIR')?.startsWith(`${str(mount, 'mountPath')}/`)).toBe(true);
    });

    it('gives each pod its TF_CONFIG and runs vaekit train --distributed with real flags', () => {
      const configMap = str(ofKind(statefulset, 'ConfigMap'), 'metadata', 'name');
      const volume = list(template, 'spec', 'volumes').find((v) => isRecord(v) && isRecord(v['configMap']) && v['configMap']['name'] === configMap);
      const mount = list(container, 'volumeMounts').find((m) => at(m, 'name') === at(volume, 'name'));
      const mounts = new Map([[`${str(mount, 'mountPath')}/tf-config-from-ordinal.sh`, SCRIPT]]);
      const serviceName = str(set, 'spec', 'serviceName');
      const addresses = Array.from({ length: replicas }, (_, i) => `${setName}-${i}.${serviceName}.ml.svc.cluster.local:${TF_PORT}`);
      let firstArgv: string[] | null = null;
      for (let i = 0; i < replicas; i++) {
        const started = launch(container, `${setName}-${i}`, false, mounts);
        const config = readTfConfig({ TF_CONFIG: started.tfConfig });
        expect(config.tasks.map((task) => task.address)).toEqual(addresses);
        expect(config.self).toMatchObject({ job: 'worker', index: i, rank: i });
        // Every worker runs the same command line; TF_CONFIG alone tells them apart.
        firstArgv ??= started.argv;
        expect(started.argv).toEqual(firstArgv);
      }
      checkCommandLine(firstArgv ?? [], flags, replicas);
      const again = launch(container, `${setName}-1`, true, mounts);
      expect(again.argv).toEqual([...(firstArgv ?? []), '--resume']);
      checkCommandLine(again.argv, flags, replicas);
    });
  });

  describe('networkpolicy.yaml', () => {
    const podLabels = [
      at(ofKind(tfjob, 'TFJob'), 'spec', 'tfReplicaSpecs', 'Chief', 'template', 'metadata', 'labels'),
      at(ofKind(statefulset, 'StatefulSet'), 'spec', 'template', 'metadata', 'labels'),
    ];

    it("admits port 2222 from the run's own pods only, and lets them reach only each other and DNS", () => {
      expect(podLabels[0]).not.toEqual(podLabels[1]);
      for (const [i, labels] of podLabels.entries()) {
        const policy = policies[i];
        const own = { podSelector: { matchLabels: labels } };
        expect(at(policy, 'spec', 'podSelector')).toEqual({ matchLabels: labels });
        expect(at(policy, 'spec', 'policyTypes')).toEqual(['Ingress', 'Egress']);
        expect(at(policy, 'spec', 'ingress')).toEqual([{ from: [own], ports: [{ protocol: 'TCP', port: TF_PORT }] }]);
        const egress = list(policy, 'spec', 'egress');
        expect(egress).toHaveLength(2);
        expect(egress[0]).toEqual({ to: [own], ports: [{ protocol: 'TCP', port: TF_PORT }] });
        expect(at(egress[1], 'ports')).toEqual([
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ]);
      }
    });
  });

  it("the READMEs' distributed vaekit train commands use real flags, which the CLI parses", () => {
    for (const file of [join(PACKAGE, 'README.md'), join(PACKAGE, '..', '..', 'README.md')]) {
      const commands = [...readFileSync(file, 'utf8').matchAll(/^ *```sh\n([\s\S]*?)^ *```$/gm)]
        .map((block) => block[1]!.replaceAll('\\\n', ' '))
        .flatMap((block) => block.split('\n'))
        .filter((line) => /\bvaekit train\b.*--distributed/.test(line))
        .map((line) => line.slice(line.indexOf('vaekit train') + 'vaekit '.length).trim().split(/\s+/));
      // Each README shows a run on several machines; one that lost it should fail here, not pass on nothing.
      expect(commands.length, file).toBeGreaterThanOrEqual(1);
      for (const argv of commands) checkCommandLine(argv, flags, 1);
    }
  });

  it('the image installs the tfjs-node version @vaekit/distributed takes', () => {
    const pkg: unknown = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
    const version = str(pkg, 'peerDependencies', '@tensorflow/tfjs-node');
    const dockerfile = readFileSync(join(EXAMPLES, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`npm install --ignore-scripts @tensorflow/tfjs-node@${version}`);
    expect(dockerfile).toContain('npx vaekit-native-setup');
  });
});
