/**
 * Run by `npm test` before anything else: the programs the tests start are installed, or installed now, or the run stops
 * at once with one line saying what to run — rather than a test failing a minute later inside jest.
 *
 * - `prometheus-alertmanager` and `chromium` (Debian's packages: the Alertmanager the end-to-end test starts, the
 *   browser the page tests drive): apt-get as root, or through passwordless sudo, both in one install.
 * - `moto_server` and `cfn-lint` (Python packages, pinned in requirements-test.txt): pip, when it reaches its index.
 *
 * When everything is there it makes no network call and prints one line. What to do is decided by `planPrerequisites`
 * from injected probes (the tests give it fakes); the real probes at the bottom are thin wrappers around the system.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** The repository root, from this file's place in it, so the script works from any directory. */
export const REPO_ROOT = resolve(__dirname, '..');

/** Where Debian's package puts Alertmanager, and where the end-to-end test starts it. */
export const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
/** Where Debian's package puts Chromium, and where the page tests start it. */
export const CHROMIUM = '/usr/bin/chromium';

/** The program each pinned package provides; the versions themselves live only in the requirements file. */
const COMMANDS: Readonly<Record<string, string>> = { moto: 'moto_server', 'cfn-lint': 'cfn-lint' };

/** A program the tests start, the Python package that provides it, and the version the requirements file pins. */
export interface PythonTool {
  readonly command: string;
  readonly package: string;
  readonly pinned: string;
}

/** The requirements file: `path` to run pip with, `shown` as the user would type it in a printed command. */
export interface Requirements {
  readonly path: string;
  readonly shown: string;
  readonly tools: readonly PythonTool[];
}

/** What python3 says about itself and the pinned packages: one short local run, no network. */
export interface PythonFacts {
  /** Per package: the installed version and its program's path (null when pip recorded none), or null when not installed. */
  readonly packages: Readonly<Record<string, { readonly version: string; readonly script: string | null } | null>>;
  /** A venv or a pyenv version: pip installs into the interpreter itself, since `--user` is refused in a venv and needless in pyenv. */
  readonly ownPrefix: boolean;
  readonly hasPip: boolean;
  /** The system's Python (PEP 668): pip refuses to install into it outside a venv, `--user` included. */
  readonly externallyManaged: boolean;
}

/** A program found on PATH. */
export interface Found {
  readonly path: string;
  /** A pyenv shim exists when any pyenv version has the program, so it only counts when python3 has the package. */
  readonly pyenvShim: boolean;
}

/** Questions about this machine. Each is asked only when the answer matters, so an expensive one costs nothing when all is present. */
export interface Probes {
  /** Alertmanager's version ('' when it does not say), or undefined when it is not installed. */
  alertmanager(): string | undefined;
  /** Chromium's version ('' when it does not say), or undefined when it is not installed. */
  chromium(): string | undefined;
  isRoot(): boolean;
  passwordlessSudo(): boolean;
  hasAptGet(): boolean;
  /** undefined when there is no working python3. */
  python(): PythonFacts | undefined;
  which(command: string): Found | undefined;
  /** Whether pip reaches its package index: the one network call, made only when something must be installed. */
  pipIndexReachable(pkg: string): boolean;
}

/** A command line to run. */
export type Command = readonly string[];

/** What to do, decided before anything is done. */
export interface Plan {
  /** 1: stop before installing anything; `line` says what is missing and what to run. */
  readonly exitCode: 0 | 1;
  /** To run in order (none when everything is present or when stopping). */
  readonly commands: readonly Command[];
  /** The programs the commands install. */
  readonly missing: readonly string[];
  /** Said, then ignored: a tool at another version than pinned still runs the tests, and offline it cannot be changed. */
  readonly warnings: readonly string[];
  /** The one line to print: what is present, what is being installed, or why it stops. */
  readonly line: string;
}

/** One tool's (or one group's) share of the plan. */
interface Part {
  readonly present: readonly string[];
  readonly missing: readonly string[];
  readonly commands: readonly Command[];
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

const NONE: Part = { present: [], missing: [], commands: [], problems: [], warnings: [] };

/** The tools pinned in a requirements file's text (`name[extras]==version` lines); throws when one is not pinned. */
export function pythonTools(text: string): PythonTool[] {
  const pins = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const match = /^\s*([A-Za-z0-9._-]+)(?:\[[^\]]*\])?\s*==\s*([^\s#;]+)/.exec(raw);
    if (match) pins.set(match[1]!.toLowerCase(), match[2]!);
  }
  return Object.entries(COMMANDS).map(([pkg, command]) => {
    const pinned = pins.get(pkg);
    if (!pinned) throw new Error(`requirements-test.txt does not pin ${pkg} (as ${pkg}==<version>)`);
    return { command, package: pkg, pinned };
  });
}

/** A Debian package the tests start: its name, how it is called in words, where it puts its program, its version. */
interface DebianTool {
  readonly package: string;
  readonly title: string;
  readonly path: string;
  /** As the probe says it; undefined when not installed. */
  readonly version: string | undefined;
}

/**
 * Alertmanager and Chromium: present, installed with apt-get (as root or through sudo, the missing ones in one
 * install), or a line naming the command.
 */
function planDebian(probes: Probes): Part {
  const tools: DebianTool[] = [
    { package: 'prometheus-alertmanager', title: 'Prometheus Alertmanager', path: ALERTMANAGER, version: probes.alertmanager() },
    { package: 'chromium', title: 'Chromium', path: CHROMIUM, version: probes.chromium() },
  ];
  const present = tools.filter((tool) => tool.version !== undefined).map((tool) => `${tool.package} ${tool.version}`.trim());
  const absent = tools.filter((tool) => tool.version === undefined);
  if (absent.length === 0) return { ...NONE, present };
  const missing = absent.map((tool) => tool.package);
  const names = missing.join(', ');
  if (!probes.hasAptGet()) {
    const where = absent.map((tool) => `${tool.title} as ${tool.path}`).join(' and ');
    return { ...NONE, present, problems: [`missing ${names}: no apt-get, so not a Debian-based machine; install ${where}`] };
  }
  // env rather than an inherited variable: sudo resets the environment.
  const install = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends', ...missing];
  if (probes.isRoot()) return { ...NONE, present, missing, commands: [['apt-get', 'update'], install] };
  if (probes.passwordlessSudo()) return { ...NONE, present, missing, commands: [['sudo', '-n', 'apt-get', 'update'], ['sudo', '-n', ...install]] };
  return { ...NONE, present, problems: [`missing ${names}: run  sudo apt-get install ${missing.join(' ')}`] };
}

/** pip's install command for the requirements file: into a venv or pyenv version itself, else the user's site. */
function pipInstall(python: PythonFacts | undefined, requirements: string): Command {
  return ['python3', '-m', 'pip', 'install', ...(python?.ownPrefix ? [] : ['--user']), '-r', requirements];
}

/** How a present tool is named in the summary line: `cfn-lint 1.51.0`, `moto_server (moto 5.2.1)`. */
function describe(tool: PythonTool, version: string | undefined): string {
  if (tool.command === tool.package) return version ? `${tool.command} ${version}` : `${tool.command} (version unknown)`;
  return `${tool.command} (${tool.package}${version ? ` ${version}` : ', version unknown'})`;
}

/** One Python tool: present (with a warning when not at its pin), installed but off PATH, or missing. */
function checkTool(tool: PythonTool, python: PythonFacts | undefined, probes: Probes, requirements: Requirements): Part {
  const installed = python?.packages[tool.package] ?? null;
  const found = probes.which(tool.command);
  if (found && !(found.pyenvShim && !installed)) {
    const match = pipInstall(python, requirements.shown).join(' ');
    const warnings =
      installed && installed.version !== tool.pinned
        ? [`warning: ${tool.package} ${installed.version} is installed, ${requirements.shown} pins ${tool.pinned}; going on with it (${match} to match)`]
        : [];
    return { ...NONE, present: [describe(tool, installed?.version)], warnings };
  }
  // Installing again would change nothing: the folder pip put it in is what is missing.
  if (installed?.script) return { ...NONE, problems: [`${tool.command} is installed but not on PATH: add ${dirname(installed.script)} to PATH`] };
  return { ...NONE, missing: [tool.command] };
}

/**
 * moto_server and cfn-lint: present, installed with pip, or a line naming the command. `stopping`: another tool
 * already stops the run, so the index is not probed (that can take seconds) and the line just names the command.
 */
function planPython(probes: Probes, requirements: Requirements, stopping: boolean): Part {
  const python = probes.python();
  const checked = requirements.tools.map((tool) => checkTool(tool, python, probes, requirements));
  const present = checked.flatMap((part) => part.present);
  const warnings = checked.flatMap((part) => part.warnings);
  const problems = checked.flatMap((part) => part.problems);
  const missing = checked.flatMap((part) => part.missing);
  if (missing.length === 0) return { ...NONE, present, warnings, problems };

  const shownInstall = pipInstall(python, requirements.shown).join(' ');
  const names = missing.join(', ');
  const problem = (why: string): Part => ({ ...NONE, present, warnings, problems: [...problems, `missing ${names}: ${why}`] });
  if (!python) return problem(`no python3; install Python 3 with pip, then run  ${shownInstall}`);
  if (!python.hasPip) return problem(`python3 has no pip; install it (Debian: python3-pip), then run  ${shownInstall}`);
  if (python.externallyManaged && !python.ownPrefix) {
    return problem('pip does not install into the system python3; activate a virtual environment (python3 -m venv <dir> && . <dir>/bin/activate) and run npm test again');
  }
  if (stopping || problems.length > 0) return problem(`run  ${shownInstall}`);
  // Any pinned package will do: the question is whether pip reaches its index at all.
  if (!probes.pipIndexReachable(requirements.tools[0]!.package)) return problem(`pip cannot reach its package index; run  ${shownInstall}  where it can`);
  return { ...NONE, present, warnings, missing, commands: [pipInstall(python, requirements.path)] };
}

/**
 * Decides, from the probes alone, what `npm test` needs done before the tests: nothing (exit 0, no command), the
 * install commands to run, or a stop (exit 1) with one line naming what to run. Nothing is installed unless everything
 * missing can be.
 */
export function planPrerequisites(probes: Probes, requirements: Requirements): Plan {
  const debian = planDebian(probes);
  const python = planPython(probes, requirements, debian.problems.length > 0);
  const problems = [...debian.problems, ...python.problems];
  const warnings = python.warnings;
  if (problems.length > 0) return { exitCode: 1, commands: [], missing: [], warnings, line: problems.join('; ') };
  const missing = [...debian.missing, ...python.missing];
  const commands = [...debian.commands, ...python.commands];
  const line =
    missing.length > 0
      ? `installing missing test prerequisites: ${missing.join(', ')}`
      : `test prerequisites present: ${[...debian.present, ...python.present].join(', ')}`;
  return { exitCode: 0, commands, missing, warnings, line };
}

// --- The real probes: thin, each one question to the system. ---

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function which(command: string): Found | undefined {
  const shims = join(process.env.PYENV_ROOT || join(homedir(), '.pyenv'), 'shims');
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutableFile(join(dir, command))) return { path: join(dir, command), pyenvShim: resolve(dir) === shims };
  }
  return undefined;
}

/** Asks python3 (as the tests' own directory selects it, for pyenv) about itself and the packages, as JSON. */
const PYTHON_FACTS = `
import importlib.metadata as md, importlib.util, json, os, sys, sysconfig
def package(name, command):
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        return None
    scripts = [os.path.normpath(str(f.locate())) for f in (dist.files or []) if f.name == command]
    return {"version": dist.version, "script": scripts[0] if scripts else None}
venv = sys.prefix != sys.base_prefix
pyenv_root = os.path.realpath(os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv"))
pyenv = os.path.realpath(sys.prefix).startswith(pyenv_root + os.sep)
print(json.dumps({
    "packages": {name: package(name, command) for name, command in json.loads(sys.argv[1]).items()},
    "ownPrefix": venv or pyenv,
    "hasPip": importlib.util.find_spec("pip") is not None,
    "externallyManaged": os.path.isfile(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")),
}))
`;

function pythonFacts(tools: readonly PythonTool[]): PythonFacts | undefined {
  const commands = Object.fromEntries(tools.map((tool) => [tool.package, tool.command]));
  const run = spawnSync('python3', ['-c', PYTHON_FACTS, JSON.stringify(commands)], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 10_000 });
  if (run.status !== 0) return undefined;
  try {
    return JSON.parse(run.stdout) as PythonFacts;
  } catch {
    return undefined;
  }
}

/** The probes of this machine. */
export function systemProbes(tools: readonly PythonTool[]): Probes {
  return {
    alertmanager: () => {
      if (!isExecutableFile(ALERTMANAGER)) return undefined;
      const run = spawnSync(ALERTMANAGER, ['--version'], { encoding: 'utf8', timeout: 5_000 });
      return /version (\S+)/.exec(`${run.stdout}${run.stderr}`)?.[1] ?? '';
    },
    chromium: () => {
      if (!isExecutableFile(CHROMIUM)) return undefined;
      const run = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 10_000 });
      return /Chromium (\S+)/.exec(run.stdout)?.[1] ?? '';
    },
    isRoot: () => process.getuid?.() === 0,
    passwordlessSudo: () => which('sudo') !== undefined && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 5_000 }).status === 0,
    hasAptGet: () => which('apt-get') !== undefined,
    python: () => pythonFacts(tools),
    which,
    // pip's own timeout and no retries make an unreachable index fail in seconds; the kill after 10 s is the backstop.
    pipIndexReachable: (pkg) =>
      spawnSync('python3', ['-m', 'pip', 'index', 'versions', pkg, '--timeout', '5', '--retries', '0', '--disable-pip-version-check'], {
        cwd: REPO_ROOT,
        stdio: 'ignore',
        timeout: 10_000,
      }).status === 0,
  };
}

/** The requirements file, shown relative to where the user is when that is inside the repository. */
export function readRequirements(cwd = process.cwd()): Requirements {
  const path = join(REPO_ROOT, 'requirements-test.txt');
  const shown = relative(cwd, path);
  return { path, shown: shown.startsWith('..') || isAbsolute(shown) ? path : shown, tools: pythonTools(readFileSync(path, 'utf8')) };
}

function main(): 0 | 1 {
  const requirements = readRequirements();
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const plan = planPrerequisites(systemProbes(requirements.tools), requirements);
  plan.warnings.forEach(say);
  if (plan.exitCode !== 0) {
    say(plan.line);
    return 1;
  }
  if (plan.commands.length === 0) {
    process.stdout.write(`${plan.line}\n`);
    return 0;
  }
  say(plan.line);
  for (const command of plan.commands) {
    say(`$ ${command.join(' ')}`);
    const run = spawnSync(command[0]!, command.slice(1), { cwd: REPO_ROOT, stdio: 'inherit' });
    if (run.status !== 0) {
      say(`${command.join(' ')} failed (${run.error?.message ?? `exit ${run.status ?? run.signal}`}); its output is above`);
      return 1;
    }
  }
  // Installed is not yet usable: the program must now be found (pip --user puts it in a folder PATH may lack).
  const after = planPrerequisites(systemProbes(requirements.tools), requirements);
  after.warnings.filter((warning) => !plan.warnings.includes(warning)).forEach(say);
  if (after.exitCode !== 0 || after.commands.length > 0) {
    say(after.exitCode !== 0 ? after.line : `still missing after installing: ${after.missing.join(', ')}`);
    return 1;
  }
  process.stdout.write(`${after.line}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main();
