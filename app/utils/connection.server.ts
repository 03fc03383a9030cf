/**
 * Backpressure for bodies streamed from a loader. Remix writes a streamed body into the response
 * as fast as it can read it, without waiting for the socket, so a reader slower than the server
 * would have the whole body pile up in memory in front of them. `whenWritable` lets the stream
 * wait instead (server.ts passes it to loaders as `AppLoadContext.writable`).
 */
import type { ServerResponse } from "node:http";

/**
 * Resolves true when the response can take more now or once its socket drains, false when the
 * connection is gone. Listens on the socket itself: compression middleware takes over the
 * response's own `drain` listeners, and its compressor only pauses when the response is full.
 */
export function whenWritable(res: ServerResponse): Promise<boolean> {
  const socket = res.socket;
  if (!socket || socket.destroyed || res.destroyed || res.writableEnded) {
    return Promise.resolve(false);
  }
  if (!res.writableNeedDrain) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (writable: boolean) => {
      socket.off("drain", onDrain);
      socket.off("close", onClose);
      resolve(writable);
    };
    const onDrain = () => settle(true);
    const onClose = () => settle(false);
    socket.on("drain", onDrain);
    socket.on("close", onClose);
  });
}
