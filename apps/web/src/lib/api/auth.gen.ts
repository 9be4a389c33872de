// generated — do not edit. Source: apps/auth-service OpenAPI document. Regenerate: npm run gen:api -w @clinic/web

export interface paths {
    "/api/auth/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public keys that verify access tokens */
        get: operations["getJwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/client-config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Idle logoff, maximum login length and the clinic's time zone, for the web app */
        get: operations["getClientConfig"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/directory": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Active people of the caller's clinic, by name (doctors and admins) */
        get: operations["listDirectory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/directory/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One person of the caller's clinic, active or not (doctors and admins) */
        get: operations["getDirectoryPerson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/invite-token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchange an invite link's token for an access token to that one consultation
         * @description No account and no refresh token: the token (scope `invite`) opens only the invite's appointment and its video call, and expires with the invite at the latest. 404 `INVITE_NOT_FOUND`; 410 `INVITE_REVOKED`, `INVITE_EXPIRED`, `CONSULTATION_ENDED`, `APPOINTMENT_CANCELLED`; 503 `APPOINTMENTS_UNAVAILABLE`.
         */
        post: operations["exchangeInviteToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in with email and password */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End the login the refresh token belongs to
         * @description The token in the body, or the `clinic_refresh` cookie (or both); the cookie is always cleared.
         */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user, as stored now */
        get: operations["getCurrentUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a password with a one-time link's token (ends every login of the person) */
        post: operations["setPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchange a refresh token for new tokens (the presented one is used up)
         * @description The token in the body (answered in the body), or no body and the `clinic_refresh` cookie (answered with a rotated cookie and no refresh_token in the JSON). Neither: 401 NO_REFRESH_TOKEN. Any 401 to a cookie request also clears the cookie.
         */
        post: operations["refreshToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The people of the admin's clinic, by name */
        get: operations["listUsers"];
        put?: never;
        /** Create a person in the admin's clinic; answers their one-time set-password link */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/users/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One person of the admin's clinic */
        get: operations["getUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a person's name, email or role, or deactivate (ending their logins) or reactivate them */
        patch: operations["updateUser"];
        trace?: never;
    };
    "/api/auth/users/{user_id}/password-link": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new one-time set-password link for the person (their earlier unused links stop working) */
        post: operations["createPasswordLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness and dependency status */
        get: operations["getAuthHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/livez": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers (no dependency checked) */
        get: operations["getAuthLiveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the dependencies this instance needs answer */
        get: operations["getAuthReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** User */
        "def-0": {
            clinic_id: string;
            email: string;
            id: string;
            name: string;
            role: "DOCTOR" | "PATIENT" | "ADMIN";
        };
        /** DirectoryUser */
        "def-1": {
            active: boolean;
            clinic_id: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            deactivated_at: string | null;
            email: string;
            /** @description false until the set-password link is used */
            has_password: boolean;
            id: string;
            name: string;
            role: "DOCTOR" | "PATIENT" | "ADMIN";
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getJwks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keys: {
                            alg: string;
                            crv?: string;
                            kid: string;
                            kty: string;
                            /** @enum {string} */
                            use: "sig";
                            x?: string;
                            y?: string;
                        }[];
                    };
                };
            };
        };
    };
    getClientConfig: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description IANA time zone the clinic's dates are shown in, e.g. Europe/Berlin */
                        clinic_time_zone: string;
                        /** @description minutes without activity after which the web app signs out */
                        idle_logoff_min: number;
                        /** @description a login lasts at most this long, activity or not */
                        session_max_hours: number;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    listDirectory: {
        parameters: {
            query: {
                limit: number;
                /** @description part of the name or the email, any case; no control characters */
                q?: string;
                role?: "PATIENT" | "DOCTOR";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        users: {
                            email: string;
                            id: string;
                            name: string;
                            role: "DOCTOR" | "PATIENT" | "ADMIN";
                        }[];
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getDirectoryPerson: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        clinic_id: string;
                        email: string;
                        id: string;
                        name: string;
                        role: "DOCTOR" | "PATIENT" | "ADMIN";
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    exchangeInviteToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description the token of an invite link (the part after /join/) */
                    invite_token: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description scope invite: opens this consultation only; no refresh token */
                        access_token: string;
                        /** @description seconds until the access token expires (never after the invite) */
                        expires_in: number;
                        invite: {
                            /**
                             * @description appt-<uuid>
                             * @example appt-123e4567-e89b-12d3-a456-426614174000
                             */
                            appointment_id: string;
                            doctor_name: string;
                            duration_minutes: number;
                            /** Format: date-time */
                            expires_at: string;
                            /**
                             * @description sess-<uuid>
                             * @example sess-123e4567-e89b-12d3-a456-426614174000
                             */
                            session_id: string | null;
                            /** Format: date-time */
                            start_time: string;
                            status: "SCHEDULED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                        };
                        /** @enum {string} */
                        token_type: "Bearer";
                        user: components["schemas"]["def-0"];
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: email */
                    email: string;
                    /** @description no control characters */
                    password: string;
                    /** @description where the refresh token goes: "body" (default, API clients) in the JSON; "cookie" (the web app) in the HttpOnly cookie `clinic_refresh`, scoped to the refresh and logout paths, and not in the JSON */
                    token_delivery?: "cookie" | "body";
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        access_token: string;
                        /** @description seconds until the access token expires */
                        expires_in: number;
                        /** @description absent when the refresh token was delivered as the `clinic_refresh` cookie */
                        refresh_token?: string;
                        /** @enum {string} */
                        token_type: "Bearer";
                        user: components["schemas"]["def-0"];
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description no control characters */
                    refresh_token?: string;
                };
            };
        };
        responses: {
            /** @description Signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getCurrentUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        clinic_id: string;
                        email: string;
                        id: string;
                        name: string;
                        role: "DOCTOR" | "PATIENT" | "ADMIN";
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    setPassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description no control characters */
                    password: string;
                    /** @description no control characters */
                    token: string;
                };
            };
        };
        responses: {
            /** @description Password set */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    refreshToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description no control characters */
                    refresh_token?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        access_token: string;
                        /** @description seconds until the access token expires */
                        expires_in: number;
                        /** @description absent when the refresh token was delivered as the `clinic_refresh` cookie */
                        refresh_token?: string;
                        /** @enum {string} */
                        token_type: "Bearer";
                        user: components["schemas"]["def-0"];
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    listUsers: {
        parameters: {
            query: {
                active?: boolean;
                limit: number;
                offset: number;
                /** @description part of the name or the email, any case; no control characters */
                q?: string;
                role?: "DOCTOR" | "PATIENT" | "ADMIN";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        limit: number;
                        offset: number;
                        /** @description people matching the filters, over all pages */
                        total: number;
                        users: components["schemas"]["def-1"][];
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: email */
                    email: string;
                    /** @description not blank, no control characters */
                    name: string;
                    role: "DOCTOR" | "PATIENT" | "ADMIN";
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        password_link: {
                            /** Format: date-time */
                            expires_at: string;
                            /** @description the token is in the fragment, so it never reaches a server log */
                            url: string;
                        };
                        user: components["schemas"]["def-1"];
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        clinic_id: string;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        deactivated_at: string | null;
                        email: string;
                        /** @description false until the set-password link is used */
                        has_password: boolean;
                        id: string;
                        name: string;
                        role: "DOCTOR" | "PATIENT" | "ADMIN";
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    updateUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description false: deactivate (every login of the person ends at once); true: reactivate */
                    active?: boolean;
                    /** Format: email */
                    email?: string;
                    /** @description not blank, no control characters */
                    name?: string;
                    role?: "DOCTOR" | "PATIENT" | "ADMIN";
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        clinic_id: string;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        deactivated_at: string | null;
                        email: string;
                        /** @description false until the set-password link is used */
                        has_password: boolean;
                        id: string;
                        name: string;
                        role: "DOCTOR" | "PATIENT" | "ADMIN";
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    createPasswordLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        expires_at: string;
                        /** @description the token is in the fragment, so it never reaches a server log */
                        url: string;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A stable machine code to branch on */
                        code: string;
                        details?: unknown;
                        /** @description A sentence a person can read */
                        error: string;
                        /** @description The HTTP status, repeated */
                        status: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getAuthHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getAuthLiveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "UP";
                    };
                };
            };
        };
    };
    getAuthReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        checks: {
                            [key: string]: "UP" | "DOWN";
                        };
                        /** @enum {string} */
                        status: "UP";
                    };
                };
            };
            /** @description Default Response */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        checks?: {
                            [key: string]: "UP" | "DOWN";
                        };
                        code: string;
                        error: string;
                        status: number;
                    };
                };
            };
        };
    };
}
