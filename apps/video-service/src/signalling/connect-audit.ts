import type { ConnectAuditRow } from "../sessions/attendees.repository.ts";
import type { SignalConnectAttempt } from "../sessions/session-access.ts";

/**
 * The audit row of an allowed signalling connect, as `SessionAccess.recordSignalConnect`
 * writes a refused one (same action and columns), but written by the connect's own statement
 * (`recordConnect`'s `allowedAudit`, its actor's role the attendee's): one commit before
 * `welcome`, not two.
 */
export function allowedConnectRow(
  attempt: SignalConnectAttempt & { userId: string },
  clinicId: string,
): ConnectAuditRow {
  return {
    actor_id: attempt.userId,
    clinic_id: clinicId,
    action: "session.signal.connect",
    outcome: "ALLOWED",
    session_id: attempt.sessionId,
    appointment_id: null,
    request_id: attempt.requestId,
    client_address: attempt.clientAddress,
  };
}
