/** A bounded set of recently seen keys (event ids, channel:ts), oldest forgotten first. */
export class Seen {
  private readonly keys = new Set<string>();

  constructor(private readonly max = 5000) {}

  /** Records the key; false when it was already there. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value as string);
    return true;
  }

  delete(key: string): void {
    this.keys.delete(key);
  }
}
