import "@remix-run/node";

// Single-fetch types for loaders and actions (see stack.md: this must not live in remix.env.d.ts).
declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The client's IP address as the server saw it (behind a proxy, set TRUST_PROXY). */
    clientAddress: string;
    /** This response's Content-Security-Policy nonce, for the page's inline scripts. */
    cspNonce?: string;
    /**
     * Set by the render-once page cache (server.ts): render the whole document before answering,
     * as for a bot, since it is stored rather than streamed to a waiting browser.
     */
    renderWhole?: boolean;
    /**
     * Resolves once the response's connection can take more (true), or is gone (false): a body
     * streamed from a loader waits on it between chunks (server.ts; export-response.server.ts).
     */
    writable?: () => Promise<boolean>;
  }
}
