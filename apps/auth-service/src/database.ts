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
    password_hash: string;
    clinic_id: string;
    created_at: Generated<Date>;
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
    revoked_reason: "LOGOUT" | "REUSE_DETECTED" | null;
  };
  refresh_tokens: {
    token_hash: string;
    family_id: string;
    created_at: Generated<Date>;
    expires_at: Date;
    used_at: Date | null;
  };
}

export type AuthDatabase = Database<AuthTables>;
