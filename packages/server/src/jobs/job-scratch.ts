import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { absolute, dataPaths, jobScratchName } from '../domain/data-paths.js';
import type { Job, JobStore } from '../domain/ports/job-queue.js';
import { holderIsGone } from './lease-holders.js';

/**
 * A job's run number, which every claim makes larger: a claim counts an attempt, and an
 * interruption that gives an attempt back counts itself. So each run has a scratch folder no
 * other run uses, and one left by a dead run can be removed while the next run works.
 */
const runNumber = (job: Job) => job.attempts + job.interruptions;

/** The absolute scratch folder of the run the job row describes; `label` says what it is for (`export-12`). */
export const scratchFolder = (dataDir: string, label: string, job: Job) => absolute(dataDir, dataPaths.jobScratch(label, job.id, runNumber(job)));

/** Makes a run's scratch folder, empty; returns it. */
export async function freshScratch(dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

export async function removeScratch(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Removes the scratch folders of runs that are over: all but those of running jobs whose lease
 * is live at `now` (its holder not known to be dead) and whose current run they are. A folder listed here was made before the
 * job was read, so a claim made meanwhile shows as that live run.
 */
export async function sweepScratch(dataDir: string, store: JobStore, now: string): Promise<void> {
  const root = absolute(dataDir, dataPaths.tmp);
  for (const name of await readdir(root).catch(() => [])) {
    const match = jobScratchName.exec(name);
    if (!match) continue;
    const job = await store.findById(Number(match[1]));
    const live = job?.status === 'running' && job.lockedUntil !== null && job.lockedUntil >= now && !holderIsGone(job.lockedBy) && runNumber(job) === Number(match[2]);
    if (!live) await rm(join(root, name), { recursive: true, force: true });
  }
}
