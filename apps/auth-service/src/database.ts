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
    private_jwk: unknown;
    created_at: Generated<Date>;
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
