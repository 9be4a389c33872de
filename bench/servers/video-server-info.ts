/** What `video.server.ts` reports to the bench when it is ready. */
export interface VideoServerInfo {
  database: "pglite" | "postgres";
  /** A doctor access token (signed by the bench's own key, verified by the real verifier). */
  doctorToken: string;
  adminToken: string;
  clinicId: string;
  doctorId: string;
}

/** An appointment the video service can start now, with access tokens for its doctor and patient. */
export interface BookedAppointment {
  appointmentId: string;
  doctorToken: string;
  patientToken: string;
}
