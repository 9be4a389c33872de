import { queryOptions, useQuery } from "@tanstack/react-query";
import type { operations as AppointmentsOperations } from "../../../lib/api/appointments.gen.ts";
import { appointmentsClient, authClient, inviteHoldOf } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";
import { authTokens, type InviteHold } from "../../../lib/auth-tokens.ts";

export type InvitedAppointment =
  AppointmentsOperations["getAppointment"]["responses"][200]["content"]["application/json"];

/**
 * Exchanges an invite link's token for an access token good for that one consultation (no
 * account, no refresh token: the same exchange renews it, lib/api-client.ts). 404
 * INVITE_NOT_FOUND; 410 INVITE_REVOKED / INVITE_EXPIRED / CONSULTATION_ENDED / APPOINTMENT_CANCELLED.
 */
export async function exchangeInvite(token: string): Promise<InviteHold> {
  const grant = await unwrap(authClient.POST("/api/auth/invite-token", { body: { invite_token: token } }));
  const invite = inviteHoldOf(token, grant.invite);
  authTokens.set(grant, Date.now(), invite);
  return invite;
}

export const inviteQueryOptions = (token: string) =>
  queryOptions({
    queryKey: ["invite", token],
    queryFn: () => exchangeInvite(token),
    // Exchanged once on opening; again only when the page asks (the token was refused).
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });

export const useInvite = (token: string) => useQuery(inviteQueryOptions(token));

/** The invited consultation, polled while the patient waits for the doctor to start. */
export const useInvitedAppointment = (appointmentId: string | null, pollMs: number) =>
  useQuery({
    queryKey: ["appointments", "detail", appointmentId],
    queryFn: () =>
      unwrap(
        appointmentsClient.GET("/api/appointments/{id}", {
          params: { path: { id: appointmentId ?? "" } },
        }),
      ),
    enabled: appointmentId !== null,
    refetchInterval: pollMs,
  });
