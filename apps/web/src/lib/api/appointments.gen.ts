// generated — do not edit. Source: apps/appointments-service OpenAPI document. Regenerate: npm run gen:api -w @clinic/web

export interface paths {
    "/api/appointments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the caller's appointments (doctor: theirs; patient: own; admin: the clinic's) */
        get: operations["listAppointments"];
        put?: never;
        /**
         * Book an appointment (a doctor for themselves, an admin for a doctor of the clinic)
         * @description The patient and the doctor must be active people of the caller's clinic in the auth service's directory (asked with the caller's token); the stored names are the directory's. 400 UNKNOWN_PATIENT, PATIENT_INACTIVE, UNKNOWN_DOCTOR, DOCTOR_INACTIVE; 503 DIRECTORY_UNAVAILABLE.
         */
        post: operations["bookAppointment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/appointments/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One appointment */
        get: operations["getAppointment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/appointments/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a SCHEDULED appointment */
        post: operations["cancelAppointment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/appointments/{id}/invites": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Make an invite link for the appointment's patient (its doctor or a clinic admin)
         * @description The link opens this one consultation without an account until the join window closes; 409 `APPOINTMENT_NOT_INVITABLE` unless the appointment is SCHEDULED or IN_PROGRESS, has video and its window is open.
         */
        post: operations["createInvite"];
        /** Revoke every invite link of the appointment (its doctor or a clinic admin) */
        delete: operations["revokeInvites"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/appointments/{id}/reschedule": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move a SCHEDULED appointment to another time */
        post: operations["rescheduleAppointment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/appointments/invites/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * What an invite link opens (public: the token is the credential)
         * @description 404 `INVITE_NOT_FOUND`; 410 `INVITE_REVOKED`, `INVITE_EXPIRED`, `CONSULTATION_ENDED` or `APPOINTMENT_CANCELLED`; 429 `RATE_LIMITED` per client address.
         */
        post: operations["resolveInvite"];
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
        get: operations["getAppointmentsHealth"];
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
        get: operations["getAppointmentsLiveness"];
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
        get: operations["getAppointmentsReadiness"];
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
        /** Appointment */
        "def-0": {
            /** @enum {string} */
            booking_type: "CLINIC_BASED";
            clinic_id: string;
            consultation_duration_minutes: number | null;
            /** Format: date-time */
            created_at: string;
            doctor_id: string;
            doctor_name: string;
            duration_minutes: number;
            /**
             * @description appt-<uuid>
             * @example appt-123e4567-e89b-12d3-a456-426614174000
             */
            id: string;
            patient_id: string;
            patient_name: string;
            /**
             * @description sess-<uuid>
             * @example sess-123e4567-e89b-12d3-a456-426614174000
             */
            session_id: string | null;
            /** Format: date-time */
            start_time: string;
            status: "SCHEDULED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
            /** Format: date-time */
            updated_at: string;
            video_enabled: boolean;
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
    listAppointments: {
        parameters: {
            query: {
                from?: string;
                limit: number;
                offset: number;
                /** @description repeat to match any of several */
                status?: ("SCHEDULED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED")[];
                to?: string;
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
                        appointments: components["schemas"]["def-0"][];
                        limit: number;
                        offset: number;
                        /** @description appointments matching the filters, over all pages */
                        total: number;
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
    bookAppointment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    doctor_id?: string;
                    /**
                     * @deprecated
                     * @description Ignored: the doctor's name is taken from the clinic's directory (accepted for older clients); not blank, no control characters
                     */
                    doctor_name?: string;
                    duration_minutes: number;
                    patient_id: string;
                    /**
                     * @deprecated
                     * @description Ignored: the patient's name is taken from the clinic's directory (accepted for older clients); not blank, no control characters
                     */
                    patient_name?: string;
                    /** Format: date-time */
                    start_time: string;
                    /** @default true */
                    video_enabled: boolean;
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
                        /** @enum {string} */
                        booking_type: "CLINIC_BASED";
                        clinic_id: string;
                        consultation_duration_minutes: number | null;
                        /** Format: date-time */
                        created_at: string;
                        doctor_id: string;
                        doctor_name: string;
                        duration_minutes: number;
                        /**
                         * @description appt-<uuid>
                         * @example appt-123e4567-e89b-12d3-a456-426614174000
                         */
                        id: string;
                        patient_id: string;
                        patient_name: string;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string | null;
                        /** Format: date-time */
                        start_time: string;
                        status: "SCHEDULED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                        /** Format: date-time */
                        updated_at: string;
                        video_enabled: boolean;
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
    getAppointment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description appt-<uuid>
                 * @example appt-123e4567-e89b-12d3-a456-426614174000
                 */
                id: string;
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
                        /** @enum {string} */
                        booking_type: "CLINIC_BASED";
                        clinic_id: string;
                        consultation_duration_minutes: number | null;
                        /** Format: date-time */
                        created_at: string;
                        doctor_id: string;
                        doctor_name: string;
                        duration_minutes: number;
                        /**
                         * @description appt-<uuid>
                         * @example appt-123e4567-e89b-12d3-a456-426614174000
                         */
                        id: string;
                        patient_id: string;
                        patient_name: string;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string | null;
                        /** Format: date-time */
                        start_time: string;
                        status: "SCHEDULED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                        /** Format: date-time */
                        updated_at: string;
                        video_enabled: boolean;
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
    cancelAppointment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description appt-<uuid>
                 * @example appt-123e4567-e89b-12d3-a456-426614174000
                 */
                id: string;
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
                        /** @enum {string} */
                        booking_type: "CLINIC_BASED";
                        clinic_id: string;
                        consultation_duration_minutes: number | null;
                        /** Format: date-time */
                        created_at: string;
                        doctor_id: string;
                        doctor_name: string;
                        duration_minutes: number;
                        /**
                         * @description appt-<uuid>
                         * @example appt-123e4567-e89b-12d3-a456-426614174000
                         */
                        id: string;
                        patient_id: string;
                        patient_name: string;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string | null;
                        /** Format: date-time */
                        start_time: string;
                        status: "SCHEDULED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                        /** Format: date-time */
                        updated_at: string;
                        video_enabled: boolean;
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
    createInvite: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description appt-<uuid>
                 * @example appt-123e4567-e89b-12d3-a456-426614174000
                 */
                id: string;
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
                        /**
                         * Format: date-time
                         * @description the end of the appointment's join window (start + duration + INVITE_GRACE_AFTER_MIN)
                         */
                        expires_at: string;
                        /** @description <PUBLIC_WEB_URL>/join/<token>; shown once, only its hash is stored */
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
    revokeInvites: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description appt-<uuid>
                 * @example appt-123e4567-e89b-12d3-a456-426614174000
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
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
    rescheduleAppointment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description appt-<uuid>
                 * @example appt-123e4567-e89b-12d3-a456-426614174000
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    duration_minutes?: number;
                    /** Format: date-time */
                    start_time: string;
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
                        /** @enum {string} */
                        booking_type: "CLINIC_BASED";
                        clinic_id: string;
                        consultation_duration_minutes: number | null;
                        /** Format: date-time */
                        created_at: string;
                        doctor_id: string;
                        doctor_name: string;
                        duration_minutes: number;
                        /**
                         * @description appt-<uuid>
                         * @example appt-123e4567-e89b-12d3-a456-426614174000
                         */
                        id: string;
                        patient_id: string;
                        patient_name: string;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string | null;
                        /** Format: date-time */
                        start_time: string;
                        status: "SCHEDULED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                        /** Format: date-time */
                        updated_at: string;
                        video_enabled: boolean;
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
    resolveInvite: {
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
                    token: string;
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
                        /**
                         * @description appt-<uuid>
                         * @example appt-123e4567-e89b-12d3-a456-426614174000
                         */
                        appointment_id: string;
                        clinic_id: string;
                        doctor_id: string;
                        doctor_name: string;
                        duration_minutes: number;
                        /**
                         * Format: date-time
                         * @description from the appointment's current start and duration: a reschedule moves it
                         */
                        expires_at: string;
                        /** Format: uuid */
                        invite_id: string;
                        /** Format: date-time */
                        issued_at?: string;
                        patient_id: string;
                        patient_name: string;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string | null;
                        /** Format: date-time */
                        start_time: string;
                        status: "SCHEDULED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
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
        };
    };
    getAppointmentsHealth: {
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
    getAppointmentsLiveness: {
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
    getAppointmentsReadiness: {
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
