import type { UserType } from "@clinic/contracts";
import type { AuditEntry } from "../audit/audit.repository.ts";
import type { SignalConnectAttempt } from "../sessions/session-access.ts";

/**
 * The audit row of an allowed signalling connect, as `SessionAccess.recordSignalConnect`
 * writes a refused one (same action and columns), but committed by the connect's own
 * transaction (`recordConnect`'s `recordAllowed`): one commit before `welcome`, not two.
 */
export function allowedConnectRow(
  attempt: SignalConnectAttempt & { userId: string },
  clinicId: string,
  role: UserType,
): AuditEntry {
  return {
    actor_id: attempt.userId,
    actor_role: role,
    clinic_id: clinicId,
    action: "session.signal.connect",
    outcome: "ALLOWED",
    session_id: attempt.sessionId,
    appointment_id: null,
    request_id: attempt.requestId,
    client_address: attempt.clientAddress,
  };
}
