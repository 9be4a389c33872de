// generated — do not edit. Source: apps/video-service OpenAPI document. Regenerate: npm run gen:api -w @clinic/web

export interface paths {
    "/api/video/connectivity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * ICE servers for the pre-call connectivity check (a short-lived TURN credential when configured)
         * @description 429 `TOO_MANY_CONNECTIVITY_CHECKS` (with Retry-After) past 30 checks a minute per user.
         */
        get: operations["getConnectivity"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/consent-text": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's clinic's telehealth consent text (version 0: the built-in default) */
        get: operations["getConsentText"];
        /** Replace the clinic's consent text with a new version (clinic admin only) */
        put: operations["updateConsentText"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/metrics/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Attendee-minutes in a month of the clinic's time zone (default: this month)
         * @description An ADMIN gets the clinic's figures; a DOCTOR only their own sessions' (every figure, the percentage being the share of the clinic's free tier those sessions used); a PATIENT is refused (403). Months and days are calendar months and days in `time_zone` (CLINIC_TIME_ZONE). `sessions` is one page (`limit`, default 50, at most 200, from `offset`), newest start first; `total_sessions` counts all of them and every other figure covers the whole month.
         */
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
    "/api/video/sessions/{session_id}/attendees/{attendee_id}/admit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Let a waiting patient into the call (the session's doctor only)
         * @description Admission is per person: a rejoin keeps it. Admitting someone already admitted answers their admission.
         */
        post: operations["admitAttendee"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{session_id}/attendees/{attendee_id}/media-credentials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's own Chime attendee (with its JoinToken), once admitted (MEDIA_PROVIDER=chime)
         * @description A join while waiting for the doctor answers `chime.Attendee: null`; once the signalling socket says `admitted`, the browser asks here. Only the caller's own attendee (403 otherwise), only while the session is in progress (409), 403 `NOT_ADMITTED` while waiting, 403 `PARTICIPANT_REMOVED` after a removal, 409 `ATTENDEE_REPLACED` for an entry a newer join replaced, 409 `NOT_CHIME_SESSION` for an embedded session.
         */
        get: operations["getMediaCredentials"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{session_id}/attendees/{attendee_id}/mute": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask a participant's browser to mute its microphone (the session's doctor only)
         * @description A request, not a forced mute: the participant's browser mutes its microphone and tells them the doctor did; they may unmute again. 409 `CANNOT_MUTE_SELF`, `ATTENDEE_NOT_IN_CALL`, or the session is not in progress.
         */
        post: operations["muteAttendee"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{session_id}/attendees/{attendee_id}/remove": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Remove a participant from the call (the session's doctor only)
         * @description The person's connections close (WebSocket code 4411 after a `removed` message), their join tokens stop working, and under Chime their attendee is deleted at the provider. They cannot join this session again without an invite issued after the removal (`403 PARTICIPANT_REMOVED`). 409 `CANNOT_REMOVE_SELF`, or the session is not in progress.
         */
        post: operations["removeAttendee"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{session_id}/consent": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The session's patient gives or declines telehealth consent to the text version they were shown
         * @description 409 `CONSENT_TEXT_OUTDATED` (with `current_version`) when the clinic's text changed since; 409 on a completed or cancelled session.
         */
        post: operations["recordConsent"];
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
    "/api/video/sessions/{session_id}/fhir/DocumentReference": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The doctor's notes of the completed session as a FHIR R4 DocumentReference (the doctor only)
         * @description A LOINC 11488-4 consult note; the notes are its attachment (text/plain, base64). 409 until the session is COMPLETED, 404 `NOTES_NOT_FOUND` without notes.
         */
        get: operations["getSessionNotesDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{session_id}/fhir/Encounter": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The completed session as a FHIR R4 Encounter (doctor of the session or clinic admin)
         * @description No notes. The patient's telehealth consent, when answered, is a contained Consent referenced by an extension. 409 until the session is COMPLETED.
         */
        get: operations["getSessionEncounter"];
        put?: never;
        post?: never;
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
        /**
         * Add or update notes and rating after the session ended (doctor only)
         * @description The rating is optional: left out it stays as it was, null clears it. Deletes the notes draft.
         */
        put: operations["updateSessionNotes"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{session_id}/notes/draft": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The doctor's notes draft, or the saved notes when there is none (doctor only) */
        get: operations["getNotesDraft"];
        /**
         * Save the notes draft while the session is in progress or after it ended (doctor only)
         * @description Replaces the draft whole. The session's `notes` stay the saved ones until `PUT /notes`, which deletes the draft.
         */
        put: operations["saveNotesDraft"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{session_id}/quality": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The caller's own side's call-quality summary (the session's doctor or patient)
         * @description Accepted while the session is in progress and for 10 minutes after it ended (409 `QUALITY_REPORT_CLOSED` later). One report per side: sending again replaces it.
         */
        post: operations["reportCallQuality"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/sessions/{session_id}/waiting-room": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Turn auto-admit on or off for the session (the session's doctor only)
         * @description With auto-admit on, the patient joins without waiting for Admit; turning it on admits whoever waits.
         */
        put: operations["updateWaitingRoom"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The clinic's webhook endpoints with their delivery summary (clinic admin; no secrets) */
        get: operations["listWebhooks"];
        put?: never;
        /** Register a webhook endpoint (clinic admin); the signing secret is shown in this answer only */
        post: operations["createWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/webhooks/{webhook_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a webhook endpoint; its pending deliveries are not sent */
        delete: operations["deleteWebhook"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/video/webhooks/{webhook_id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Deliveries of one endpoint, newest first: status, attempts, next attempt, last error */
        get: operations["listWebhookDeliveries"];
        put?: never;
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
    "/livez": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers (no dependency checked) */
        get: operations["getVideoLiveness"];
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
        get: operations["getVideoReadiness"];
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
    getConnectivity: {
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
                        /** @description The configured STUN/TURN servers plus, with TURN_URLS (embedded), a TURN entry for this check only (username `<expiry unix s>:check-<n>`, n the id of the check's audit row), valid at most 60 s. Empty under Chime. */
                        ice_servers: {
                            credential?: string;
                            urls: string | string[];
                            username?: string;
                        }[];
                        /** @description the browser's iceTransportPolicy: relay = media only through the TURN relay; always all under Chime */
                        ice_transport_policy: "all" | "relay";
                        media_provider: "embedded" | "chime";
                        /** @description True when calls can use the clinic's TURN relay (TURN_URLS set, embedded): the check then tries an allocation */
                        relay_configured: boolean;
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
    getConsentText: {
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
                        /** @description Whether a patient must answer before joining (false when the service runs with TELEHEALTH_CONSENT=off) */
                        required: boolean;
                        text: string;
                        /**
                         * Format: date-time
                         * @description null for the built-in default (version 0)
                         */
                        updated_at: string | null;
                        version: number;
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
    updateConsentText: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The consent text patients read; newlines and tabs allowed, no other control characters */
                    text: string;
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
                        clinic_id: string;
                        /** @description Whether a patient must answer before joining (false when the service runs with TELEHEALTH_CONSENT=off) */
                        required: boolean;
                        text: string;
                        /**
                         * Format: date-time
                         * @description null for the built-in default (version 0)
                         */
                        updated_at: string | null;
                        version: number;
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
    getUsage: {
        parameters: {
            query: {
                /** @description Sessions per page of `sessions` (the totals always cover the whole month) */
                limit: number;
                /** @description YYYY-MM, a calendar month in the clinic's time zone (CLINIC_TIME_ZONE); default: the current one */
                month?: string;
                /** @description Sessions to skip (newest start first, then by session id) */
                offset: number;
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
                        /** @description The clinic's own free-tier status this month, whoever asks: what USAGE_LIMIT_POLICY=block stops new calls on. For an admin the same as status; a doctor's status counts only their own sessions */
                        clinic_status: "HEALTHY" | "WARNING" | "CRITICAL" | "EXCEEDED";
                        /** @description Attendee-minutes per day (in time_zone) of the month, every day present */
                        daily: {
                            attendee_minutes: number;
                            /** Format: date */
                            date: string;
                        }[];
                        /**
                         * Format: date
                         * @description Day (in time_zone) the free tier was or is projected to be exceeded this month; null if not
                         */
                        forecast_exceeds_on: string | null;
                        /** @description Projected attendee-minutes at month end: the average daily rate so far carried over the days left */
                        forecast_minutes: number;
                        forecast_status: "HEALTHY" | "WARNING" | "CRITICAL" | "EXCEEDED";
                        free_tier_limit: number;
                        /** @description Page size of `sessions` (as asked, default 50) */
                        limit: number;
                        /** @description YYYY-MM in time_zone */
                        month: string;
                        /** @description Sessions skipped before this page */
                        offset: number;
                        remaining_minutes: number;
                        /** @description One page: `limit` sessions from `offset`, newest start first (then by session id); `total_sessions` counts them all */
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
                        /** @description IANA time zone (CLINIC_TIME_ZONE) whose calendar months and days the figures are counted in */
                        time_zone: string;
                        total_attendee_minutes: number;
                        /** @description Sessions with usage in the month (all pages of `sessions`) */
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
                            /** @description null while this person waits for the doctor to admit them (waiting room): once admitted, GET /api/video/sessions/{session_id}/attendees/{attendee_id}/media-credentials answers it. The doctor, an admitted patient and one auto-admitted get it here. */
                            Attendee: ({
                                AttendeeId: string;
                                ExternalUserId: string;
                                JoinToken: string;
                            } & {
                                [key: string]: unknown;
                            }) | null;
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
                        /** @description RTCIceServer list for the browser (embedded): the configured STUN/TURN servers plus, with TURN_URLS, this attendee's own TURN entry (username `<expiry unix s>:<attendee_id>`, credential base64(HMAC-SHA1(secret, username)), valid TURN_TTL_S); fetch again on every (re)join. Empty under Chime. */
                        ice_servers: {
                            credential?: string;
                            urls: string | string[];
                            username?: string;
                        }[];
                        /** @description the browser's iceTransportPolicy: relay = media only through the TURN relay; always all under Chime */
                        ice_transport_policy: "all" | "relay";
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
                        /** @description The patient's latest telehealth consent answer; null while none was given */
                        consent: {
                            /** Format: date-time */
                            decided_at: string;
                            decision: "GIVEN" | "DECLINED";
                            text_version: number;
                        } | null;
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
                        quality_reports: {
                            /** @description Seconds in audio-only mode because the link was weak */
                            audio_only_seconds: number;
                            /** @description Seconds this side was in the call */
                            call_seconds: number;
                            /** @description Median bitrate this side received (kbit/s) */
                            incoming_kbps_median: number | null;
                            /** @description Median bitrate this side sent (kbit/s) */
                            outgoing_kbps_median: number | null;
                            /** @description Packets lost of those sent to this side, whole call (%) */
                            packet_loss_pct: number | null;
                            /** @description Seconds the media went through a TURN relay */
                            relay_seconds: number;
                            /** Format: date-time */
                            reported_at: string;
                            /** @description Median round-trip time (ms); null: never measured */
                            rtt_ms_median: number | null;
                            /** @description The video resolution sent most often, e.g. 1280x720; null: no video sent */
                            sent_resolution: string | null;
                            side: "DOCTOR" | "PATIENT";
                        }[];
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
    admitAttendee: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                attendee_id: string;
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
                        /** Format: date-time */
                        admitted_at: string;
                        admitted_by: string;
                        attendee_id: string;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
                        user_id: string;
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
    getMediaCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                attendee_id: string;
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
                        attendee_id: string;
                        chime: {
                            Attendee: {
                                AttendeeId: string;
                                ExternalUserId: string;
                                JoinToken: string;
                            } & {
                                [key: string]: unknown;
                            };
                            Meeting: unknown;
                        };
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
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
    muteAttendee: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                attendee_id: string;
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
                "application/json": Record<string, never>;
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
                        attendee_id: string;
                        /** Format: date-time */
                        requested_at: string;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
                        /** @enum {string} */
                        status: "REQUESTED";
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
    removeAttendee: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                attendee_id: string;
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
                "application/json": Record<string, never>;
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
                        attendee_id: string;
                        /** Format: date-time */
                        removed_at: string;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
                        /** @enum {string} */
                        status: "REMOVED";
                        user_id: string;
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
    recordConsent: {
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
                    decision: "GIVEN" | "DECLINED";
                    /** @description The version of the consent text the patient was shown (GET /consent-text) */
                    text_version: number;
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
                        /** Format: date-time */
                        decided_at: string;
                        decision: "GIVEN" | "DECLINED";
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
                        text_version: number;
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
                    /** @description At most 500 characters; no control characters except tab and line breaks */
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
    getSessionNotesDocument: {
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
            /** @description A FHIR R4 DocumentReference */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/fhir+json": {
                        content: ({
                            attachment: {
                                contentType: string;
                                /** @description The notes, UTF-8, base64 */
                                data: string;
                            } & {
                                [key: string]: unknown;
                            };
                        } & {
                            [key: string]: unknown;
                        })[];
                        context: {
                            [key: string]: unknown;
                        };
                        /** @description <session id>-notes */
                        id: string;
                        /** @enum {string} */
                        resourceType: "DocumentReference";
                        /** @enum {string} */
                        status: "current";
                        subject: {
                            reference?: string;
                        } & {
                            [key: string]: unknown;
                        };
                    } & {
                        [key: string]: unknown;
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
    getSessionEncounter: {
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
            /** @description A FHIR R4 Encounter */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/fhir+json": {
                        appointment: ({
                            reference?: string;
                        } & {
                            [key: string]: unknown;
                        })[];
                        class: {
                            /** @enum {string} */
                            code: "VR";
                            display: string;
                            system: string;
                        };
                        /** @description The telehealth Consent (id `consent`) when the patient answered */
                        contained?: {
                            [key: string]: unknown;
                        }[];
                        extension?: {
                            [key: string]: unknown;
                        }[];
                        /** @description The session id */
                        id: string;
                        identifier: ({
                            system: string;
                            value: string;
                        } & {
                            [key: string]: unknown;
                        })[];
                        length: {
                            /** @enum {string} */
                            code: "min";
                            /** @enum {string} */
                            system: "http://unitsofmeasure.org";
                            /** @enum {string} */
                            unit: "min";
                            value: number;
                        };
                        participant: {
                            [key: string]: unknown;
                        }[];
                        period: {
                            end: string;
                            start: string;
                        };
                        /** @enum {string} */
                        resourceType: "Encounter";
                        serviceProvider: {
                            reference?: string;
                        } & {
                            [key: string]: unknown;
                        };
                        /** @enum {string} */
                        status: "finished";
                        subject: {
                            reference?: string;
                        } & {
                            [key: string]: unknown;
                        };
                    } & {
                        [key: string]: unknown;
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
                    /** @description no control characters */
                    browser_info?: string;
                    /** @description no control characters */
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
                            /** @description null while this person waits for the doctor to admit them (waiting room): once admitted, GET /api/video/sessions/{session_id}/attendees/{attendee_id}/media-credentials answers it. The doctor, an admitted patient and one auto-admitted get it here. */
                            Attendee: ({
                                AttendeeId: string;
                                ExternalUserId: string;
                                JoinToken: string;
                            } & {
                                [key: string]: unknown;
                            }) | null;
                            Meeting: unknown;
                        };
                        /** @description RTCIceServer list for the browser (embedded): the configured STUN/TURN servers plus, with TURN_URLS, this attendee's own TURN entry (username `<expiry unix s>:<attendee_id>`, credential base64(HMAC-SHA1(secret, username)), valid TURN_TTL_S); fetch again on every (re)join. Empty under Chime. */
                        ice_servers: {
                            credential?: string;
                            urls: string | string[];
                            username?: string;
                        }[];
                        /** @description the browser's iceTransportPolicy: relay = media only through the TURN relay; always all under Chime */
                        ice_transport_policy: "all" | "relay";
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
                    /** @description At most 500 characters; no control characters except tab and line breaks */
                    notes?: string;
                    /** @description 1–5 stars; null: not rated */
                    quality_rating?: number | null;
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
    getNotesDraft: {
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
                        notes: string;
                        quality_rating: number | null;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
                        /** @description draft: the working copy; saved: no draft, the session's saved notes; empty: neither */
                        source: "draft" | "saved" | "empty";
                        /** Format: date-time */
                        updated_at: string | null;
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
    saveNotesDraft: {
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
                    /** @description At most 500 characters; no control characters except tab and line breaks */
                    notes: string;
                    /** @description 1–5 stars; null: not rated */
                    quality_rating?: number | null;
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
                        notes: string;
                        quality_rating: number | null;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
                        /** @description draft: the working copy; saved: no draft, the session's saved notes; empty: neither */
                        source: "draft" | "saved" | "empty";
                        /** Format: date-time */
                        updated_at: string | null;
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
    reportCallQuality: {
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
                    /** @description Seconds in audio-only mode because the link was weak */
                    audio_only_seconds: number;
                    /** @description Seconds this side was in the call */
                    call_seconds: number;
                    /** @description Median bitrate this side received (kbit/s) */
                    incoming_kbps_median: number | null;
                    /** @description Median bitrate this side sent (kbit/s) */
                    outgoing_kbps_median: number | null;
                    /** @description Packets lost of those sent to this side, whole call (%) */
                    packet_loss_pct: number | null;
                    /** @description Seconds the media went through a TURN relay */
                    relay_seconds: number;
                    /** @description Median round-trip time (ms); null: never measured */
                    rtt_ms_median: number | null;
                    /** @description The video resolution sent most often, e.g. 1280x720; null: no video sent */
                    sent_resolution: string | null;
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
                        /** @description Seconds in audio-only mode because the link was weak */
                        audio_only_seconds: number;
                        /** @description Seconds this side was in the call */
                        call_seconds: number;
                        /** @description Median bitrate this side received (kbit/s) */
                        incoming_kbps_median: number | null;
                        /** @description Median bitrate this side sent (kbit/s) */
                        outgoing_kbps_median: number | null;
                        /** @description Packets lost of those sent to this side, whole call (%) */
                        packet_loss_pct: number | null;
                        /** @description Seconds the media went through a TURN relay */
                        relay_seconds: number;
                        /** Format: date-time */
                        reported_at: string;
                        /** @description Median round-trip time (ms); null: never measured */
                        rtt_ms_median: number | null;
                        /** @description The video resolution sent most often, e.g. 1280x720; null: no video sent */
                        sent_resolution: string | null;
                        side: "DOCTOR" | "PATIENT";
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
    updateWaitingRoom: {
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
                    /** @description Let the appointment's patient in without waiting for Admit */
                    auto_admit: boolean;
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
                        admitted_attendee_ids: string[];
                        auto_admit: boolean;
                        /**
                         * @description sess-<uuid>
                         * @example sess-123e4567-e89b-12d3-a456-426614174000
                         */
                        session_id: string;
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
    listWebhooks: {
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
                        webhooks: {
                            /** Format: date-time */
                            created_at: string;
                            deliveries: {
                                delivered: number;
                                failed: number;
                                /** Format: date-time */
                                last_failure_at: string | null;
                                last_failure_error: string | null;
                                /** @description the receiver's HTTP status; null for a timeout, refused address or network error */
                                last_failure_status_code: number | null;
                                pending: number;
                            };
                            events: ("session.started" | "session.ended" | "session.notes_updated" | "usage.threshold_crossed")[];
                            /**
                             * @description whk-<uuid>
                             * @example whk-123e4567-e89b-12d3-a456-426614174000
                             */
                            id: string;
                            url: string;
                        }[];
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
    createWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    events: ("session.started" | "session.ended" | "session.notes_updated" | "usage.threshold_crossed")[];
                    /**
                     * @description https (http outside production); no credentials; a public address (see README); no control characters
                     * @example https://ehr.example.org/hooks/video
                     */
                    url: string;
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
                        /** Format: date-time */
                        created_at: string;
                        events: ("session.started" | "session.ended" | "session.notes_updated" | "usage.threshold_crossed")[];
                        /**
                         * @description whk-<uuid>
                         * @example whk-123e4567-e89b-12d3-a456-426614174000
                         */
                        id: string;
                        /** @description whsec_<base64 of 32 random bytes>: shown once, keep it; it verifies every delivery */
                        secret: string;
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
        };
    };
    deleteWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description whk-<uuid>
                 * @example whk-123e4567-e89b-12d3-a456-426614174000
                 */
                webhook_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
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
    listWebhookDeliveries: {
        parameters: {
            query: {
                limit: number;
                offset: number;
            };
            header?: never;
            path: {
                /**
                 * @description whk-<uuid>
                 * @example whk-123e4567-e89b-12d3-a456-426614174000
                 */
                webhook_id: string;
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
                        /** @description newest first */
                        deliveries: {
                            attempts: number;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            delivered_at: string | null;
                            /**
                             * @description session.started | session.ended | session.notes_updated | usage.threshold_crossed
                             * @enum {unknown}
                             */
                            event_type: "session.started" | "session.ended" | "session.notes_updated" | "usage.threshold_crossed";
                            /** Format: date-time */
                            failed_at: string | null;
                            /** Format: date-time */
                            last_attempt_at: string | null;
                            last_error: string | null;
                            last_status_code: number | null;
                            /** @description msg_<random>: sent as the `webhook-id` header, the same on every attempt */
                            message_id: string;
                            /** Format: date-time */
                            next_attempt_at: string | null;
                            status: "PENDING" | "DELIVERED" | "FAILED";
                        }[];
                        limit: number;
                        offset: number;
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
    getVideoLiveness: {
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
    getVideoReadiness: {
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
