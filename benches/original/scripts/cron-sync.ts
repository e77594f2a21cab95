// The original's scripts/cron-sync.ts, written from 06-01-PLAN.md (Task 2): a standalone
// croner process that calls runAllSyncs() on `*/N * * * *`, N from data/config/sync.json.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Cron } from "croner";
import { ROOT, runAllSyncs } from "../src/lib/sync-manager";

function readIntervalMinutes(): number {
  try {
    const config = JSON.parse(readFileSync(resolve(ROOT, "data/config/sync.json"), "utf8"));
    const n = Number(config.intervalMinutes);
    return Number.isInteger(n) && n >= 1 && n <= 1440 ? n : 15;
  } catch {
    return 15;
  }
}

const intervalMinutes = readIntervalMinutes();
const job = new Cron(`*/${intervalMinutes} * * * *`, async () => {
  const result = await runAllSyncs();
  console.log(`[cron] sync ${result.status}`, result);
});

console.log(
  `[cron] Cron scheduler started: every ${intervalMinutes} min, next run ${job.nextRun()?.toISOString()}`,
);

function shutdown(signal: string): void {
  console.log(`[cron] ${signal} received, stopping`);
  job.stop();
  process.exit(0);
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
