// generated — do not edit. Source: apps/video-service OpenAPI document. Regenerate: npm run gen:api -w @clinic/web

export interface paths {
    "/api/video/metrics/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Attendee-minutes of the caller's clinic in a month (default: this month, UTC) */
        get: operations["getUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List sessions (doctor: own; admin: the clinic's, read-only) */
        get: operations["listSessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{appointment_id}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start the video session of an appointment (creates the meeting) */
        post: operations["startSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{session_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Session details with attendees
         * @description Patients and admins receive the same shape without `notes` and `quality_rating`.
         */
        get: operations["getSession"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{session_id}/end": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End the session for everyone; the appointment becomes COMPLETED */
        post: operations["endSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{session_id}/join": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Join (or rejoin) a session in progress: a fresh attendee and join token */
        post: operations["joinSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{session_id}/notes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Add or update notes and rating after the session ended (doctor only) */
        put: operations["updateSessionNotes"];
        post?: never;
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
        /** Liveness; database status decides */
        get: operations["getVideoHealth"];
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
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getUsage: {
        parameters: {
            query?: {
                /** @description YYYY-MM */
                month?: string;
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
                        clinic_id: string;
                        free_tier_limit: number;
                        month: string;
                        remaining_minutes: number;
                        sessions: {
                            /** @description one decimal */
                            attendee_minutes: number;
                            /** @description distinct people who connected */
                            attendees: number;
                            /** @description the session's length (start to end, or to now while in progress), one decimal */
                            duration_minutes: number;
                            patient_name: string;
                            /**
                             * @description sess-<uuid>
                             * @example sess-123e4567-e89b-12d3-a456-426614174000
                             */
                            session_id: string;
                            /** Format: date-time */
                            start_time: string | null;
                        }[];
                        status: "HEALTHY" | "WARNING" | "CRITICAL" | "EXCEEDED";
                        total_attendee_minutes: number;
                        total_sessions: number;
                        usage_percentage: number;
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
    listSessions: {
        parameters: {
            query: {
                limit: number;
                offset: number;
                sort: "created_at" | "start_time";
                status?: "CREATED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
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
                        sessions: {
                            /**
                             * @description appt-<uuid>
                             * @example appt-123e4567-e89b-12d3-a456-426614174000
                             */
                            appointment_id: string;
                            /** @enum {string} */
                            booking_type: "CLINIC_BASED";
                            chime_meeting_id: string | null;
                            clinic_id: string;
                            /** Format: date-time */
                            created_at: string;
                            doctor_id: string;
                            /** Format: date-time */
                            end_time: string | null;
                            patient_id: string;
                            patient_name: string;
                            scheduled_duration_minutes: number;
                            /** Format: date-time */
                            scheduled_start_time: string;
                            /**
                             * @description sess-<uuid>
                             * @example sess-123e4567-e89b-12d3-a456-426614174000
                             */
                            session_id: string;
                            /** Format: date-time */
                            start_time: string;
                            status: "CREATED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                            /** Format: date-time */
                            updated_at: string;
                        }[];
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
    startSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description appt-<uuid>
                 * @example appt-123e4567-e89b-12d3-a456-426614174000
                 */
                appointment_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    booking_type: "CLINIC_BASED";
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
                        aws_media_urls: {
                            audio_host_url: string;
                            signaling_url: string;
                            video_host_url: string;
                        };
                        chime?: {
                            Attendee: unknown;
                            Meeting: unknown;
                        };
                        chime_meeting_id: string;
                        /** Format: date-time */
                        created_at: string;
                        doctor_attendee: {
                            attendee_id: string;
                            email: string;
                            external_user_id: string;
                            /** @description Short-lived; authenticates the media/signalling connection */
                            join_token: string;
                        };
                        ice_servers: {
                            credential?: string;
                            urls: string | string[];
                            username?: string;
                        }[];
                        media_provider: "embedded" | "chime";
                        meeting_id: string;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
                        /** Format: date-time */
                        start_time: string;
                        status: "CREATED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
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
            502: {
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
    getSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description sess-<uuid>
                 * @example sess-123e4567-e89b-12d3-a456-426614174000
                 */
                session_id: string;
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
                        /**
                         * @description appt-<uuid>
                         * @example appt-123e4567-e89b-12d3-a456-426614174000
                         */
                        appointment_id: string;
                        attendees: {
                            attendee_id: string;
                            /** Format: date-time */
                            join_time: string | null;
                            /** Format: date-time */
                            leave_time: string | null;
                            name: string;
                            status: "JOINING" | "CONNECTED" | "LEFT" | "REPLACED";
                            user_type: "DOCTOR" | "PATIENT";
                        }[];
                        /** @enum {string} */
                        booking_type: "CLINIC_BASED";
                        chime_meeting_id: string | null;
                        clinic_id: string;
                        /** Format: date-time */
                        created_at: string;
                        doctor_id: string;
                        duration_seconds: number;
                        /** Format: date-time */
                        end_time: string | null;
                        notes: string | null;
                        patient_id: string;
                        patient_name: string;
                        quality_rating: number | null;
                        scheduled_duration_minutes: number;
                        /** Format: date-time */
                        scheduled_start_time: string;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
                        /** Format: date-time */
                        start_time: string | null;
                        status: "CREATED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                        /** Format: date-time */
                        updated_at: string;
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
    endSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description sess-<uuid>
                 * @example sess-123e4567-e89b-12d3-a456-426614174000
                 */
                session_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    notes?: string;
                    quality_rating?: number;
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
                        /** @enum {string} */
                        appointment_status: "COMPLETED";
                        /** Format: date-time */
                        created_at: string;
                        duration_minutes: number;
                        duration_seconds: number;
                        /** Format: date-time */
                        end_time: string;
                        notes: string | null;
                        quality_rating: number | null;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
                        /** Format: date-time */
                        start_time: string;
                        status: "CREATED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                        /** Format: date-time */
                        updated_at: string;
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
    joinSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description sess-<uuid>
                 * @example sess-123e4567-e89b-12d3-a456-426614174000
                 */
                session_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    browser_info?: string;
                    device_info?: string;
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
                        attendee: {
                            attendee_id: string;
                            external_user_id: string;
                            /** @description Short-lived; authenticates the media/signalling connection */
                            join_token: string;
                        };
                        attendees: {
                            attendee_id: string;
                            /** Format: date-time */
                            join_time: string | null;
                            /** Format: date-time */
                            leave_time: string | null;
                            name: string;
                            status: "JOINING" | "CONNECTED" | "LEFT" | "REPLACED";
                            user_type: "DOCTOR" | "PATIENT";
                        }[];
                        aws_media_urls: {
                            audio_host_url: string;
                            signaling_url: string;
                            video_host_url: string;
                        };
                        chime?: {
                            Attendee: unknown;
                            Meeting: unknown;
                        };
                        ice_servers: {
                            credential?: string;
                            urls: string | string[];
                            username?: string;
                        }[];
                        media_provider: "embedded" | "chime";
                        meeting_id: string;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
                        session_status: "CREATED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
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
            /** @description Default Response */
            502: {
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
    updateSessionNotes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description sess-<uuid>
                 * @example sess-123e4567-e89b-12d3-a456-426614174000
                 */
                session_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    notes?: string;
                    quality_rating?: number;
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
                        notes: string | null;
                        quality_rating: number | null;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
                        /** Format: date-time */
                        updated_at: string;
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
    getVideoHealth: {
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
}
