import { Table, Text } from "@mantine/core";
import type { SessionDetails } from "../api/get-session.ts";

type Report = SessionDetails["quality_reports"][number];

const orNone = (value: number | null, unit: string) => (value === null ? "—" : `${value} ${unit}`);
const duration = (seconds: number) =>
  seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;

/** Each side's call-quality summary (issue 12), as its browser measured it. */
export function CallQualityTable({ reports }: { reports: Report[] }) {
  if (reports.length === 0) return <Text size="sm">No call quality reported.</Text>;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped withTableBorder fz="sm" aria-label="Call quality">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Side</Table.Th>
            <Table.Th>Round trip</Table.Th>
            <Table.Th>Packet loss</Table.Th>
            <Table.Th>Bitrate sent / received</Table.Th>
            <Table.Th>Resolution</Table.Th>
            <Table.Th>On relay</Table.Th>
            <Table.Th>Audio only</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {reports.map((r) => (
            <Table.Tr key={r.side}>
              <Table.Th scope="row">{r.side === "DOCTOR" ? "Doctor" : "Patient"}</Table.Th>
              <Table.Td>{orNone(r.rtt_ms_median, "ms")}</Table.Td>
              <Table.Td>{orNone(r.packet_loss_pct, "%")}</Table.Td>
              <Table.Td>
                {orNone(r.outgoing_kbps_median, "kbit/s")} / {orNone(r.incoming_kbps_median, "kbit/s")}
              </Table.Td>
              <Table.Td>{r.sent_resolution ?? "no video"}</Table.Td>
              <Table.Td>{duration(r.relay_seconds)}</Table.Td>
              <Table.Td>{duration(r.audio_only_seconds)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
