// How many code searches may run at once: a few in the whole process, and fewer for any one
// client (an account, or an address for anonymous visitors), so that one client sending
// slow searches in parallel cannot take every slot from everyone else. In process memory:
// each forge process has its own slots.

export class SearchSlots {
  private total = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    readonly maxTotal: number,
    readonly maxPerClient: number,
  ) {}

  /** A slot for `client`, with the function that gives it back; null when none is free. */
  acquire(client: string): (() => void) | null {
    const mine = this.byClient.get(client) ?? 0;
    if (this.total >= this.maxTotal || mine >= this.maxPerClient) return null;
    this.total++;
    this.byClient.set(client, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
    };
  }

  /** Searches running now (all clients). */
  get running(): number {
    return this.total;
  }
}
