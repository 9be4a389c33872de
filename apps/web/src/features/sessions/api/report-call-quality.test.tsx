import { waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ids } from "../../../test/fixtures.ts";
import { stubNetwork } from "../../../test/network.ts";
import { patient, renderWithProviders } from "../../../test/render.tsx";
import { type CallEngine, CallStore } from "../media/call-state.ts";
import { useCallQualityReport } from "./report-call-quality.ts";

const path = `/video/api/video/sessions/${ids.session}/quality`;
const summary = {
  rtt_ms_median: 80,
  packet_loss_pct: 1.5,
  outgoing_kbps_median: 900,
  incoming_kbps_median: 850,
  sent_resolution: "640x360",
  relay_seconds: 0,
  audio_only_seconds: 20,
  call_seconds: 300,
};

/** A call engine as far as the quality report sees it: a state store and a summary. */
function fakeEngine(measured = true) {
  const store = new CallStore();
  const engine = {
    getState: store.get,
    subscribe: store.subscribe,
    qualitySummary: () => (measured ? summary : null),
  } as unknown as CallEngine;
  return { engine, store };
}

function Reporter({ engine }: { engine: CallEngine }) {
  useCallQualityReport(ids.session, engine);
  return null;
}

/** The quality record (issue 12): the call screen sends this side's summary once, when the call ends for it. */
describe("useCallQualityReport", () => {
  it("sends the summary with the bearer token when the other side ends the call, and only once", async () => {
    const network = stubNetwork({ [`POST ${path}`]: { status: 200, body: { side: "PATIENT", ...summary } } });
    const { engine, store } = fakeEngine();
    const view = renderWithProviders(<Reporter engine={engine} />, patient);
    store.update({ phase: "connected" });
    expect(network.search("POST", path)).toEqual([]);
    store.update({ phase: "ended", endedReason: "ENDED_BY_DOCTOR" });
    await waitFor(() => expect(network.search("POST", path)).toHaveLength(1));
    expect(network.search("POST", path)[0]).toMatchObject({
      body: summary,
      authorization: `Bearer access-${patient.id}`,
    });
    view.unmount(); // leaving the ended call screen does not send it again
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(network.search("POST", path)).toHaveLength(1);
  });

  it("sends it when this person leaves (the call screen goes away) or the page is closed", async () => {
    const network = stubNetwork({ [`POST ${path}`]: { status: 200, body: { side: "PATIENT", ...summary } } });
    const left = fakeEngine();
    renderWithProviders(<Reporter engine={left.engine} />, patient).unmount();
    await waitFor(() => expect(network.search("POST", path)).toHaveLength(1));
    const closed = fakeEngine();
    renderWithProviders(<Reporter engine={closed.engine} />, patient);
    window.dispatchEvent(new Event("pagehide"));
    await waitFor(() => expect(network.search("POST", path)).toHaveLength(2));
  });

  it("sends nothing for a call that was never measured", async () => {
    const network = stubNetwork({});
    const { engine, store } = fakeEngine(false);
    const view = renderWithProviders(<Reporter engine={engine} />, patient);
    store.update({ phase: "ended" });
    view.unmount();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(network.requests.filter((r) => r.path === path)).toEqual([]);
  });
});
