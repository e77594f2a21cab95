// The original's app/src/lib/sync-manager.ts, written from 06-01-PLAN.md (Task 2):
// runAllSyncs() runs the three sync scripts one after another under data/.sync-lock
// and records the outcome in data/sync-status.json.
//
// Its flaws are kept on purpose, since this is the baseline synctray replaces: the lock
// is an existence check (racy), a lock younger than an hour blocks every run even when
// its holder died, and nothing stops a job that hangs.
import { exec } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { atomicWriteJson } from "./atomic-write";

const execAsync = promisify(exec);

// The workspace root: this file lives in ROOT/src/lib.
export const ROOT = resolve(__dirname, "..", "..");
const DATA = resolve(ROOT, "data");
const LOCK = resolve(DATA, ".sync-lock");
const STATUS = resolve(DATA, "sync-status.json");
const STALE_LOCK_MS = 60 * 60 * 1000;

const SCRIPTS = ["scripts/sync-tokens.ts", "scripts/sync-quality.ts", "scripts/sync-projects.ts"];

export type SyncResult = {
  status: "success" | "error" | "skipped";
  durationMs?: number;
  error?: string;
};

export async function runAllSyncs(): Promise<SyncResult> {
  if (existsSync(LOCK)) {
    const age = Date.now() - statSync(LOCK).mtimeMs;
    if (age < STALE_LOCK_MS) {
      return { status: "skipped" };
    }
    console.warn(`[sync] removing stale lock (${Math.round(age / 60000)} min old)`);
    rmSync(LOCK, { force: true });
  }

  mkdirSync(DATA, { recursive: true });
  writeFileSync(LOCK, new Date().toISOString());
  const started = Date.now();
  try {
    for (const script of SCRIPTS) {
      await execAsync(`npx tsx ${script}`, { cwd: ROOT });
    }
    const durationMs = Date.now() - started;
    atomicWriteJson(STATUS, { lastSync: new Date().toISOString(), status: "success", durationMs });
    return { status: "success", durationMs };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    atomicWriteJson(STATUS, { lastSync: new Date().toISOString(), status: "error", error });
    return { status: "error", error };
  } finally {
    rmSync(LOCK, { force: true });
  }
}
