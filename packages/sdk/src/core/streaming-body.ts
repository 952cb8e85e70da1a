/** A request body sent as a stream (an upload with progress); it can be sent once, so no retry. */
export class StreamingBody {
  constructor(
    readonly stream: ReadableStream<Uint8Array>,
    readonly contentType: string,
  ) {}
}
