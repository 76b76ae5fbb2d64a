/**
 * Version A of the schema-change benchmark: the code as it was before read model version B (the
 * commit that added read-models/last-counts.ts), built from git into a temporary folder with
 * the project's node_modules linked in, so that its processes run beside the current build's.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A build of an older commit, ready to start. */
export interface VersionBuild {
  /** The commit built, and how it was chosen. */
  readonly commit: string;
  readonly ref: string;
  /** Its compiled service and command line. */
  readonly mainScript: string;
  readonly stockctlScript: string;
  /** The highest migration it knows: its processes refuse to start on a database migrated further. */
  readonly lastMigration: number;
  /** Removes the folder. */
  release(): Promise<void>;
}

/** Runs a program to its end; its output is returned, its failure thrown with its standard error. */
function run(command: string, args: readonly string[], options: { cwd: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err || out}`))));
  });
}

/** The parent of the commit that added version B's read model: the code as it was before version B. */
async function commitBeforeVersionB(root: string): Promise<{ commit: string; ref: string }> {
  const added = (await run('git', ['log', '--diff-filter=A', '--format=%H', '--', 'src/projections/read-models/last-counts.ts'], { cwd: root })).split('\n').filter(Boolean).at(-1);
  if (!added) throw new Error('no commit added src/projections/read-models/last-counts.ts: set SCHEMA_CHANGE_FROM to the ref of version A');
  return { commit: await run('git', ['rev-parse', `${added}^`], { cwd: root }), ref: `${added.slice(0, 10)}^ (the parent of the commit that added version B)` };
}

/**
 * Builds version A: `ref` (SCHEMA_CHANGE_FROM) or the commit before version B, extracted with
 * `git archive` and compiled with `tsc -p tsconfig.build.json` (about a minute on 2 cores).
 */
export async function buildVersionA(root: string, ref: string | undefined): Promise<VersionBuild> {
  const chosen = ref ? { commit: await run('git', ['rev-parse', ref], { cwd: root }), ref } : await commitBeforeVersionB(root);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stockcontrol-version-a-'));
  const release = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    await run('sh', ['-c', `git archive --format=tar "$1" | tar -x -C "$2"`, 'archive', chosen.commit, dir], { cwd: root });
    await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir });
  } catch (error) {
    await release();
    throw error;
  }
  const lastMigration = Math.max(0, ...(await readdir(path.join(dir, 'migrations'))).map((name) => Number(/^(\d+)_/.exec(name)?.[1] ?? 0)));
  return { ...chosen, mainScript: path.join(dir, 'dist/src/main.js'), stockctlScript: path.join(dir, 'dist/src/cli/stockctl.js'), lastMigration, release };
}
