import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Where a process id means what it means here: this kernel boot and this pid namespace (Linux).
 * Null elsewhere, where leases alone tell a dead holder.
 */
function processSpace(): string | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const namespace = readlinkSync('/proc/self/ns/pid').replace(/\D/g, '');
    return `${boot}/${namespace}`;
  } catch {
    return null;
  }
}

const space = processSpace();

/** A new lease holder's name: host and process for people reading the jobs table, a random part, and the process space. */
export function holderName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}${space ? `@${space}` : ''}`;
}

/**
 * Whether a lease's holder is a process of this machine and pid namespace that has ended, so
 * its jobs need not wait for their leases to end (a restart after a crash goes on at once).
 * False whenever that can't be known: another machine or container, or a live process with
 * the holder's pid, which may be another one that reused it.
 */
export function holderIsGone(holder: string | null): boolean {
  const match = holder && space ? /:(\d+):[0-9a-f]+@(.+)$/.exec(holder) : null;
  if (!match || match[2] !== space) return false;
  try {
    process.kill(Number(match[1]), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** This process, as its upload scratch folders name it (a job's lease holder is named apart, per pool). */
export const thisProcess = holderName();
