import { Alert, Box, Button, Group, Loader, Paper, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { describeError, ErrorState } from "../../../components/error-state.tsx";
import { isApiError } from "../../../lib/api-error.ts";
import { useConsentText, useRecordConsent } from "../api/consent.ts";

interface Props {
  sessionId: string;
  doctorName?: string;
  /** The answer the session holds already (a patient who declined and came back). */
  previous: "GIVEN" | "DECLINED" | null;
  /** Called once the server has stored GIVEN: the call (and the camera) may start. */
  onGiven: () => void;
}

/**
 * Informed consent to a video consultation, asked before the patient's camera and microphone
 * are touched. The clinic's current text is shown with its version; the answer is stored on
 * the server (audited, shown to the doctor, part of the FHIR record). Declining is a real
 * choice: the call does not start and the doctor is told why; the patient can change their mind.
 */
export function ConsentStep({ sessionId, doctorName, previous, onGiven }: Props) {
  const text = useConsentText();
  const [declined, setDeclined] = useState(previous === "DECLINED");
  const record = useRecordConsent(sessionId, (answer) => {
    if (answer.decision === "GIVEN") onGiven();
    else setDeclined(true);
  });

  if (text.isPending) return <Loader aria-label="Loading the consent form" />;
  if (text.isError) return <ErrorState error={text.error} subject="Consent form" onRetry={() => void text.refetch()} />;

  if (declined && !record.isPending) {
    return (
      <Paper withBorder p="lg" maw={640} mx="auto" component="section" aria-labelledby="consent-declined-title">
        <Stack>
          <Title order={1} size="h3" id="consent-declined-title">
            You declined the video consultation
          </Title>
          <Text role="status">
            Your camera and microphone were not turned on, and {doctorName ?? "your doctor"} can see that you declined.
            Please contact the clinic to arrange another kind of appointment, or agree below if you change your mind.
          </Text>
          <Button variant="default" w="fit-content" onClick={() => setDeclined(false)}>
            Read the consent again
          </Button>
        </Stack>
      </Paper>
    );
  }

  const outdated = record.isError && isApiError(record.error, "CONSENT_TEXT_OUTDATED");
  const answer = (decision: "GIVEN" | "DECLINED") => record.mutate({ decision, text_version: text.data.version });
  return (
    <Paper withBorder p="lg" maw={640} mx="auto" component="section" aria-labelledby="consent-title">
      <Stack>
        <Title order={1} size="h3" id="consent-title">
          Consent to a video consultation
        </Title>
        <Text size="sm">
          Before {doctorName ?? "your doctor"} can see and hear you, please read how video consultations work at this
          clinic and say whether you agree.
        </Text>
        {outdated && (
          <Alert color="yellow" role="alert" title="The consent text has changed">
            The clinic updated its consent text while you were reading. Please read the current version below.
          </Alert>
        )}
        {record.isError && !outdated && (
          <Alert color="red" role="alert" title="Your answer was not saved">
            {describeError(record.error, "Session").message}
          </Alert>
        )}
        {/* A long text scrolls; focusable so a keyboard user can scroll it too. */}
        <Box
          role="region"
          aria-label="Consent text"
          tabIndex={0}
          mah={320}
          p="xs"
          style={{ overflowY: "auto", border: "1px solid var(--mantine-color-gray-4)", borderRadius: 8 }}
        >
          <Text style={{ whiteSpace: "pre-wrap" }}>{text.data.text}</Text>
        </Box>
        <Text size="xs" c="dimmed">
          Consent text version {text.data.version}
        </Text>
        <Group>
          <Button onClick={() => answer("GIVEN")} loading={record.isPending && record.variables?.decision === "GIVEN"}>
            I agree
          </Button>
          <Button
            variant="default"
            onClick={() => answer("DECLINED")}
            loading={record.isPending && record.variables?.decision === "DECLINED"}
          >
            I do not agree
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
