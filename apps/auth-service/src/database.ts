import type { Role } from "@clinic/contracts";
import type { Database } from "@clinic/platform";
import type { Generated } from "kysely";

/** The auth service's tables as Kysely sees them (DDL in migrations/). */
export interface AuthTables {
  clinics: { id: string; name: string; created_at: Generated<Date> };
  users: {
    id: Generated<string>;
    role: Role;
    name: string;
    email: string;
    /** Null until the person uses their set-password link. */
    password_hash: string | null;
    clinic_id: string;
    created_at: Generated<Date>;
    active: Generated<boolean>;
    deactivated_at: Date | null;
    updated_at: Date | null;
  };
  signing_keys: {
    kid: string;
    algorithm: string;
    public_jwk: unknown;
    /** Plain JSON: only in development without AUTH_KEY_ENCRYPTION_KEY. */
    private_jwk: unknown | null;
    /** Flattened JWE (dir, A256GCM) of the private JWK, its kid as associated data. */
    private_jwk_encrypted: string | null;
    created_at: Generated<Date>;
    activates_at: Date;
    retired_at: Date | null;
  };
  refresh_token_families: {
    id: string;
    user_id: string;
    created_at: Generated<Date>;
    revoked_at: Date | null;
    revoked_reason: RevokedReason | null;
  };
  password_links: {
    id: Generated<string>;
    user_id: string;
    /** SHA-256 of the token, base64url; the token itself is only in the link. */
    token_hash: string;
    purpose: "SET" | "RESET";
    created_by: string;
    created_at: Generated<Date>;
    expires_at: Date;
    used_at: Date | null;
  };
  /** Append-only (see appendOnlyTables). */
  user_audit: {
    id: Generated<string>;
    at: Generated<Date>;
    actor_id: string;
    actor_role: string;
    clinic_id: string | null;
    action: string;
    outcome: "ALLOWED" | "DENIED";
    reason: string | null;
    target_user_id: string | null;
    request_id: string | null;
  };
  refresh_tokens: {
    token_hash: string;
    family_id: string;
    created_at: Generated<Date>;
    expires_at: Date;
    used_at: Date | null;
    /** When the grace window forgave a late presentation of this used token (once only). */
    grace_used_at: Generated<Date | null>;
  };
}

export type AuthDatabase = Database<AuthTables>;

/** Why a login (refresh-token family) was ended. */
export type RevokedReason = "LOGOUT" | "REUSE_DETECTED" | "DEACTIVATED" | "PASSWORD_CHANGED";

/** The runtime role may insert into these but never change or delete a row. */
export const appendOnlyTables = ["user_audit"] as const;
