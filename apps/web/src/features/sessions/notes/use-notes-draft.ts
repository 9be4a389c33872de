import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { env } from "../../../config/env.ts";
import { authTokens } from "../../../lib/auth-tokens.ts";
import { type NotesDraft, useNotesDraftQuery } from "../api/get-notes-draft.ts";
import { saveNotesDraftAndCache } from "../api/save-notes-draft.ts";
import { type NotesValue, sameNotes } from "./notes-text.ts";
import { unsavedEdits } from "./unsaved-edits.ts";

export type DraftStatus =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved"; at: string }
  | { kind: "failed"; error: unknown };

export interface NotesDraftState {
  /** null until the draft (or, without one, the saved notes) has been loaded. */
  value: NotesValue | null;
  /** What the panel started from: the draft, the saved notes, or nothing yet. */
  source: NotesDraft["source"] | null;
  loadError: unknown;
  reload: () => void;
  status: DraftStatus;
  /** Changes the server does not have yet: a save waiting for the debounce, in flight or failed. */
  unsynced: boolean;
  setNotes: (notes: string) => void;
  setRating: (rating: number | null) => void;
  /** The field lost focus: save now what waits for the debounce. */
  blur: () => void;
  /** Save what is unsynced now (Retry, or after a failed final save). */
  saveNow: () => Promise<boolean>;
  /** Before the final save: drop the pending draft save and wait for the one in flight. */
  settle: () => Promise<void>;
  /** The final notes were saved (the server deleted the draft): `value` is what it holds now. */
  savedAsFinal: (value: NotesValue) => void;
  /** The doctor chose to leave without saving: forget the unsynced text. */
  discard: () => void;
}

/**
 * The doctor's notes, kept as a draft on the server while they type (issue 16): loaded when
 * the panel opens, saved `debounceMs` after the last change and when the field loses focus,
 * one save at a time and always the newest text, with a status for the screen. Nothing goes
 * to the browser's storage; unsynced text waits in memory only (unsaved-edits.ts).
 */
export function useNotesDraft(sessionId: string, debounceMs = env.notesDraftDebounceMs): NotesDraftState {
  const queryClient = useQueryClient();
  const userId = authTokens.get()?.user.id ?? "";
  const query = useNotesDraftQuery(sessionId);
  const [value, setValue] = useState<NotesValue | null>(null);
  const [server, setServer] = useState<NotesValue | null>(null);
  const [source, setSource] = useState<NotesDraft["source"] | null>(null);
  const [status, setStatus] = useState<DraftStatus>({ kind: "idle" });
  // The save queue runs outside React's renders, so it reads and writes refs.
  const valueRef = useRef<NotesValue | null>(null);
  const serverRef = useRef<NotesValue | null>(null);
  const savedAt = useRef<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const queue = useRef<Promise<boolean>>(Promise.resolve(true));
  const alive = useRef(true);

  const clearTimer = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  }, []);
  const syncedStatus = useCallback(
    (): DraftStatus => (savedAt.current ? { kind: "saved", at: savedAt.current } : { kind: "idle" }),
    [],
  );

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      clearTimer();
    };
  }, [clearTimer]);

  const saveNow = useCallback((): Promise<boolean> => {
    clearTimer();
    const run = async (): Promise<boolean> => {
      const sending = valueRef.current;
      if (sending === null) return true;
      if (sameNotes(sending, serverRef.current)) {
        unsavedEdits.forget(userId, sessionId);
        if (alive.current) setStatus(syncedStatus());
        return true;
      }
      if (alive.current) setStatus({ kind: "saving" });
      try {
        const saved = await saveNotesDraftAndCache(queryClient, sessionId, {
          notes: sending.notes,
          quality_rating: sending.rating,
        });
        const held = { notes: saved.notes, rating: saved.quality_rating };
        serverRef.current = held;
        savedAt.current = saved.updated_at;
        const synced = sameNotes(valueRef.current, held);
        if (synced) unsavedEdits.forget(userId, sessionId);
        if (alive.current) {
          setServer(held);
          setSource("draft");
          // Typed meanwhile: the debounce timer is already running for the newer text.
          setStatus(synced ? syncedStatus() : { kind: "saving" });
        }
        return synced;
      } catch (error) {
        if (alive.current) setStatus({ kind: "failed", error });
        return false;
      }
    };
    // One save at a time, in order: a slow older save can never overwrite a newer one.
    const next = queue.current.then(run);
    queue.current = next;
    return next;
  }, [clearTimer, syncedStatus, queryClient, sessionId, userId]);

  // Start once, from an answer fetched for this panel, and from unsynced text when some waits.
  useEffect(() => {
    if (valueRef.current !== null || query.status !== "success" || !query.isFetchedAfterMount) return;
    const held = { notes: query.data.notes, rating: query.data.quality_rating };
    serverRef.current = held;
    savedAt.current = query.data.source === "draft" ? query.data.updated_at : null;
    const carried = unsavedEdits.get(userId, sessionId);
    const initial = carried ?? held;
    valueRef.current = initial;
    setServer(held);
    setSource(query.data.source);
    setValue(initial);
    setStatus(syncedStatus());
    if (carried) void saveNow();
  }, [query.status, query.isFetchedAfterMount, query.data, userId, sessionId, saveNow, syncedStatus]);

  const update = useCallback(
    (patch: Partial<NotesValue>, delayMs: number) => {
      const current = valueRef.current;
      if (current === null) return;
      const next = { ...current, ...patch };
      valueRef.current = next;
      setValue(next);
      const synced = sameNotes(next, serverRef.current);
      if (synced) unsavedEdits.forget(userId, sessionId);
      else unsavedEdits.set(userId, sessionId, next);
      setStatus((s) => (s.kind === "failed" ? s : synced ? syncedStatus() : { kind: "saving" }));
      clearTimer();
      timer.current = setTimeout(() => {
        timer.current = null;
        void saveNow();
      }, delayMs);
    },
    [clearTimer, saveNow, sessionId, syncedStatus, userId],
  );

  return {
    value,
    source,
    loadError: value === null && query.status === "error" ? query.error : null,
    reload: () => void query.refetch(),
    status,
    unsynced: value !== null && !sameNotes(value, server),
    setNotes: useCallback((notes: string) => update({ notes }, debounceMs), [update, debounceMs]),
    // A star is one deliberate click, not a stream of keystrokes: saved at once.
    setRating: useCallback((rating: number | null) => update({ rating }, 0), [update]),
    blur: () => {
      if (timer.current) void saveNow();
    },
    saveNow,
    settle: async () => {
      clearTimer();
      await queue.current;
    },
    savedAsFinal: (saved: NotesValue) => {
      serverRef.current = saved;
      savedAt.current = null;
      setServer(saved);
      setSource("saved");
      if (sameNotes(valueRef.current, saved)) {
        unsavedEdits.forget(userId, sessionId);
        setStatus({ kind: "idle" });
      } else {
        void saveNow();
      }
    },
    discard: () => {
      clearTimer();
      unsavedEdits.forget(userId, sessionId);
    },
  };
}
