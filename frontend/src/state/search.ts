/** Search results (PROTOCOL §6 "Search") grouped for display. Pure, no DOM. */
import type { SearchResult } from '../types';

export interface SearchGroup {
  room: SearchResult['room'];
  results: SearchResult[];
}

/**
 * Results grouped by room, rooms in the order of their newest result (the server sends newest
 * first), results newest first inside each; a result seen twice (pages overlapping) is kept once.
 */
export function groupByRoom(results: readonly SearchResult[]): SearchGroup[] {
  const groups = new Map<number, SearchGroup>();
  const seen = new Set<number>();
  for (const r of results) {
    if (seen.has(r.message.id)) continue;
    seen.add(r.message.id);
    let g = groups.get(r.room.id);
    if (!g) groups.set(r.room.id, (g = { room: r.room, results: [] }));
    g.results.push(r);
  }
  return [...groups.values()];
}

/** The `before_id` for the next page: the last result's message id. */
export function nextCursor(results: readonly SearchResult[]): number | undefined {
  return results.length > 0 ? results[results.length - 1]!.message.id : undefined;
}
