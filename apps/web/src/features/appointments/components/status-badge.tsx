import { Badge } from "@mantine/core";

const colours: Record<string, string> = {
  SCHEDULED: "blue",
  CREATED: "blue",
  IN_PROGRESS: "green",
  COMPLETED: "gray",
  CANCELLED: "red",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={colours[status] ?? "gray"} variant="light">
      {status}
    </Badge>
  );
}
