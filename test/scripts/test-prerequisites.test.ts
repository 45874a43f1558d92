/** What `npm test` does first: the decisions with a fake machine, then one real run on this one. */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planPrerequisites, pythonTools, type Probes, type PythonFacts, type Requirements } from '../../scripts/test-prerequisites';

const ROOT = join(__dirname, '../..');

const REQUIREMENTS: Requirements = {
  path: '/repo/requirements-test.txt',
  shown: 'requirements-test.txt',
  tools: pythonTools('# pins\nmoto[server]==5.2.1\ncfn-lint==1.51.0\n'),
};

/** A pyenv-less machine, as root, with apt-get and pip's index at hand, where every tool is installed at its pin. */
function python(overrides: Partial<PythonFacts> = {}): PythonFacts {
  return {
    packages: {
      moto: { version: '5.2.1', script: '/home/dev/.local/bin/moto_server' },
      'cfn-lint': { version: '1.51.0', script: '/home/dev/.local/bin/cfn-lint' },
    },
    ownPrefix: false,
    hasPip: true,
    externallyManaged: false,
    ...overrides,
  };
}

/** Fake probes over that machine, recording the index probes (the one network call). */
function machine(overrides: Partial<Probes> = {}): Probes & { readonly indexProbes: string[] } {
  const indexProbes: string[] = [];
  const reachable = overrides.pipIndexReachable ?? (() => true);
  return {
    alertmanager: () => '0.25.0',
    chromium: () => '156.0.8078.129',
    isRoot: () => true,
    passwordlessSudo: () => false,
    hasAptGet: () => true,
    python: () => python(),
    which: (command) => ({ path: `/home/dev/.local/bin/${command}`, pyenvShim: false }),
    ...overrides,
    pipIndexReachable: (pkg) => (indexProbes.push(pkg), reachable(pkg)),
    indexProbes,
  };
}

/** moto is not installed: neither its program nor its package. */
const withoutMoto: Partial<Probes> = {
  python: () => python({ packages: { moto: null, 'cfn-lint': { version: '1.51.0', script: '/home/dev/.local/bin/cfn-lint' } } }),
  which: (command) => (command === 'moto_server' ? undefined : { path: `/home/dev/.local/bin/${command}`, pyenvShim: false }),
};

describe('planPrerequisites', () => {
  it('does nothing and makes no network call when everything is present, and says so in one line with versions', () => {
    // Prepare
    const probes = machine();

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.exitCode).toBe(0);
    expect(plan.commands).toEqual([]);
    expect(plan.warnings).toEqual([]);
    expect(plan.line).toBe(
      'test prerequisites present: prometheus-alertmanager 0.25.0, chromium 156.0.8078.129, moto_server (moto 5.2.1), cfn-lint 1.51.0',
    );
    expect(probes.indexProbes).toEqual([]);
  });

  it('plans apt-get update, then a non-interactive install, when Alertmanager is missing and the user is root', () => {
    // Prepare
    const probes = machine({ alertmanager: () => undefined });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.exitCode).toBe(0);
    expect(plan.commands).toEqual([
      ['apt-get', 'update'],
      ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends', 'prometheus-alertmanager'],
    ]);
    expect(plan.missing).toEqual(['prometheus-alertmanager']);
  });

  it('installs Chromium and Alertmanager in one apt-get install when both are missing', () => {
    // Prepare
    const probes = machine({ alertmanager: () => undefined, chromium: () => undefined });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.exitCode).toBe(0);
    expect(plan.commands).toEqual([
      ['apt-get', 'update'],
      ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends', 'prometheus-alertmanager', 'chromium'],
    ]);
    expect(plan.line).toBe('installing missing test prerequisites: prometheus-alertmanager, chromium');
  });

  it('stops with one line naming the sudo command when Chromium is missing and neither root nor sudo is at hand', () => {
    // Prepare
    const probes = machine({ chromium: () => undefined, isRoot: () => false, passwordlessSudo: () => false });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.exitCode).toBe(1);
    expect(plan.commands).toEqual([]);
    expect(plan.line).toBe('missing chromium: run  sudo apt-get install chromium');
  });

  it('plans the same through sudo -n when sudo needs no password', () => {
    // Prepare
    const probes = machine({ alertmanager: () => undefined, isRoot: () => false, passwordlessSudo: () => true });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.commands.map((command) => command.slice(0, 4))).toEqual([
      ['sudo', '-n', 'apt-get', 'update'],
      ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive'],
    ]);
  });

  it('stops with one line naming the sudo command when Alertmanager is missing and neither root nor sudo is at hand', () => {
    // Prepare
    const probes = machine({ alertmanager: () => undefined, isRoot: () => false, passwordlessSudo: () => false });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.exitCode).toBe(1);
    expect(plan.commands).toEqual([]);
    expect(plan.line).toBe('missing prometheus-alertmanager: run  sudo apt-get install prometheus-alertmanager');
    expect(plan.line).not.toContain('\n');
  });

  it('says it is not a Debian-based machine when there is no apt-get', () => {
    // Prepare
    const probes = machine({ alertmanager: () => undefined, hasAptGet: () => false });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.exitCode).toBe(1);
    expect(plan.line).toMatch(/^missing prometheus-alertmanager: no apt-get, so not a Debian-based machine; install .+ as \/usr\/bin\/prometheus-alertmanager$/);
  });

  it('plans pip install --user -r requirements-test.txt when moto is missing and the index is reachable', () => {
    // Prepare
    const probes = machine(withoutMoto);

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.exitCode).toBe(0);
    expect(plan.commands).toEqual([['python3', '-m', 'pip', 'install', '--user', '-r', '/repo/requirements-test.txt']]);
    expect(plan.missing).toEqual(['moto_server']);
    expect(probes.indexProbes).toEqual(['moto']);
  });

  it('installs into the interpreter itself, without --user, in a venv or a pyenv version', () => {
    // Prepare
    const probes = machine({ ...withoutMoto, python: () => ({ ...withoutMoto.python!()!, ownPrefix: true }) });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.commands).toEqual([['python3', '-m', 'pip', 'install', '-r', '/repo/requirements-test.txt']]);
  });

  it('counts a pyenv shim only when python3 has the package, since the shim may belong to another version', () => {
    // Prepare: a shim on PATH, but the selected python3 lacks moto.
    const probes = machine({ ...withoutMoto, which: (command) => ({ path: `/home/dev/.pyenv/shims/${command}`, pyenvShim: true }) });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.missing).toEqual(['moto_server']);
  });

  it('stops with one line naming the pip command when moto is missing and the index is out of reach', () => {
    // Prepare
    const probes = machine({ ...withoutMoto, pipIndexReachable: () => false });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.exitCode).toBe(1);
    expect(plan.commands).toEqual([]);
    expect(plan.line).toBe(
      'missing moto_server: pip cannot reach its package index; run  python3 -m pip install --user -r requirements-test.txt  where it can',
    );
  });

  it('installs nothing, and probes no index, when something else already stops the run', () => {
    // Prepare
    const probes = machine({ ...withoutMoto, alertmanager: () => undefined, isRoot: () => false });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.exitCode).toBe(1);
    expect(plan.commands).toEqual([]);
    expect(plan.line).toBe(
      'missing prometheus-alertmanager: run  sudo apt-get install prometheus-alertmanager; missing moto_server: run  python3 -m pip install --user -r requirements-test.txt',
    );
    expect(probes.indexProbes).toEqual([]);
  });

  it('says where an installed tool is when its folder is not on PATH', () => {
    // Prepare: pip --user put cfn-lint in ~/.local/bin, which PATH lacks.
    const probes = machine({ which: (command) => (command === 'cfn-lint' ? undefined : { path: `/usr/local/bin/${command}`, pyenvShim: false }) });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.exitCode).toBe(1);
    expect(plan.line).toBe('cfn-lint is installed but not on PATH: add /home/dev/.local/bin to PATH');
  });

  it('stops, pointing to a virtual environment, when the system python3 refuses pip installs', () => {
    // Prepare
    const probes = machine({ ...withoutMoto, python: () => ({ ...withoutMoto.python!()!, externallyManaged: true }) });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.exitCode).toBe(1);
    expect(plan.line).toMatch(/^missing moto_server: .*activate a virtual environment/);
  });

  it('only warns, in one line, about a tool at another version than pinned', () => {
    // Prepare
    const probes = machine({
      python: () => python({ packages: { moto: { version: '5.2.1', script: null }, 'cfn-lint': { version: '1.40.0', script: null } } }),
    });

    // Act
    const plan = planPrerequisites(probes, REQUIREMENTS);

    // Assess
    expect(plan.exitCode).toBe(0);
    expect(plan.commands).toEqual([]);
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toMatch(/^warning: cfn-lint 1\.40\.0 is installed, requirements-test\.txt pins 1\.51\.0; going on with it/);
    expect(plan.line).toContain('cfn-lint 1.40.0');
    expect(probes.indexProbes).toEqual([]);
  });
});

describe('pythonTools', () => {
  it('refuses a requirements file that does not pin a tool the tests need', () => {
    // Act
    const reading = () => pythonTools('moto[server]==5.2.1\n');

    // Assess
    expect(reading).toThrow('requirements-test.txt does not pin cfn-lint');
  });
});

describe('the script on this machine', () => {
  it('finds everything present and exits 0 with one line, from another directory', () => {
    // Act
    const run = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'scripts/test-prerequisites.ts')], {
      cwd: tmpdir(),
      encoding: 'utf8',
      timeout: 60_000,
    });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^test prerequisites present: prometheus-alertmanager \S+, chromium \S+, moto_server \(moto \S+\), cfn-lint \S+\n$/);
  }, 60_000);
});
