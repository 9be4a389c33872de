import { Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { type DirectoryEntry, useDirectory } from "../api/directory.ts";

interface Props {
  kind: "PATIENT" | "DOCTOR";
  label: string;
  value: DirectoryEntry | null;
  onChange: (entry: DirectoryEntry | null) => void;
  error?: string | undefined;
}

const optionLabel = (e: DirectoryEntry) => `${e.name} — ${e.email}`;

/**
 * Search-as-you-type over the clinic's directory (GET /api/auth/directory): active people of
 * the caller's clinic only, matched by the server on name or email.
 */
export function PersonPicker({ kind, label, value, onChange, error }: Props) {
  const [search, setSearch] = useState("");
  // Once chosen, the field shows the choice's label: that is not a new search.
  const typed = value && search === optionLabel(value) ? "" : search.trim();
  const [q] = useDebouncedValue(typed, 250);
  const directory = useDirectory(kind, q);
  const found = directory.data?.users ?? [];
  const entries = value && !found.some((e) => e.id === value.id) ? [value, ...found] : found;
  return (
    <Select
      label={label}
      placeholder="Type a name or email"
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      // The server has filtered already (name or email); show its matches as they are.
      filter={({ options }) => options}
      data={entries.map((e) => ({ value: e.id, label: optionLabel(e) }))}
      value={value?.id ?? null}
      onChange={(id) => onChange(entries.find((e) => e.id === id) ?? null)}
      nothingFoundMessage={
        directory.isError
          ? "The directory could not be searched. Try again."
          : directory.isFetching
            ? "Searching…"
            : `No active ${kind === "PATIENT" ? "patient" : "doctor"} matches.`
      }
      error={error}
      required
      clearable
    />
  );
}
