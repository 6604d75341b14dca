/**
 * The fake homeserver's data: users, rooms with timelines and membership, media, and a stream
 * of positions for /sync. Shapes follow the Matrix Client-Server spec (v1.11).
 */
import { randomBytes } from 'node:crypto';

export interface FakeEvent {
  event_id: string;
  type: string;
  sender: string;
  room_id: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
  state_key?: string;
  redacts?: string;
  unsigned?: Record<string, unknown>;
}

export interface FakeRoom {
  readonly id: string;
  readonly timeline: FakeEvent[];
  /** userId → membership. */
  readonly members: Map<string, 'join' | 'invite' | 'leave'>;
  readonly state: Map<string, FakeEvent>;
}

export interface Media {
  readonly bytes: Uint8Array;
  readonly mime: string;
  readonly filename?: string;
}

interface StreamItem {
  readonly pos: number;
  readonly roomId: string;
  readonly event: FakeEvent;
}

export class World {
  readonly users = new Map<string, { displayname?: string; avatar_url?: string }>();
  readonly rooms = new Map<string, FakeRoom>();
  readonly media = new Map<string, Media>();
  readonly stream: StreamItem[] = [];
  private readonly waiters = new Set<() => void>();
  private n = 0;

  constructor(readonly serverName: string) {}

  get position(): number {
    return this.stream.length;
  }

  onChange(fn: () => void): () => void {
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }

  wakeAll(): void {
    for (const w of [...this.waiters]) w();
  }

  room(roomId: string): FakeRoom {
    let r = this.rooms.get(roomId);
    if (!r) {
      r = { id: roomId, timeline: [], members: new Map(), state: new Map() };
      this.rooms.set(roomId, r);
    }
    return r;
  }

  append(roomId: string, e: Omit<FakeEvent, 'event_id' | 'room_id' | 'origin_server_ts'>): FakeEvent {
    const room = this.room(roomId);
    const event: FakeEvent = {
      event_id: `$${++this.n}${randomBytes(6).toString('hex')}`,
      room_id: roomId,
      origin_server_ts: Date.now(),
      ...e,
    };
    room.timeline.push(event);
    if (event.state_key !== undefined) room.state.set(`${event.type}|${event.state_key}`, event);
    if (event.type === 'm.room.member' && event.state_key) {
      const m = event.content.membership;
      if (m === 'join' || m === 'invite' || m === 'leave') room.members.set(event.state_key, m);
    }
    if (event.type === 'm.room.redaction' && event.redacts) {
      const target = room.timeline.find((x) => x.event_id === event.redacts);
      if (target) {
        target.content = {};
        target.unsigned = { ...target.unsigned, redacted_because: event };
      }
    }
    this.stream.push({ pos: this.stream.length + 1, roomId, event });
    this.wakeAll();
    return event;
  }

  setMembership(roomId: string, userId: string, membership: 'join' | 'invite' | 'leave', sender = userId): FakeEvent {
    const displayname = this.users.get(userId)?.displayname;
    return this.append(roomId, {
      type: 'm.room.member',
      sender,
      state_key: userId,
      content: { membership, ...(displayname ? { displayname } : {}) },
    });
  }

  /** Stream items after `since` in rooms where `userId` is joined, plus invites for `userId`. */
  itemsSince(since: number, userId: string): StreamItem[] {
    return this.stream.slice(since).filter((it) => {
      const m = this.rooms.get(it.roomId)?.members.get(userId);
      return m === 'join' || (it.event.type === 'm.room.member' && it.event.state_key === userId);
    });
  }

  newMediaId(): string {
    return randomBytes(12).toString('hex');
  }
}
