import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ids, session } from "../../../test/fixtures.ts";
import { stubNetwork } from "../../../test/network.ts";
import { doctor, renderApp } from "../../../test/render.tsx";

const details = `/video/api/video/sessions/${ids.session}`;
const report = {
  rtt_ms_median: 42.5,
  packet_loss_pct: 0.8,
  outgoing_kbps_median: 1450,
  incoming_kbps_median: 1320,
  sent_resolution: "1280x720",
  relay_seconds: 0,
  audio_only_seconds: 0,
  call_seconds: 1790,
  reported_at: "2026-01-25T14:30:01Z",
};

/** The quality record (issue 12): the session details show each side's call quality beside the rating. */
describe("session details: call quality", () => {
  it("shows both sides' figures in a table beside the doctor's star rating", async () => {
    stubNetwork({
      [`GET ${details}`]: {
        status: 200,
        body: session({
          quality_rating: 4,
          notes: "Follow up in two weeks",
          quality_reports: [
            { side: "DOCTOR", ...report },
            {
              side: "PATIENT",
              ...report,
              rtt_ms_median: 310,
              packet_loss_pct: 6.2,
              sent_resolution: "320x180",
              relay_seconds: 1790,
              audio_only_seconds: 95,
            },
          ],
        }),
      },
    });
    renderApp(`/doctor/sessions/${ids.session}`, doctor);
    expect(await screen.findByRole("img", { name: "Rated 4 of 5 stars" }, { timeout: 5_000 })).toBeInTheDocument();
    const table = screen.getByRole("table", { name: "Call quality" });
    const doctorRow = within(table).getByRole("row", { name: /^Doctor/ });
    expect(doctorRow).toHaveTextContent("42.5 ms");
    expect(doctorRow).toHaveTextContent("0.8 %");
    expect(doctorRow).toHaveTextContent("1450 kbit/s / 1320 kbit/s");
    expect(doctorRow).toHaveTextContent("1280x720");
    const patientRow = within(table).getByRole("row", { name: /^Patient/ });
    expect(patientRow).toHaveTextContent("310 ms");
    expect(patientRow).toHaveTextContent("6.2 %");
    expect(patientRow).toHaveTextContent("320x180");
    expect(patientRow).toHaveTextContent("29 min 50 s"); // on the relay the whole call
    expect(patientRow).toHaveTextContent("1 min 35 s"); // audio only
  });

  it("says so when no side reported, and shows unmeasured figures as a dash", async () => {
    stubNetwork({ [`GET ${details}`]: { status: 200, body: session({ quality_rating: 5 }) } });
    const { unmount } = renderApp(`/doctor/sessions/${ids.session}`, doctor);
    expect(await screen.findByText("No call quality reported.", {}, { timeout: 5_000 })).toBeInTheDocument();
    unmount();
    stubNetwork({
      [`GET ${details}`]: {
        status: 200,
        body: session({
          quality_reports: [{ side: "PATIENT", ...report, rtt_ms_median: null, sent_resolution: null }],
        }),
      },
    });
    renderApp(`/doctor/sessions/${ids.session}`, doctor);
    const row = await screen.findByRole("row", { name: /^Patient/ }, { timeout: 5_000 });
    expect(row).toHaveTextContent("—");
    expect(row).toHaveTextContent("no video");
  });
});
