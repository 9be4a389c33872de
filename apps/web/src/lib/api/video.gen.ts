// generated — do not edit. Source: scripts/guide-openapi.mjs (service not built yet). Regenerate: npm run gen:api -w @clinic/web

export interface paths {
    "/api/video/metrics/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    month?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            free_tier_limit: number;
                            month: string;
                            remaining_minutes: number;
                            sessions: {
                                attendee_minutes: number;
                                attendees: number;
                                duration_minutes: number;
                                patient_name: string;
                                session_id: string;
                                start_time: string | null;
                            }[];
                            /** @enum {string} */
                            status: "HEALTHY" | "WARNING" | "CRITICAL" | "EXCEEDED";
                            total_attendee_minutes: number;
                            total_sessions: number;
                            usage_percentage: number;
                        };
                    };
                };
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    offset?: number;
                    sort?: "created_at" | "start_time";
                    status?: "CREATED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            limit: number;
                            offset: number;
                            sessions: {
                                appointment_id: string;
                                booking_type: string;
                                chime_meeting_id: string | null;
                                clinic_id: string;
                                created_at: string;
                                doctor_id: string;
                                end_time: string | null;
                                patient_id: string;
                                patient_name: string;
                                session_id: string;
                                start_time: string | null;
                                /** @enum {string} */
                                status: "CREATED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                                updated_at: string;
                            }[];
                            total: number;
                        };
                    };
                };
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    appointment_id: string;
                };
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        booking_type: "CLINIC_BASED";
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            appointment_id: string;
                            aws_media_urls: {
                                audio_host_url: string;
                                signaling_url: string;
                                video_host_url: string;
                            };
                            chime?: {
                                Attendee: Record<string, never>;
                                Meeting: Record<string, never>;
                            };
                            chime_meeting_id: string;
                            created_at: string;
                            doctor_attendee: {
                                attendee_id: string;
                                email: string;
                                external_user_id: string;
                                join_token: string;
                            };
                            ice_servers?: {
                                credential?: string;
                                urls: string | string[];
                                username?: string;
                            }[];
                            /** @enum {string} */
                            media_provider: "embedded" | "chime";
                            session_id: string;
                            /** @enum {string} */
                            status: "CREATED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                        };
                    };
                };
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    session_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            appointment_id: string;
                            attendees: {
                                attendee_id: string;
                                join_time: string | null;
                                leave_time?: string | null;
                                name: string;
                                /** @enum {string} */
                                status: "JOINING" | "CONNECTED" | "LEFT" | "REPLACED";
                                /** @enum {string} */
                                user_type: "DOCTOR" | "PATIENT";
                            }[];
                            booking_type: string;
                            chime_meeting_id: string | null;
                            created_at: string;
                            doctor_id: string;
                            duration_seconds: number | null;
                            end_time: string | null;
                            notes?: string | null;
                            patient_id: string;
                            patient_name: string;
                            quality_rating?: number | null;
                            session_id: string;
                            start_time: string | null;
                            /** @enum {string} */
                            status: "CREATED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                            updated_at: string;
                        };
                    };
                };
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    session_id: string;
                };
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": {
                        notes?: string;
                        quality_rating?: number;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            appointment_id: string;
                            appointment_status: string;
                            created_at: string;
                            duration_minutes: number;
                            end_time: string | null;
                            notes: string | null;
                            quality_rating: number | null;
                            session_id: string;
                            start_time: string | null;
                            /** @enum {string} */
                            status: "CREATED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                            updated_at: string;
                        };
                    };
                };
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    session_id: string;
                };
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": {
                        browser_info?: string;
                        device_info?: string;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            attendee: {
                                attendee_id: string;
                                external_user_id: string;
                                join_token: string;
                            };
                            attendees: {
                                attendee_id: string;
                                join_time: string | null;
                                leave_time?: string | null;
                                name: string;
                                /** @enum {string} */
                                status: "JOINING" | "CONNECTED" | "LEFT" | "REPLACED";
                                /** @enum {string} */
                                user_type: "DOCTOR" | "PATIENT";
                            }[];
                            aws_media_urls: {
                                audio_host_url: string;
                                signaling_url: string;
                                video_host_url: string;
                            };
                            chime?: {
                                Attendee: Record<string, never>;
                                Meeting: Record<string, never>;
                            };
                            ice_servers?: {
                                credential?: string;
                                urls: string | string[];
                                username?: string;
                            }[];
                            /** @enum {string} */
                            media_provider: "embedded" | "chime";
                            session_id: string;
                            /** @enum {string} */
                            session_status: "CREATED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                        };
                    };
                };
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    session_id: string;
                };
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": {
                        notes?: string;
                        quality_rating?: number;
                    };
                };
            };
            responses: {
                /** @description OK */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            notes: string | null;
                            quality_rating: number | null;
                            session_id: string;
                            updated_at: string;
                        };
                    };
                };
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
                /** @description error */
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
export type operations = Record<string, never>;
