/** Limits of the public contract (shared/PROTOCOL.md §1), in one place for the state and the views. */

/** A message body: 1–4000 characters after trimming. */
export const MAX_BODY = 4000;
