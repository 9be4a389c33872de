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

/** What makes an instance a member of a cluster of video-service replicas (the cluster scenario). */
export interface ClusterMember {
  instanceId: string;
  redisUrl: string;
  /** Of this run only; its keys are deleted afterwards. */
  redisKeyPrefix: string;
  /** One Ed25519 private JWK (JSON) for every instance: each verifies the join tokens the others sign. */
  joinTokenJwk: string;
}

/** A further instance of a first one: its appointments service and its access-token keys. */
export interface ReplicaOf {
  appointmentsUrl: string;
  /** The first instance's public JWKS (`info.jwks`), so both verify the bench's tokens. */
  jwks: unknown;
}
