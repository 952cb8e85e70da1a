/**
 * One small read shared by every caller waiting at once, that never answers a caller with what
 * was read before it asked. A call while no read runs starts one; a call while one runs waits
 * for the next, which starts when that one ends and answers everyone who came meanwhile. So each
 * caller sees a snapshot taken after its call (a write committed before it is always seen, in
 * any process), and under load one round trip answers many requests instead of one each.
 */
export class CoalescedRead<T> {
  private running: Promise<T> | undefined;
  private next: Promise<T> | undefined;

  constructor(private readonly query: () => Promise<T>) {}

  read(): Promise<T> {
    if (this.next) return this.next;
    if (!this.running) return this.start();
    const after = () => {
      this.next = undefined;
      return this.start();
    };
    this.next = this.running.then(after, after);
    return this.next;
  }

  private start(): Promise<T> {
    const run = this.query();
    this.running = run;
    const done = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(done, done);
    return run;
  }
}
