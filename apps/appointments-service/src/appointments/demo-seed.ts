import { type BookAppointmentRequest, demoClinic, demoUsers } from "@clinic/contracts";
import type { AuthUser } from "@clinic/platform";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { AppointmentsTables } from "../database.ts";
import { staticDirectory } from "../directory/directory.client.ts";
import type { Actor } from "./appointment-access.ts";
import { appointmentsRepository as repo } from "./appointments.repository.ts";
import type { AppointmentsService } from "./appointments.service.ts";

const asActor = (user: (typeof demoUsers)[keyof typeof demoUsers]): Actor => ({
  user: { id: user.id, role: user.role, clinic_id: user.clinic_id, name: user.name, email: user.email } as AuthUser,
  requestId: "demo-seed",
});

/** The demo people exactly as the auth service's demo seed creates them (`demoUsers`). */
export const demoDirectory = staticDirectory(
  Object.values(demoUsers).map(({ password: _password, ...person }) => person),
);

/**
 * Demo appointments for the embedded stack (SEED_DEMO=1): the demo doctor's day and week
 * with the demo patient (the one patient the auth service's demo seed creates, so every
 * booking names someone of the directory), one starting right now so a session can be started at once, one
 * for the second doctor and one completed consultation in the past. Booked through the
 * service, so `appointment.booked` goes out as for any booking. The full set is booked only
 * for a clinic without appointments; later starts add just the one starting now.
 */
export async function seedDemoAppointments(
  db: Kysely<AppointmentsTables>,
  appointments: AppointmentsService,
  logger: Logger,
  now = new Date(),
): Promise<number> {
  const start = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();
  const ada = asActor(demoUsers.doctor);
  const grace = asActor(demoUsers.doctor2);
  const john = { patient_id: demoUsers.patient.id };
  const booking = (patient: { patient_id: string }, startTime: string, minutes = 30) =>
    ({ ...patient, start_time: startTime, duration_minutes: minutes, video_enabled: true }) as BookAppointmentRequest;

  if ((await repo.countForClinic(db, demoClinic.id)) > 0) {
    // A later start of a kept embedded database: the demo doctor still gets one appointment to
    // start right away, unless they already have one now (then the booking is refused, fine).
    await appointments.book(ada, booking(john, at(0))).then(
      () => logger.info({ clinicId: demoClinic.id }, "demo appointment starting now added"),
      () => undefined,
    );
    return 0;
  }

  const plan: [Actor, BookAppointmentRequest][] = [
    [ada, booking(john, at(0))],
    [ada, booking(john, at(60))],
    [ada, booking(john, at(180), 45)],
    [ada, booking(john, at(24 * 60 + 30))],
    [ada, booking(john, at(2 * 24 * 60))],
    [ada, booking(john, at(4 * 24 * 60 + 60), 20)],
    [grace, booking(john, at(90))],
  ];
  for (const [actor, input] of plan) await appointments.book(actor, input);

  // History: yesterday's consultation, booked then, completed with its recorded length.
  const past = await appointments.book(ada, booking(john, at(-24 * 60)), { allowPast: true });
  await repo.transition(db, past.id, ["SCHEDULED"], { status: "COMPLETED", consultation_duration_minutes: 25 });

  logger.info({ clinicId: demoClinic.id, appointments: plan.length + 1 }, "demo appointments seeded");
  return plan.length + 1;
}
