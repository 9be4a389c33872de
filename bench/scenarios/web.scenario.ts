import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { computeMedianRun } from "lighthouse/core/lib/median-run.js";
import { chromiumPath } from "../../e2e/support/chromium.ts";
import type { BenchContext, Scenario } from "../lib/context.ts";
import { StackProcess, skipUnlessStackCanRun } from "../lib/stack-process.ts";

// Lighthouse's own variable first (CHROME_PATH), then the one the e2e tests use, then Debian's.
const lighthouseChrome = process.env.CHROME_PATH ?? chromiumPath;
/** Lighthouse runtime errors of its trace, not of the page: such a run is measured again (bounded). */
const traceFlakes = new Set(["NO_NAVSTART", "NO_TRACING_STARTED", "NO_FCP"]);
const maxTraceRetries = 2;

// localhost, as a patient's browser sees the app (the gateway binds it under npm start).
const appOrigin = "http://localhost:8000";

/**
 * The pages a patient opens first, on a phone. The invite page (`/join/<token>`) joins this
 * list when it exists (issue 11); until then the sign-in page is the patient's front door.
 */
export const webPages = [{ name: "sign-in", path: "/login" }] as const;

/** The first-load budget (issue 17): Lighthouse mobile, default simulated slow 4G. */
export const webBudget = {
  performance: 90,
  accessibility: 95,
  best_practices: 95,
  lcp_ms: 2500,
  transfer_kib: 200,
} as const;

/** Only what the figures need; the full report is large. */
interface LighthouseResult {
  categories: Record<string, { score: number | null }>;
  audits: Record<string, { numericValue?: number; details?: { items?: unknown[] } }>;
  lighthouseVersion: string;
}

interface PageFigures {
  performance: number;
  accessibility: number;
  best_practices: number;
  lcp_ms: number;
  fcp_ms: number;
  tbt_ms: number;
  transfer_kib: number;
  requests: number;
  runs: number;
}

const score = (lhr: LighthouseResult, id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
const audit = (lhr: LighthouseResult, id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;

function figuresOf(lhr: LighthouseResult, runs: number): PageFigures {
  return {
    performance: score(lhr, "performance"),
    accessibility: score(lhr, "accessibility"),
    best_practices: score(lhr, "best-practices"),
    lcp_ms: Math.round(audit(lhr, "largest-contentful-paint")),
    fcp_ms: Math.round(audit(lhr, "first-contentful-paint")),
    tbt_ms: Math.round(audit(lhr, "total-blocking-time")),
    transfer_kib: Math.round((audit(lhr, "total-byte-weight") / 1024) * 10) / 10,
    requests: lhr.audits["network-requests"]?.details?.items?.length ?? 0,
    runs,
  };
}

/** Whether one page meets every line of the budget. */
export function meetsBudget(f: PageFigures): boolean {
  return (
    f.performance >= webBudget.performance &&
    f.accessibility >= webBudget.accessibility &&
    f.best_practices >= webBudget.best_practices &&
    f.lcp_ms <= webBudget.lcp_ms &&
    f.transfer_kib <= webBudget.transfer_kib
  );
}

/**
 * 8. Lighthouse (pinned 12.2.3, Debian's Chromium) on the patient's first pages, served by
 * `npm start`: mobile emulation with Lighthouse's default simulated throttling (slow 4G,
 * 4× CPU). Each page runs several times; the median run (Lighthouse's own pick) is reported.
 */
export const webScenario: Scenario = {
  name: "web",
  title: "8. Web first load: Lighthouse mobile (simulated slow 4G) on the patient's first pages",
  async run(ctx: BenchContext) {
    await skipUnlessStackCanRun({ browser: lighthouseChrome });
    // npm start builds the web app itself when it is missing or stale, as a user's first start does.
    const dataDir = mkdtempSync(join(tmpdir(), "clinic-bench-web-"));
    const stack = await StackProcess.start({ DATA_DIR: dataDir, DATABASE_URL: "", AMQP_URL: "" });
    const chrome = await chromeLauncher.launch({
      chromePath: lighthouseChrome,
      chromeFlags: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    try {
      const runs = ctx.options.quick ? 1 : 3;
      const pages: Record<string, PageFigures & { url: string; meets_budget: boolean }> = {};
      let version = "";
      for (const page of webPages) {
        const url = `${appOrigin}${page.path}`;
        const results: LighthouseResult[] = [];
        let attempts = 0;
        while (results.length < runs) {
          attempts++;
          const result = await lighthouse(url, {
            port: chrome.port,
            output: "json",
            logLevel: "error",
            onlyCategories: ["performance", "accessibility", "best-practices"],
          });
          if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
          const lhr = result.lhr as unknown as LighthouseResult & { runtimeError?: { code: string; message: string } };
          // A run that could not load the page (it says why) is not a figure: report it, do not average it.
          // Lighthouse's own trace sometimes misses the navigation (NO_NAVSTART): that run is measured again,
          // at most twice per page in all, and the retry is noted.
          if (lhr.runtimeError) {
            const flaky = traceFlakes.has(lhr.runtimeError.code) && attempts - results.length <= maxTraceRetries;
            if (!flaky)
              throw new Error(
                `Lighthouse could not measure ${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`,
              );
            ctx.note(`${page.name}: Lighthouse's trace failed (${lhr.runtimeError.code}); that run was measured again`);
            continue;
          }
          results.push(lhr);
        }
        const median = computeMedianRun(results as never) as unknown as LighthouseResult;
        version = median.lighthouseVersion;
        const figures = figuresOf(median, runs);
        pages[page.name] = { url: page.path, ...figures, meets_budget: meetsBudget(figures) };
      }
      ctx.table(
        `Lighthouse ${version}, mobile, simulated slow 4G, median of ${runs} run(s) per page (budget in brackets)`,
        [
          "page",
          `performance (≥${webBudget.performance})`,
          `accessibility (≥${webBudget.accessibility})`,
          `best practices (≥${webBudget.best_practices})`,
          `LCP ms (≤${webBudget.lcp_ms})`,
          "FCP ms",
          "TBT ms",
          `KiB transferred (≤${webBudget.transfer_kib})`,
          "requests",
          "budget met",
        ],
        Object.entries(pages).map(([name, p]) => [
          `${name} ${p.url}`,
          p.performance,
          p.accessibility,
          p.best_practices,
          p.lcp_ms,
          p.fcp_ms,
          p.tbt_ms,
          p.transfer_kib,
          p.requests,
          p.meets_budget ? "yes" : "NO",
        ]),
      );
      return { lighthouse: version, budget: webBudget, pages };
    } finally {
      chrome.kill();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
