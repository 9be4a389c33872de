import { InProcessBus } from "@clinic/platform";
import { connectSignal, signalUrl } from "@clinic/video-service/src/testing/signal-client.ts";
import { childDatabase } from "./child-database.ts";
import { bookNow, startSession } from "./flows.ts";
import { startSystem } from "./system.ts";
import { startVideoChild } from "./video-child.ts";

const system = await startSystem({ bus: new InProcessBus(), video: false });
const db = childDatabase("tmp_sig");
for (const mode of ["idle", "afterRequest", "ws"]) {
  const child = await startVideoChild({
    ...db.env(),
    APPOINTMENTS_URL: system.urls.appointments,
    AUTH_JWKS_URL: system.urls.jwks,
  });
  if (mode !== "idle") {
    const a = await bookNow(system, { ...(await import("./people.ts")).people.doctor, id: `d-${mode}` });
    const token = await system.token({ ...(await import("./people.ts")).people.doctor, id: `d-${mode}` });
    const s = await startSession(child.url, token, a.id);
    if (mode === "ws") {
      const sock = connectSignal(signalUrl(child.url, s.body.session_id, s.body.doctor_attendee.join_token));
      await sock.next("welcome", 5000);
    }
  }
  const t = Date.now();
  child.process.kill("SIGTERM");
  const r = await child.exited;
  console.log(
    mode,
    r,
    Date.now() - t,
    child.output
      .filter((l) => !l.includes("request"))
      .slice(-3)
      .join("\n")
      .slice(0, 600),
  );
}
await system.close();
await db.drop();
