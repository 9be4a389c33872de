import { jwksRefetchCooldownMs } from "@clinic/platform";

/**
 * Rotation with overlap, as a function of the clock. Keys are ordered by `activates_at`; a
 * key signs from its own `activates_at` until the next key's, and stays published until
 * every token it signed has expired: the next key's `activates_at` + access-token lifetime
 * + a clock-skew margin. A new key is published before it signs, so verifiers know it
 * before the first token carrying its kid arrives.
 */
export type KeyState = "upcoming" | "active" | "previous" | "retired";

export interface ScheduledKey {
  kid: string;
  activates_at: Date;
  created_at: Date;
  retired_at: Date | null;
}

export interface KeyStatus<K extends ScheduledKey> {
  key: K;
  state: KeyState;
  /** When a newer key took (or takes) over signing. */
  supersededAt?: Date;
  /** When it stops being published (superseded + token lifetime + margin). */
  retiresAt?: Date;
}

/** Clocks of the auth service and the verifiers may disagree by this much. */
export const clockSkewSeconds = 60;
/** How long an auth replica uses the keys it read before reading signing_keys again. */
export const keyCacheSeconds = 30;
/** Cache-Control max-age of /.well-known/jwks.json. */
export const jwksMaxAgeSeconds = 60;
/**
 * A rotated key signs only after every replica has re-read the table (keyCacheSeconds), any
 * HTTP cache has let go of the old JWKS (jwksMaxAgeSeconds), and a verifier that fetched the
 * JWKS just before may fetch it again on an unknown kid (its cooldown): 120 s.
 */
export const activationDelaySeconds = keyCacheSeconds + jwksMaxAgeSeconds + jwksRefetchCooldownMs / 1000;

/** Seconds a superseded key stays published. */
export const overlapSeconds = (accessTtlSeconds: number) => accessTtlSeconds + clockSkewSeconds;

export function keySchedule<K extends ScheduledKey>(keys: K[], now: Date, overlap: number): KeyStatus<K>[] {
  const ordered = [...keys].sort(
    (a, b) =>
      a.activates_at.getTime() - b.activates_at.getTime() ||
      a.created_at.getTime() - b.created_at.getTime() ||
      a.kid.localeCompare(b.kid),
  );
  const t = now.getTime();
  // The oldest live key signs whatever its activates_at says: before it there is no key at all
  // (a clock set back, in tests, must not leave the service without one).
  const first = ordered.find((k) => !k.retired_at);
  return ordered.map((key, i) => {
    if (key.retired_at) return { key, state: "retired" };
    if (key !== first && key.activates_at.getTime() > t) return { key, state: "upcoming" };
    const next = ordered.slice(i + 1).find((k) => !k.retired_at);
    if (!next) return { key, state: "active" };
    const supersededAt = next.activates_at;
    const retiresAt = new Date(supersededAt.getTime() + overlap * 1000);
    if (supersededAt.getTime() > t) return { key, state: "active", supersededAt, retiresAt };
    return { key, state: retiresAt.getTime() > t ? "previous" : "retired", supersededAt, retiresAt };
  });
}
