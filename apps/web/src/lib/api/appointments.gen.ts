// generated — do not edit. Source: scripts/guide-openapi.mjs (service not built yet). Regenerate: npm run gen:api -w @clinic/web

export interface paths {
    "/api/appointments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    from?: string;
                    limit?: number;
                    offset?: number;
                    status?: "SCHEDULED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                    to?: string;
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
                            appointments: {
                                /** @constant */
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
                                session_id: string | null;
                                /** Format: date-time */
                                start_time: string;
                                status: "SCHEDULED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED";
                                /** Format: date-time */
                                updated_at: string;
                                video_enabled: boolean;
                            }[];
                            limit: number;
                            offset: number;
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
    "/api/appointments/{id}": {
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
                    id: string;
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
                            /** @constant */
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
