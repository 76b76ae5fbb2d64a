/**
 * Version A of the schema-change benchmark: this tree (HEAD) without read model version B, that
 * is with the source changes of the commit that added read-models/last-counts.ts reversed, so A
 * is today's code but for that one read model, as the release before a read-model change would
 * be. (The parent of that commit, the fallback when the reversal no longer applies, is older code
 * in every other respect too: its subscriptions still polled per tenant, which made A's processes
 * cost PostgreSQL more than B's and charged that to the deploy.) Built from git into a temporary
 * folder with the project's node_modules linked in, so that its processes run beside the current
 * build's.
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

/** The commit that added version B's read model. */
async function commitOfVersionB(root: string): Promise<string> {
  const added = (await run('git', ['log', '--diff-filter=A', '--format=%H', '--', 'src/projections/read-models/last-counts.ts'], { cwd: root })).split('\n').filter(Boolean).at(-1);
  if (!added) throw new Error('no commit added src/projections/read-models/last-counts.ts: set SCHEMA_CHANGE_FROM to the ref of version A');
  return added;
}

/** What to build as version A: its commit, how it was chosen, and a patch to reverse in it (B's source change). */
async function chooseVersionA(root: string, ref: string | undefined): Promise<{ commit: string; ref: string; reverse?: string }> {
  if (ref) return { commit: await run('git', ['rev-parse', ref], { cwd: root }), ref };
  const added = await commitOfVersionB(root);
  const reverse = await run('git', ['show', '--format=', added, '--', 'src'], { cwd: root });
  return { commit: await run('git', ['rev-parse', 'HEAD'], { cwd: root }), ref: `HEAD without version B: ${added.slice(0, 10)}'s change of src/ reversed`, reverse: `${reverse}\n` };
}

/** Runs `git apply` in `dir` with `patch` on its standard input. */
function applyPatch(dir: string, args: readonly string[], patch: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['apply', ...args], { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`git apply ${args.join(' ')} exited ${code}: ${err}`))));
    child.stdin.end(patch);
  });
}

/**
 * Builds version A: `ref` (SCHEMA_CHANGE_FROM) or the commit before version B, extracted with
 * `git archive` and compiled with `tsc -p tsconfig.build.json` (about a minute on 2 cores).
 */
export async function buildVersionA(root: string, ref: string | undefined): Promise<VersionBuild> {
  let chosen = await chooseVersionA(root, ref);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stockcontrol-version-a-'));
  const release = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    await run('sh', ['-c', `git archive --format=tar "$1" | tar -x -C "$2"`, 'archive', chosen.commit, dir], { cwd: root });
    const { reverse } = chosen;
    if (reverse !== undefined) {
      const reversed = await applyPatch(dir, ['-R'], reverse).then(
        () => true,
        () => false,
      );
      if (!reversed) {
        // B's change no longer reverses cleanly (its files changed since): A is the commit before it.
        const added = await commitOfVersionB(root);
        chosen = { commit: await run('git', ['rev-parse', `${added}^`], { cwd: root }), ref: `${added.slice(0, 10)}^ (the parent of the commit that added version B; its change no longer reverses on HEAD)` };
        await run('sh', ['-c', `rm -rf "$1"/* && git archive --format=tar "$2" | tar -x -C "$1"`, 'archive', dir, chosen.commit], { cwd: root });
      }
    }
    await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir });
  } catch (error) {
    await release();
    throw error;
  }
  const lastMigration = Math.max(0, ...(await readdir(path.join(dir, 'migrations'))).map((name) => Number(/^(\d+)_/.exec(name)?.[1] ?? 0)));
  return { ...chosen, mainScript: path.join(dir, 'dist/src/main.js'), stockctlScript: path.join(dir, 'dist/src/cli/stockctl.js'), lastMigration, release };
}
