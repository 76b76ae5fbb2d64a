import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

/**
 * Where a process runs, as far as judging another process's pid from it goes: a pid means
 * something only inside its PID namespace and only during one boot of one kernel.
 */
export interface ProcessPlace {
  /** `readlink /proc/self/ns/pid`, e.g. `pid:[4026531836]`; '' where /proc is not there. */
  readonly pidNamespace: string;
  /** /proc/sys/kernel/random/boot_id: new at every boot; '' where /proc is not there. */
  readonly bootId: string;
  /** The host name (a container's own one in a container): for the operator, and for the reboot rule. */
  readonly host: string;
}

/**
 * The PID namespace every Linux kernel boots with has this fixed id (PROC_PID_INIT_INO), on every
 * machine and after every boot; namespaces made later (containers) get ids allocated at run time.
 */
export const initialPidNamespace = 'pid:[4026531836]';

/** True while a process with this pid exists (signal 0 probes without delivering anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or '' where
 * /proc is not there. With the pid, it names one process for good: a pid is reused, this pair is not.
 */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

let here: ProcessPlace | undefined;

/** This process's place (read once: none of it changes while a process runs). */
export function placeOfThisProcess(): ProcessPlace {
  here ??= {
    pidNamespace: readOr('', () => readlinkSync('/proc/self/ns/pid')),
    bootId: readOr('', () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
    host: readOr('', () => os.hostname()),
  };
  return here;
}

function readOr(fallback: string, read: () => string): string {
  try {
    return read();
  } catch {
    return fallback;
  }
}
