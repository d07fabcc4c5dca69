/**
 * Read receipts: how far each other member has read each room (`read` events), and where to
 * show "Seen by …" in a list of messages. Pure logic, no DOM.
 */
export class ReadReceipts {
  private readonly rooms = new Map<number, Map<number, number>>();

  /** Record `read` {room_id, user_id, seq}; receipts only move forward. Returns true on change. */
  apply(roomId: number, userId: number, seq: number): boolean {
    let room = this.rooms.get(roomId);
    if (room === undefined) {
      room = new Map();
      this.rooms.set(roomId, room);
    }
    const current = room.get(userId) ?? 0;
    if (seq <= current) return false;
    room.set(userId, seq);
    return true;
  }

  seqOf(roomId: number, userId: number): number {
    return this.rooms.get(roomId)?.get(userId) ?? 0;
  }

  /**
   * For each loaded seq, the users (other than `me`) whose receipt lands on it: a receipt for a
   * seq that is not loaded (say, a deleted gap) is placed on the nearest loaded seq below it.
   */
  placements(roomId: number, loadedSeqs: readonly number[], me: number): Map<number, number[]> {
    const out = new Map<number, number[]>();
    const room = this.rooms.get(roomId);
    if (room === undefined || loadedSeqs.length === 0) return out;
    for (const [userId, seq] of room) {
      if (userId === me) continue;
      const at = nearestAtOrBelow(loadedSeqs, seq);
      if (at === null) continue;
      const list = out.get(at) ?? [];
      list.push(userId);
      out.set(at, list);
    }
    return out;
  }
}

/** Binary search in ascending `seqs` for the greatest value <= `seq`. */
export function nearestAtOrBelow(seqs: readonly number[], seq: number): number | null {
  let lo = 0;
  let hi = seqs.length - 1;
  let found: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = seqs[mid]!;
    if (v <= seq) {
      found = v;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
