import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mayNormaliseTo, normalise } from "./gateway-metrics.ts";

/**
 * The docs and metrics policies skip decoding and URL parsing when `mayNormaliseTo` says the
 * path cannot normalise to one naming the word (issue 14). It must never be wrong that way:
 * for any path, if the normalised path contains the word, the precheck says so.
 */
describe("mayNormaliseTo", () => {
  // Characters that make normalising interesting: escapes, slashes, dots, case, controls, non-ASCII.
  const pieces = fc.constantFrom(
    ..."metricsdocMETRICSDOC/\\.%6D%4d%2F%2e%65%2525?#;\t\n ".split(""),
    "%6D",
    "%6d%65",
    "%2F",
    "%2e%2e",
    "/../",
    "//",
    "\u017F",
    "\u212A",
    "\u0130",
    "é",
    "metrics",
    "docs",
  );
  // The words themselves, some letters escaped (%6D, %6d) or in upper case, maybe split by a dot segment.
  const disguised = fc
    .tuple(
      fc.constantFrom("metrics", "docs"),
      fc.array(fc.constantFrom("keep", "escape", "upper", "split"), { minLength: 7, maxLength: 7 }),
    )
    .map(([word, how]) =>
      [...word]
        .map((letter, i) => {
          const code = letter.charCodeAt(0).toString(16);
          if (how[i] === "escape") return i % 2 ? `%${code.toUpperCase()}` : `%${code}`;
          if (how[i] === "upper") return letter.toUpperCase();
          if (how[i] === "split") return `${letter}/./`;
          return letter;
        })
        .join(""),
    );
  const paths = fc.array(fc.oneof(pieces, disguised), { maxLength: 12 }).map((parts) => `/${parts.join("")}`);

  it.each([
    ["metrics", /metrics/i],
    ["docs", /docs/i],
  ])("never skips a path that normalises to one naming %s", (word, pattern) => {
    fc.assert(
      fc.property(paths, (path) => {
        if (normalise(path).includes(word)) expect(mayNormaliseTo(path, pattern)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it("skips ordinary API paths", () => {
    expect(mayNormaliseTo("/video/api/video/sessions", /metrics/i)).toBe(false);
    expect(mayNormaliseTo("/video/api/video/sessions/s-1/../x", /docs/i)).toBe(false);
    expect(mayNormaliseTo("/video/%6Detrics", /metrics/i)).toBe(true);
    expect(mayNormaliseTo("/video/MeTrIcS", /metrics/i)).toBe(true);
  });
});
