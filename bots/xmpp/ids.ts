/**
 * What the bot remembers about recent room messages, in memory and bounded: XMPP names one
 * message by its own id (origin-id, used by corrections) and by the room's stanza-id (used by
 * replies and retractions in group chats). The bridge's id for a message is the first of
 * origin-id, id attribute, stanza-id.
 */
interface Known {
  readonly room: string;
  readonly id: string;
  stanzaId?: string;
  /** Occupant nick of the author. */
  nick?: string;
}

export class MessageIndex {
  private readonly byId = new Map<string, Known>();
  private readonly byStanzaId = new Map<string, string>();

  constructor(private readonly cap = 10_000) {}

  remember(room: string, id: string, info: { stanzaId?: string; nick?: string } = {}): void {
    const key = `${room}\n${id}`;
    const known: Known = this.byId.get(key) ?? { room, id };
    if (info.stanzaId) {
      known.stanzaId = info.stanzaId;
      this.byStanzaId.set(`${room}\n${info.stanzaId}`, id);
    }
    if (info.nick !== undefined && known.nick === undefined) known.nick = info.nick;
    this.byId.delete(key);
    this.byId.set(key, known);
    while (this.byId.size > this.cap) {
      const [oldest, k] = this.byId.entries().next().value as [string, Known];
      this.byId.delete(oldest);
      if (k.stanzaId) this.byStanzaId.delete(`${k.room}\n${k.stanzaId}`);
    }
  }

  /** A reference from a reply / correction / retraction (either kind of id) → the bridge's id. */
  resolve(room: string, ref: string): string {
    return this.byStanzaId.get(`${room}\n${ref}`) ?? ref;
  }

  /** The id a group chat uses to point at a message: its stanza-id when known. */
  stanzaIdOf(room: string, id: string): string | undefined {
    return this.byId.get(`${room}\n${id}`)?.stanzaId;
  }

  authorOf(room: string, id: string): string | undefined {
    return this.byId.get(`${room}\n${id}`)?.nick;
  }
}
